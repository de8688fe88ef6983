"""`jianghu bench scale` on a tiny corpus: every run stores the same messages, the figures
are consistent with each other, and no benchmark database is left on the server."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
from typer.testing import CliRunner

from jianghu.cli import app
from tests.conftest import PG_ADMIN_URL


def _bench_databases() -> set[str]:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'jianghu_bench_scale_%'"
        ).fetchall()
    return {r[0] for r in rows}


def test_bench_scale_measures_one_and_two_workers(tmp_path: Path, pg_database: str) -> None:
    before = _bench_databases()
    result = CliRunner().invoke(
        app,
        ["bench", "scale", "--messages", "2000", "--db", PG_ADMIN_URL, "--json",
         "--workdir", str(tmp_path)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    r = json.loads(result.stdout)
    assert r["messages"] == 2000 and r["records"] >= 2000
    for key in (
        "baseline_local_ingest_records_per_second",
        "dask_1_worker_records_per_second",
        "dask_2_workers_records_per_second",
        "driver_read_only_records_per_second",
        "worker_own_records_per_second",
    ):
        assert r[key] > 0, key
    assert 0 < r["worker_time_writing_share"] < 1
    speedup = r["dask_2_workers_records_per_second"] / r["dask_1_worker_records_per_second"]
    assert abs(r["speedup_2_vs_1_worker"] - speedup) < 0.02
    assert r["worker_peak_rss_mb"] > 50 and r["partitions"] == -(
        -r["records"] // r["partition_size"]
    )
    assert _bench_databases() == before
