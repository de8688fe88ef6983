-- jianghu store, SQLite flavour. Timestamps are ISO-8601 UTC text ("...+00:00").
CREATE TABLE channels (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    key TEXT NOT NULL,
    platform_id TEXT NOT NULL,
    name TEXT,
    kind TEXT NOT NULL,
    UNIQUE (platform, key)
);

CREATE TABLE authors (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    key TEXT NOT NULL,
    platform_id TEXT,
    display_name TEXT,
    handle TEXT,
    UNIQUE (platform, key)
);

-- Every name an author was seen under, with when: evidence for linking identities later.
CREATE TABLE author_names (
    author_id INTEGER NOT NULL REFERENCES authors (id),
    name TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    PRIMARY KEY (author_id, name)
);

CREATE TABLE ingest_runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    paths TEXT NOT NULL,
    read INTEGER NOT NULL DEFAULT 0,
    new INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    events INTEGER NOT NULL DEFAULT 0,
    errors TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE source_files (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES ingest_runs (id),
    path TEXT NOT NULL,
    format TEXT NOT NULL,
    sha256 TEXT,
    size INTEGER,
    status TEXT NOT NULL,
    error TEXT
);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    channel_id INTEGER NOT NULL REFERENCES channels (id),
    message_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    author_id INTEGER REFERENCES authors (id),
    posted_at TEXT NOT NULL,
    edited_at TEXT,
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
    source_file_id INTEGER REFERENCES source_files (id),
    source_line INTEGER,
    source_col INTEGER,
    source_offset INTEGER,
    source_pointer TEXT,
    UNIQUE (channel_id, message_id)
);
CREATE INDEX messages_posted_at ON messages (posted_at);
CREATE INDEX messages_author ON messages (author_id, posted_at);

-- Earlier (or out-of-order) versions of edited messages: an edit never erases text.
CREATE TABLE message_versions (
    id INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES messages (id),
    content_hash TEXT NOT NULL,
    text TEXT NOT NULL,
    edited_at TEXT,
    entities TEXT NOT NULL,
    raw TEXT NOT NULL,
    source_file_id INTEGER REFERENCES source_files (id),
    recorded_at TEXT NOT NULL,
    UNIQUE (message_id, content_hash)
);

-- Contentless full-text index over the project's own tokens (analysis/search_terms.py);
-- the ascii tokenizer splits only at the spaces between them. rowid = messages.id.
CREATE VIRTUAL TABLE message_search USING fts5 (uni, bi, content = '', tokenize = 'ascii');
