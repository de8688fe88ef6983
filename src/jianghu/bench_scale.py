"""`jianghu bench scale`: ingest throughput through a Dask cluster of 1 and 2 worker
processes into PostgreSQL, against the single-machine ingest into PostgreSQL measured in
the same run, and what that says about N machines.

Every run ingests the same demo export into a fresh database of its own on the server at
``admin_url`` (dropped afterwards). The driver's reading alone is timed too: one driver
reads for the whole cluster, so its rate caps what more workers can add.
"""

from __future__ import annotations

import resource
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from jianghu.bench import _bench_folder
from jianghu.bench_pgsearch import database_url
from jianghu.ingest import BATCH_SIZE, read_batches


def _rusage_self() -> tuple[float, float]:
    """(CPU seconds, peak RSS in MB) of the calling process."""
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime, use.ru_maxrss / 1024


@contextmanager
def _fresh_database(admin_url: str, label: str) -> Iterator[str]:
    import psycopg

    name = f"jianghu_bench_scale_{label}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url(admin_url, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _read_only(export: Path) -> tuple[int, float]:
    """Records the driver reads, and the seconds reading alone takes."""
    start = time.perf_counter()
    records = 0
    for event in read_batches(export, {}, BATCH_SIZE):
        if event[0] == "batch":
            records += len(event[1])
    return records, time.perf_counter() - start


def _local_run(export: Path, url: str) -> dict[str, Any]:
    from jianghu.ingest import ingest
    from jianghu.store import open_store

    with open_store(url) as store:
        start = time.perf_counter()
        report = ingest(store, [export])
        wall = time.perf_counter() - start
    return {"wall": wall, "report": report.to_json()}


def _dask_run(export: Path, url: str, workers: int) -> dict[str, Any]:
    from jianghu.scale.cluster import dask_client
    from jianghu.scale.ingest_dask import DaskIngest
    from jianghu.store import open_store

    with dask_client(None, workers) as client, open_store(url) as store:
        cpu0, _ = _rusage_self()
        start = time.perf_counter()
        run = DaskIngest(store, url, client)
        report = run.run([export], {})
        wall = time.perf_counter() - start
        cpu1, driver_peak = _rusage_self()
        worker_peaks = client.run(lambda: _rusage_self()[1])
    return {
        "wall": wall,
        "report": report.to_json(),
        "analysis_seconds": sum(r.analysis_seconds for r in run.results),
        "write_seconds": sum(r.write_seconds for r in run.results),
        "partitions": len(run.results),
        "retried_conflicts": sum(r.attempts - 1 for r in run.results),
        "driver_cpu_seconds": cpu1 - cpu0,
        "driver_peak_rss_mb": driver_peak,
        "worker_peak_rss_mb": max(worker_peaks.values()),
    }


def run_scale_bench(
    messages: int,
    admin_url: str,
    workdir: Path | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    from jianghu.demo import write_demo_export

    with _bench_folder(workdir) as folder:
        export = folder / "result.json"
        log(f"generating {messages} messages …")
        summary = write_demo_export(export, messages=messages, seed=7)
        log("driver: reading alone …")
        records, read_seconds = _read_only(export)
        log("baseline: single-machine ingest into PostgreSQL (this process and a pool) …")
        with _fresh_database(admin_url, "local") as url:
            local = _local_run(export, url)
        runs: dict[int, dict[str, Any]] = {}
        for workers in (1, 2):
            log(f"Dask ingest with {workers} worker process(es) …")
            with _fresh_database(admin_url, f"dask{workers}") as url:
                runs[workers] = _dask_run(export, url, workers)
    if any(r["report"]["new"] != local["report"]["new"] for r in runs.values()):
        raise AssertionError("the Dask runs stored other messages than the baseline")
    rate = {w: records / r["wall"] for w, r in runs.items()}
    base_rate = records / local["wall"]
    one = runs[1]
    # A worker's own rate: what it does per second of its own time, without waiting.
    worker_rate = records / (one["analysis_seconds"] + one["write_seconds"])
    write_share = one["write_seconds"] / (one["analysis_seconds"] + one["write_seconds"])
    read_rate = records / read_seconds
    # The driver reads, ships and books every partition: its CPU per record caps a cluster.
    driver_rate = records / runs[2]["driver_cpu_seconds"]
    return {
        "messages": summary.messages,
        "records": records,
        "mean_text_length": round(summary.mean_text_length, 1),
        "partition_size": BATCH_SIZE,
        "driver_read_only_records_per_second": round(read_rate),
        "baseline_local_ingest_records_per_second": round(base_rate),
        "dask_1_worker_records_per_second": round(rate[1]),
        "dask_2_workers_records_per_second": round(rate[2]),
        "dask_1_worker_vs_baseline": round(rate[1] / base_rate, 2),
        "dask_2_workers_vs_baseline": round(rate[2] / base_rate, 2),
        "speedup_2_vs_1_worker": round(rate[2] / rate[1], 2),
        "worker_own_records_per_second": round(worker_rate),
        "worker_time_writing_share": round(write_share, 3),
        "driver_cpu_seconds_2_workers": round(runs[2]["driver_cpu_seconds"], 1),
        "driver_cores_busy_2_workers": round(runs[2]["driver_cpu_seconds"] / runs[2]["wall"], 2),
        "driver_peak_rss_mb": round(max(r["driver_peak_rss_mb"] for r in runs.values()), 1),
        "worker_peak_rss_mb": round(max(r["worker_peak_rss_mb"] for r in runs.values()), 1),
        "partitions": one["partitions"],
        "conflicts_retried_2_workers": runs[2]["retried_conflicts"],
        "driver_records_per_cpu_second": round(driver_rate),
        # N machines of C cores, one worker a core: workers add their own rate until the
        # one driver caps it (several drivers on disjoint sources lift that).
        "workers_one_driver_can_feed": round(driver_rate / worker_rate, 1),
    }
