-- jianghu store, PostgreSQL flavour: the same tables as SQLite, with native types and
-- the search index as tsvector columns built from the project's own tokens.
CREATE TABLE channels (
    id BIGSERIAL PRIMARY KEY,
    platform TEXT NOT NULL,
    key TEXT NOT NULL,
    platform_id TEXT NOT NULL,
    name TEXT,
    kind TEXT NOT NULL,
    UNIQUE (platform, key)
);

CREATE TABLE authors (
    id BIGSERIAL PRIMARY KEY,
    platform TEXT NOT NULL,
    key TEXT NOT NULL,
    platform_id TEXT,
    display_name TEXT,
    handle TEXT,
    UNIQUE (platform, key)
);

CREATE TABLE author_names (
    author_id BIGINT NOT NULL REFERENCES authors (id),
    name TEXT NOT NULL,
    first_seen TIMESTAMPTZ NOT NULL,
    last_seen TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (author_id, name)
);

CREATE TABLE ingest_runs (
    id BIGSERIAL PRIMARY KEY,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    status TEXT NOT NULL,
    paths TEXT NOT NULL,
    read BIGINT NOT NULL DEFAULT 0,
    new BIGINT NOT NULL DEFAULT 0,
    updated BIGINT NOT NULL DEFAULT 0,
    unchanged BIGINT NOT NULL DEFAULT 0,
    rejected BIGINT NOT NULL DEFAULT 0,
    events BIGINT NOT NULL DEFAULT 0,
    errors TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE source_files (
    id BIGSERIAL PRIMARY KEY,
    run_id BIGINT NOT NULL REFERENCES ingest_runs (id),
    path TEXT NOT NULL,
    format TEXT NOT NULL,
    sha256 TEXT,
    size BIGINT,
    status TEXT NOT NULL,
    error TEXT
);

CREATE TABLE messages (
    id BIGSERIAL PRIMARY KEY,
    platform TEXT NOT NULL,
    channel_id BIGINT NOT NULL REFERENCES channels (id),
    message_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    author_id BIGINT REFERENCES authors (id),
    posted_at TIMESTAMPTZ NOT NULL,
    edited_at TIMESTAMPTZ,
    text TEXT NOT NULL,
    entities TEXT NOT NULL,
    reply_to TEXT,
    forwarded_from TEXT,
    forwarded_from_id TEXT,
    media_kind TEXT,
    action TEXT,
    attrs TEXT NOT NULL,
    raw TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    source_file_id BIGINT REFERENCES source_files (id),
    source_line BIGINT,
    source_col BIGINT,
    source_offset BIGINT,
    source_pointer TEXT,
    search_uni TSVECTOR,
    search_bi TSVECTOR,
    UNIQUE (channel_id, message_id)
);
CREATE INDEX messages_posted_at ON messages (posted_at);
CREATE INDEX messages_author ON messages (author_id, posted_at);
CREATE INDEX messages_search_uni ON messages USING gin (search_uni);
CREATE INDEX messages_search_bi ON messages USING gin (search_bi);

CREATE TABLE message_versions (
    id BIGSERIAL PRIMARY KEY,
    message_id BIGINT NOT NULL REFERENCES messages (id),
    content_hash TEXT NOT NULL,
    text TEXT NOT NULL,
    edited_at TIMESTAMPTZ,
    entities TEXT NOT NULL,
    raw TEXT NOT NULL,
    source_file_id BIGINT REFERENCES source_files (id),
    recorded_at TIMESTAMPTZ NOT NULL,
    UNIQUE (message_id, content_hash)
);
