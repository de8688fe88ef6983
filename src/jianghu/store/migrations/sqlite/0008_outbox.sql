-- Alert deliveries waiting, done or given up (intel/delivery): a persistent outbox, so an
-- alert raised before a crash or an endpoint outage is still delivered afterwards.
CREATE TABLE alert_outbox (
    id INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES alerts (id),
    sink TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL,
    done_at TEXT,
    UNIQUE (alert_id, sink)
);
CREATE INDEX alert_outbox_due ON alert_outbox (status, next_attempt_at);
