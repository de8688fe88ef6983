-- What classification said about each message, and which lexicon and model said it, so
-- that `jianghu reanalyze` can find the messages an update has made stale.
CREATE TABLE message_analysis (
    message_id BIGINT PRIMARY KEY REFERENCES messages (id),
    language TEXT NOT NULL,
    intent TEXT NOT NULL,
    categories TEXT NOT NULL,
    scores TEXT NOT NULL,
    lexicon_version TEXT NOT NULL,
    model_version TEXT NOT NULL,
    analysed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX message_analysis_intent ON message_analysis (intent);
CREATE INDEX message_analysis_versions ON message_analysis (model_version, lexicon_version);

-- One row per assigned category: the filter behind `search --category`.
CREATE TABLE message_categories (
    message_id BIGINT NOT NULL REFERENCES messages (id),
    category TEXT NOT NULL,
    score REAL NOT NULL,
    PRIMARY KEY (message_id, category)
);
CREATE INDEX message_categories_category ON message_categories (category, message_id);
