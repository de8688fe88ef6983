CREATE TABLE message_entities (
    message_id BIGINT NOT NULL REFERENCES messages (id),
    type TEXT NOT NULL,
    value TEXT NOT NULL,
    normalized TEXT NOT NULL,
    start_pos INTEGER NOT NULL,
    end_pos INTEGER NOT NULL,
    attrs TEXT NOT NULL,
    PRIMARY KEY (message_id, type, start_pos)
);
CREATE INDEX message_entities_value ON message_entities (type, normalized);

CREATE TABLE reveal_log (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    command TEXT NOT NULL,
    detail TEXT NOT NULL
);
