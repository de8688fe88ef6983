-- The partition ledger of distributed ingest (scale/): a partition of an ingest run is
-- written in one transaction together with its row here, so a partition that a cluster
-- runs twice (a worker lost after its commit) writes once and reports what it wrote.
CREATE TABLE ingest_partitions (
    run_id BIGINT NOT NULL REFERENCES ingest_runs (id),
    key TEXT NOT NULL,
    new BIGINT NOT NULL,
    updated BIGINT NOT NULL,
    unchanged BIGINT NOT NULL,
    events BIGINT NOT NULL,
    written_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (run_id, key)
);
