-- Alerts raised by watchlist rules (intel/alerts). One alert per rule and ad: reposts of
-- the same ad (same skeleton) are sightings of one alert, and a re-ingest or re-scan adds
-- nothing it has seen.
CREATE TABLE alerts (
    id BIGSERIAL PRIMARY KEY,
    rule TEXT NOT NULL,
    severity TEXT NOT NULL,
    dedup_key TEXT NOT NULL,
    first_message_id BIGINT NOT NULL REFERENCES messages (id),
    matched TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (rule, dedup_key)
);
CREATE INDEX alerts_status ON alerts (status, severity);

CREATE TABLE alert_sightings (
    alert_id BIGINT NOT NULL REFERENCES alerts (id),
    message_id BIGINT NOT NULL REFERENCES messages (id),
    matched TEXT NOT NULL,
    start_pos INTEGER NOT NULL,
    end_pos INTEGER NOT NULL,
    PRIMARY KEY (alert_id, message_id)
);
