-- Analysts of the web workspace (web/): a name and the sha256 of their token. The token
-- itself is shown once, when the account is made, and never stored.
CREATE TABLE analysts (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT FALSE
);
