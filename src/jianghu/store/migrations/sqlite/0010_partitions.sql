-- The partition ledger of distributed ingest (see the PostgreSQL migration): the table
-- exists on both backends so that both have one schema; only the Dask engine writes it.
CREATE TABLE ingest_partitions (
    run_id INTEGER NOT NULL REFERENCES ingest_runs (id),
    key TEXT NOT NULL,
    new INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    unchanged INTEGER NOT NULL,
    events INTEGER NOT NULL,
    written_at TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
);
