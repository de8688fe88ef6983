"""``jianghu bench search``: PostgreSQL search latency and index size at growing sizes,
and what they become at 100,000,000 messages.

For each size N the demo corpus of N messages is generated and ingested into a fresh
database of its own (``jianghu_bench_N``; loaded without the two GIN indexes, which are
built afterwards, as PostgreSQL advises for bulk loads), vacuumed and analysed; then the
fixed mix of 100 queries of ``jianghu bench serve`` runs through ``Store.search`` (one
warm-up pass, then timed passes), and the search indexes, the messages table and the
database are measured. The baseline, in the same run and on the same export, is the
SQLite store answering the same mix. Sizes grow linearly with N (fitted by least
squares); latency is fitted as a power law on log-log axes; both are extrapolated with
their assumptions written into the result. The load average is recorded around each
measurement, so a run disturbed by other work on the machine can be recognised.
"""

from __future__ import annotations

import math
import os
import shutil
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from jianghu.bench import _bench_folder
from jianghu.bench_serve import _handles, _percentile, query_class, query_mix
from jianghu.errors import ConfigError

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_SIZES = (200_000, 1_000_000, 2_000_000)
TARGET_MESSAGES = 100_000_000
# What one demo message costs on disk before a size has been measured: the export is
# 929 MiB per million (BENCHMARKS.md), the SQLite store 2.9 GB; the PostgreSQL figure is
# a deliberately high guess. After the first size, the measured figure replaces it.
EXPORT_BYTES = 1_000
SQLITE_BYTES = 3_000
PRIOR_PG_BYTES = 8_000
DISK_MARGIN = 1.3  # the estimate is a straight line through a few points
DISK_RESERVE = 2 << 30  # never leave the machine with less than this free
INSERT_MESSAGES = 20_000  # new messages ingested to time each index's insert cost
# The indexes a query of the mix can read: the two GIN indexes, the category filter's
# index, the date filter's, and the primary key that the hits are fetched by.
SEARCH_INDEXES = ("messages_search_uni", "messages_search_bi")
FILTER_INDEXES = ("message_categories_category", "messages_posted_at", "messages_pkey")
SETTINGS = (
    "server_version", "shared_buffers", "work_mem", "effective_cache_size",
    "maintenance_work_mem", "gin_pending_list_limit", "random_page_cost", "jit",
)  # fmt: skip

Log = Callable[[str], None]


