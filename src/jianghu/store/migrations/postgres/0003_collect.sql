-- Where live collection stopped in each chat: the last stored message id, written in the
-- same transaction as the batch that stored it, so a crash never skips or duplicates.
CREATE TABLE collect_cursors (
    source TEXT NOT NULL,
    chat_key TEXT NOT NULL,
    last_message_id BIGINT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (source, chat_key)
);
