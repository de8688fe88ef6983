-- Actors (intel/actors, intel/reputation): derived data, rebuilt whole by
-- `jianghu actors build`; an actor's id is the smallest author id among its accounts.
CREATE TABLE actors (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    accounts INTEGER NOT NULL,
    reputation INTEGER NOT NULL,
    messages INTEGER NOT NULL,
    first_seen TIMESTAMPTZ NOT NULL,
    last_seen TIMESTAMPTZ NOT NULL,
    categories TEXT NOT NULL,
    profile TEXT NOT NULL,
    factors TEXT NOT NULL,
    built_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX actors_reputation ON actors (reputation);

CREATE TABLE actor_accounts (
    author_id BIGINT PRIMARY KEY REFERENCES authors (id),
    actor_id BIGINT NOT NULL REFERENCES actors (id)
);
CREATE INDEX actor_accounts_actor ON actor_accounts (actor_id);

-- Analysts' decisions: they survive every rebuild (join: same actor; split: never).
CREATE TABLE actor_decisions (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    author_a BIGINT NOT NULL REFERENCES authors (id),
    author_b BIGINT NOT NULL REFERENCES authors (id),
    who TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    note TEXT NOT NULL
);

-- Every analyst action, with who and when.
CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    who TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
