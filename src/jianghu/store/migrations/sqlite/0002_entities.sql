-- Indicators extracted from each message (analysis/entities), kept beside the message
-- so that search, listings and later alerts need no re-extraction.
CREATE TABLE message_entities (
    message_id INTEGER NOT NULL REFERENCES messages (id),
    type TEXT NOT NULL,
    value TEXT NOT NULL,
    normalized TEXT NOT NULL,
    start_pos INTEGER NOT NULL,
    end_pos INTEGER NOT NULL,
    attrs TEXT NOT NULL,
    PRIMARY KEY (message_id, type, start_pos)
);
CREATE INDEX message_entities_value ON message_entities (type, normalized);

-- Every time an analyst reveals masked personal data of victims: who asked, when, what.
CREATE TABLE reveal_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    command TEXT NOT NULL,
    detail TEXT NOT NULL
);