def database_url(admin_url: str, name: str) -> str:
    """``admin_url`` with its database replaced by ``name`` (credentials, options kept)."""
    parts = urlsplit(admin_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def load_average() -> list[float]:
    """The 1-, 5- and 15-minute load averages of the machine (all processes, not ours)."""
    return [round(x, 2) for x in os.getloadavg()]


def disk_needed(messages: int, pg_bytes_per_message: float, sqlite_baseline: bool) -> int:
    per_message = EXPORT_BYTES + pg_bytes_per_message + (SQLITE_BYTES if sqlite_baseline else 0)
    return int(messages * per_message * DISK_MARGIN) + DISK_RESERVE


def check_disk(messages: int, needed: int, free: int) -> None:
    if needed > free:
        raise ConfigError(
            f"--sizes {messages}: needs about {needed / 2**30:.1f} GiB of disk (export, "
            f"databases, {DISK_RESERVE >> 30} GiB reserve), only {free / 2**30:.1f} GiB free; "
            "choose smaller sizes or free some disk"
        )


def _admin(admin_url: str) -> Any:
    from jianghu.store.postgres import _connect  # the store's connection, errors and all

    return _connect(admin_url)


def _free_bytes(admin: Any, admin_url: str, folder: Path) -> int:
    """Free disk where the export goes and, when the server runs on this machine and says
    where its data lives, there too (the smaller; a remote server's disk is not seen)."""
    free = shutil.disk_usage(folder).free
    if (urlsplit(admin_url).hostname or "localhost") in ("localhost", "127.0.0.1", "::1"):
        try:
            (data_dir,) = admin.execute("SHOW data_directory").fetchone()
            free = min(free, shutil.disk_usage(data_dir).free)
        except Exception:  # not allowed to read it, or not visible from here
            pass
    return free


class _IngestLog:
    """The ingest ``Progress`` seam, as a line on stderr every tenth of the file."""

    def __init__(self, log: Log, label: str) -> None:
        self.log, self.label = log, label
        self.size, self.next_tenth, self.start = 1, 1, time.perf_counter()

    def start_file(self, path: Path, size: int) -> None:
        self.size, self.next_tenth, self.start = max(size, 1), 1, time.perf_counter()

    def advance(self, offset: int) -> None:
        if offset * 10 >= self.next_tenth * self.size:
            self.next_tenth = offset * 10 // self.size + 1
            spent = time.perf_counter() - self.start
            self.log(f"  {self.label}: {100 * offset // self.size}% in {spent:.0f} s")

    def end_file(self) -> None:
        pass


def _ingest(url: str, export: Path, log: Log, label: str, bulk: bool = False) -> float:
    """Seconds to ingest ``export``. ``bulk`` (PostgreSQL): without the two search
    indexes, built afterwards (with the method they had), as PostgreSQL advises for
    loading a large table; the time includes building them."""
    from jianghu.ingest import ingest
    from jianghu.store import open_store

    start = time.perf_counter()
    with open_store(url) as store:
        method = _method_of(url) if bulk else ""
        if bulk:
            for name in SEARCH_INDEXES:
                store._execute(f"DROP INDEX {name}")
        ingest(store, [export], progress=_IngestLog(log, label))
    if bulk:
        log(f"  {label}: building the search indexes …")
        _switch(url, method)
    return time.perf_counter() - start


def _method_of(url: str) -> str:
    from jianghu.store.postgres import _connect
    from jianghu.store.postgres_index import index_method

    conn = _connect(url)
    try:
        return index_method(conn)
    finally:
        conn.close()


def insert_export(path: Path, messages: int, seed: int) -> Path:
    """A demo export whose chats are new to a store holding the seed-7 corpus: every chat
    id is shifted, so ingesting it inserts (rather than re-versions) its messages."""
    import re

    from jianghu.demo import drama, write_demo_export
    from jianghu.demo.cast import CHATS

    write_demo_export(path, messages=messages, seed=seed)
    shift = seed * 10**10
    ids = {str(spec.id): str(spec.id + shift) for spec in (*CHATS, drama.SPEC) if spec.id}
    pattern = re.compile(rb"(?<!\d)(" + b"|".join(i.encode() for i in ids) + rb")(?!\d)")
    data = pattern.sub(lambda m: ids[m.group(1).decode()].encode(), path.read_bytes())
    path.write_bytes(data)
    return path


def _timed_insert(url: str, export: Path) -> dict[str, Any]:
    """Ingest ``export`` into the store with its search indexes in place (as day-to-day
    ingest does), timed."""
    from jianghu.ingest import ingest
    from jianghu.store import open_store

    start = time.perf_counter()
    with open_store(url) as store:
        report = ingest(store, [export])
    seconds = time.perf_counter() - start
    return {
        "read": report.read,
        "new": report.counts.new,
        "seconds": round(seconds, 1),
        "messages_per_second": round(report.read / seconds),
    }


def _time_mix(url: str, mix: list[dict[str, str]], passes: int) -> dict[str, Any]:
    """One warm-up pass over the mix, then ``passes`` timed ones, on one connection (as
    the web server holds one)."""
    from jianghu.analysis.search_terms import parse_query
    from jianghu.faces.cli_common import parse_when
    from jianghu.store import open_store
    from jianghu.store.base import SearchFilters

    queries = [
        (
            parse_query(p["q"]),
            SearchFilters(
                category=p.get("category"),
                since=parse_when(p.get("since"), "since"),
                until=parse_when(p.get("until"), "until", end_of_day=True),
                limit=21,  # what the API asks for: a page of 20 and whether there is more
            ),
        )
        for p in mix
    ]
    ms: list[float] = []
    by_query: list[list[float]] = [[] for _ in mix]
    hits = 0
    with open_store(url) as store:
        for round_no in range(passes + 1):
            for index, (clauses, filters) in enumerate(queries):
                start = time.perf_counter()
                found = store.search(clauses, filters)
                spent = (time.perf_counter() - start) * 1000
                if round_no:
                    ms.append(spent)
                    by_query[index].append(spent)
                    hits += len(found)
    by_kind: dict[str, list[float]] = {}
    for index, times in enumerate(by_query):
        by_kind.setdefault(query_class(index), []).extend(times)
    slowest = sorted(range(len(mix)), key=lambda i: -max(by_query[i]))[:5]
    return {
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(_percentile(ms, 95), 1),
        "max_ms": round(max(ms), 1),
        "timed_queries": len(ms),
        "hits_per_query": round(hits / len(ms), 1),
        "p95_ms_by_query_kind": {k: round(_percentile(v, 95), 1) for k, v in by_kind.items()},
        "slowest": [{**mix[i], "max_ms": round(max(by_query[i]), 1)} for i in slowest],
    }


def _relation_sizes(url: str) -> dict[str, int]:
    from jianghu.store.postgres import _connect

    conn = _connect(url)
    try:
        sizes = {
            name: int(conn.execute("SELECT pg_relation_size(%s::regclass)", (name,)).fetchone()[0])
            for name in (*SEARCH_INDEXES, *FILTER_INDEXES, "messages")
        }
        (table, total, database) = conn.execute(
            "SELECT pg_table_size('messages'), pg_total_relation_size('messages'), "
            "pg_database_size(current_database())"
        ).fetchone()
    finally:
        conn.close()
    sizes["messages_toast"] = int(table) - sizes["messages"]
    sizes["messages_with_indexes"] = int(total)
    sizes["database"] = int(database)
    return sizes


def _vacuum_analyze(url: str) -> None:
    from jianghu.store.postgres import _connect

    conn = _connect(url)
    try:
        conn.execute("VACUUM ANALYZE")  # autocommit: VACUUM cannot run in a transaction
    finally:
        conn.close()


# ---- the run -------------------------------------------------------------------------
def _measure_size(
    admin: Any,
    admin_url: str,
    messages: int,
    folder: Path,
    mix_of: Callable[[str], list[dict[str, str]]],
    passes: int,
    sqlite_baseline: bool,
    log: Log,
    rum: bool = False,
) -> dict[str, Any]:
    from jianghu.demo import write_demo_export

    name = f"jianghu_bench_{messages}"
    url = database_url(admin_url, name)
    export = folder / f"search-{messages}.json"
    log(f"{messages:,} messages: generating the demo export …")
    start = time.perf_counter()
    summary = write_demo_export(export, messages=messages, seed=7)
    generated = time.perf_counter() - start
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # a crashed run's
    admin.execute(f'CREATE DATABASE "{name}"')
    log(f"{messages:,} messages: ingesting into PostgreSQL database {name} …")
    ingested = _ingest(url, export, log, "PostgreSQL", bulk=True)
    log(f"{messages:,} messages: VACUUM ANALYZE …")
    _vacuum_analyze(url)
    sqlite_db = folder / f"search-{messages}.db"
    sqlite_ingested = 0.0
    if sqlite_baseline:
        log(f"{messages:,} messages: ingesting the same export into SQLite (baseline) …")
        sqlite_ingested = _ingest(f"sqlite:///{sqlite_db}", export, log, "SQLite")
    export.unlink()
    mix = mix_of(url)
    log(f"{messages:,} messages: timing the query mix on PostgreSQL …")
    load_before = load_average()
    timed = _time_mix(url, mix, passes)
    load_after = load_average()
    row: dict[str, Any] = {
        "messages": summary.messages,
        "generate_seconds": round(generated, 1),
        "ingest_seconds": round(ingested, 1),
        "ingest_messages_per_second": round(summary.messages / ingested),
        **timed,
        "loadavg_before": load_before,
        "loadavg_after": load_after,
        "bytes": _relation_sizes(url),
    }
    if sqlite_baseline:
        log(f"{messages:,} messages: timing the query mix on SQLite (baseline) …")
        base = _time_mix(f"sqlite:///{sqlite_db}", mix, passes)
        row["sqlite_baseline"] = {
            "ingest_seconds": round(sqlite_ingested, 1),
            **{k: base[k] for k in ("p50_ms", "p95_ms", "max_ms", "p95_ms_by_query_kind")},
            "store_bytes": sum(p.stat().st_size for p in folder.glob(f"{sqlite_db.name}*")),
            "loadavg_after": load_average(),
        }
        for leftover in folder.glob(f"{sqlite_db.name}*"):
            leftover.unlink()
    log(
        f"{messages:,} messages: p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, "
        f"database {row['bytes']['database'] / 2**20:,.0f} MiB, load {load_after}"
    )
    if rum:
        row.update(_measure_rum(url, messages, folder, mix, passes, log))
    return row


def _switch(url: str, method: str) -> float:
    from jianghu.store.postgres import _connect
    from jianghu.store.postgres_index import switch_search_indexes

    conn = _connect(url)
    try:
        start = time.perf_counter()
        switch_search_indexes(conn, method)
        return time.perf_counter() - start
    finally:
        conn.close()


def _measure_rum(
    url: str, messages: int, folder: Path, mix: list[dict[str, str]], passes: int, log: Log
) -> dict[str, Any]:
    """The same store with RUM search indexes instead of GIN: build time, the mix, index
    sizes; then what each index costs day-to-day ingest, inserting new demo chats with
    RUM and then (rebuilt) with GIN, so the search timings of both see the same rows."""
    log(f"{messages:,} messages: rebuilding the search indexes with RUM …")
    built = _switch(url, "rum")
    log(f"{messages:,} messages: timing the query mix with RUM …")
    load_before = load_average()
    timed = _time_mix(url, mix, passes)
    load_after = load_average()
    sizes = _relation_sizes(url)
    inserts = max(1_000, min(INSERT_MESSAGES, messages // 20))
    log(f"{messages:,} messages: inserting {inserts:,} new messages with RUM, then GIN …")
    with_rum = _timed_insert(url, insert_export(folder / "insert-8.json", inserts, 8))
    rebuilt = _switch(url, "gin")
    with_gin = _timed_insert(url, insert_export(folder / "insert-9.json", inserts, 9))
    for leftover in folder.glob("insert-*.json"):
        leftover.unlink()
    log(
        f"{messages:,} messages with RUM: p50 {timed['p50_ms']} ms, p95 {timed['p95_ms']} ms; "
        f"inserts {with_rum['messages_per_second']:,}/s (GIN {with_gin['messages_per_second']:,}/s)"
    )
    return {
        "rum": {
            "build_seconds": round(built, 1),
            **timed,
            "loadavg_before": load_before,
            "loadavg_after": load_after,
            "bytes": sizes,
            "insert": with_rum,
        },
        "gin_rebuild_seconds": round(rebuilt, 1),
        "gin_insert": with_gin,
    }


def run_pgsearch_bench(
    admin_url: str = DEFAULT_ADMIN_URL,
    sizes: Sequence[int] = DEFAULT_SIZES,
    keep: bool = False,
    progress: Log = print,
    *,
    passes: int = 3,
    sqlite_baseline: bool = True,
    workdir: Path | None = None,
    free_disk_bytes: int | None = None,
    rum: bool = True,
) -> dict[str, Any]:
    """Measure search at each size (smallest first) and extrapolate; see the module
    docstring. ``admin_url`` names a database to connect to for CREATE/DROP DATABASE.
    ``free_disk_bytes`` stands in for the free disk the machine reports (tests).
    ``rum``: also measure each size with RUM search indexes, when the server has the
    extension (the result says why not otherwise)."""
    ordered = sorted(set(sizes))
    if not ordered or ordered[0] < 1000:
        raise ConfigError(f"--sizes {sizes}: give message counts of at least 1000")
    admin = _admin(admin_url)
    created: list[str] = []
    handles: list[str] = []
    rows: list[dict[str, Any]] = []

    def mix_of(url: str) -> list[dict[str, str]]:
        # The handles of the first (smallest) store, kept for every size: one fixed mix.
        if not handles:
            handles.extend(_handles(url))
        return query_mix(handles)

    rum_available = bool(
        admin.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'").fetchone()
    )
    use_rum = rum and rum_available
    try:
        settings = {
            s: str(admin.execute(f"SHOW {s}").fetchone()[0]) for s in SETTINGS
        }  # names from the constant above, not from input
        with _bench_folder(workdir) as folder:
            for messages in ordered:
                per_message = (
                    max(r["bytes"]["database"] for r in (rows[-1], rows[-1].get("rum", {})) if r)
                    / rows[-1]["messages"]
                    if rows
                    else PRIOR_PG_BYTES
                )
                needed = disk_needed(messages, per_message, sqlite_baseline)
                free = (
                    _free_bytes(admin, admin_url, folder)
                    if free_disk_bytes is None
                    else free_disk_bytes
                )
                check_disk(messages, needed, free)
                created.append(f"jianghu_bench_{messages}")
                row = _measure_size(
                    admin,
                    admin_url,
                    messages,
                    folder,
                    mix_of,
                    passes,
                    sqlite_baseline,
                    progress,
                    use_rum,
                )
                rows.append({**row, "disk_free_bytes": free, "disk_estimate_bytes": needed})
    finally:
        if not keep:
            for name in created:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
    parts = urlsplit(admin_url)
    return {
        "server": f"{parts.hostname}:{parts.port or 5432}",
        "settings": settings,
        "cores": os.cpu_count(),
        "queries": len(query_mix(handles)),
        "timed_passes": passes,
        "mix": query_mix(handles),
        "sizes": rows,
        **extrapolate(rows, TARGET_MESSAGES),
        "rum": _rum_summary(rows, rum, rum_available),
        "databases_kept": created if keep else [],
    }


def _rum_summary(rows: Sequence[dict[str, Any]], asked: bool, available: bool) -> dict[str, Any]:
    """The RUM measurements' growth curve, fitted and extrapolated as GIN's is."""
    if not asked:
        return {"measured": False, "why": "not asked for (--no-rum)"}
    if not available:
        return {
            "measured": False,
            "why": "the server has no rum extension (Debian: apt install postgresql-15-rum)",
        }
    as_rows = [
        {"messages": r["messages"], **{k: r["rum"][k] for k in ("p50_ms", "p95_ms", "bytes")}}
        for r in rows
    ]
    return {"measured": True, **extrapolate(as_rows, TARGET_MESSAGES)}


# ---- growth curve --------------------------------------------------------------------
def fit_line(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """Least squares ``y = a + b x``: (a, b)."""
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    return my - b * mx, b


def fit_power(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """Least squares on log-log axes, ``y = c x^k``: (c, k)."""
    a, k = fit_line([math.log(x) for x in xs], [math.log(y) for y in ys])
    return math.exp(a), k


def _worst_residual(ys: Sequence[float], fitted: Sequence[float]) -> float:
    """How far the fit strays from a measured point, relative to it, at worst."""
    return max(abs(f - y) / y for y, f in zip(ys, fitted, strict=True))


ASSUMPTIONS = (
    "the same message mix as the demo corpus (about 107 characters a message, its "
    "vocabulary and its share of common terms), so bytes per message stay constant",
    "one PostgreSQL server, no partitioning, the same settings and the same 100-query mix",
    "latency follows the power law fitted on the measured sizes, which holds only while "
    "the indexes a query reads stay in memory (RAM below); past that, reads go to disk",
    "disk: the database plus half again for rebuilding the largest index "
    "(REINDEX CONCURRENTLY), VACUUM and WAL; backups not included",
)


def extrapolate(rows: Sequence[dict[str, Any]], target: int) -> dict[str, Any]:
    """Sizes as straight lines, p50/p95 as power laws, each evaluated at ``target``."""
    if len(rows) < 2:
        return {"fit": None, "extrapolated": None}
    ns = [float(r["messages"]) for r in rows]
    fit: dict[str, Any] = {}
    at_target: dict[str, Any] = {"messages": target}
    hot = (*SEARCH_INDEXES, *FILTER_INDEXES)
    series = {
        **{name: [float(r["bytes"][name]) for r in rows] for name in (*hot, "messages")},
        "search_indexes": [float(sum(r["bytes"][n] for n in SEARCH_INDEXES)) for r in rows],
        "hot_indexes": [float(sum(r["bytes"][n] for n in hot)) for r in rows],
        "database": [float(r["bytes"]["database"]) for r in rows],
    }
    for name, ys in series.items():
        a, b = fit_line(ns, ys)
        fit[f"{name}_bytes"] = {
            "intercept": round(a),
            "bytes_per_message": round(b, 1),
            "worst_relative_residual": round(_worst_residual(ys, [a + b * x for x in ns]), 3),
        }
        at_target[f"{name}_bytes"] = round(a + b * target)
    for key in ("p50_ms", "p95_ms"):
        ys = [max(float(r[key]), 0.01) for r in rows]
        c, k = fit_power(ns, ys)
        fit[key] = {
            "coefficient": c,
            "exponent": k,  # unrounded, so that the extrapolation can be recomputed
            "worst_relative_residual": round(_worst_residual(ys, [c * x**k for x in ns]), 3),
        }
        at_target[key] = round(c * target**k, 1)
    at_target["ram_for_hot_indexes_bytes"] = at_target["hot_indexes_bytes"]
    at_target["disk_bytes"] = round(at_target["database_bytes"] * 1.5)
    return {"fit": fit, "extrapolated": at_target, "assumptions": list(ASSUMPTIONS)}
