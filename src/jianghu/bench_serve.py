"""``jianghu bench serve``: search latency through the HTTP API, over a fixed mix of 100
queries, against the same queries run on the store directly (the baseline: what the
API layer costs on top of the search itself).

The server is the real one (uvicorn on a free loopback port, in this process's
background thread) and the client talks HTTP to it, so the figure is what an analyst's
browser waits for, minus the network.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ONE = ["料", "卡", "号", "U", "码", "群", "担", "出", "收", "骗"]
TWO = ["跑分", "接码", "开户", "担保", "曝光", "实名", "免杀", "菠菜", "信用", "叶子"]
FOUR = ["一手料子", "信用卡料", "社工库查", "对公账户", "手机号码", "实名认证", "放心交易",
        "量大优惠", "长期收购", "海外接码"]  # fmt: skip
LATIN = ["CVV", "USDT", "fullz", "tdata", "TRC20", "dump", "KYC", "frp", "beacon", "sgk"]
CATEGORIES = ["card_fraud", "data_leak", "money_laundering", "sim_sms", "account_trade"]


CLASSES = ("one_char", "two_chars", "four_chars", "latin_word", "handle")


def query_class(index: int) -> str:
    """The kind of query at ``index`` of the mix (and whether it is filtered)."""
    kind = CLASSES[(index % 50) // 10]
    return kind if index < 50 else f"{kind}+filter"


def query_mix(handles: list[str]) -> list[dict[str, str]]:
    """100 queries: 10 one-character, 10 two-character, 10 four-character Chinese terms,
    10 Latin words and 10 handles from the store, then the same 50 again with a category
    or a date filter."""
    plain = [{"q": q} for q in [*ONE, *TWO, *FOUR, *LATIN]]
    plain += [{"q": f"@{h}"} for h in (handles + LATIN)[:10]]
    filtered = []
    for i, params in enumerate(plain):
        extra = (
            {"category": CATEGORIES[i % len(CATEGORIES)]}
            if i % 2 == 0
            else {"since": "2026-04-01", "until": "2026-05-15"}
        )
        filtered.append({**params, **extra})
    return plain + filtered


def _direct(db: str, mix: list[dict[str, str]]) -> list[float]:
    from jianghu.analysis.search_terms import parse_query
    from jianghu.faces.cli_common import parse_when
    from jianghu.store import open_store
    from jianghu.store.base import SearchFilters

    out = []
    with open_store(db) as store:
        for params in mix:
            filters = SearchFilters(
                category=params.get("category"),
                since=parse_when(params.get("since"), "since"),
                until=parse_when(params.get("until"), "until", end_of_day=True),
                limit=21,
            )
            start = time.perf_counter()
            store.search(parse_query(params["q"]), filters)
            out.append(time.perf_counter() - start)
    return out


def _handles(db: str) -> list[str]:
    from jianghu.store import open_store

    with open_store(db) as store:
        return [e.normalized for e in store.top_entities("telegram_handle", limit=10)]


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run_serve_bench(
    db: str, messages: int | None, passes: int = 3, log: Callable[[str], None] = print
) -> dict[str, Any]:
    """Time the query mix through HTTP (after one warm-up pass) and on the store."""
    import httpx

    mix = query_mix(_handles(db))
    from jianghu.web.server import serve_in_thread

    server, base_url = serve_in_thread(db)
    log(f"serving {db} on {base_url} …")
    timings: list[float] = []
    by_class: dict[str, list[float]] = {}
    hits = 0
    try:
        with httpx.Client(base_url=base_url, timeout=60) as client:
            for round_no in range(passes + 1):
                for index, params in enumerate(mix):
                    start = time.perf_counter()
                    r = client.get("/api/v1/search", params={**params, "limit": "20"})
                    spent = time.perf_counter() - start
                    r.raise_for_status()
                    if round_no:  # the first pass warms the caches
                        timings.append(spent)
                        by_class.setdefault(query_class(index), []).append(spent * 1000)
                        hits += len(r.json()["items"])
    finally:
        server.should_exit = True
    log("baseline: the same queries on the store directly …")
    _direct(db, mix)  # warm
    direct = [t for _ in range(passes) for t in _direct(db, mix)]
    ms = [t * 1000 for t in timings]
    base = [t * 1000 for t in direct]
    return {
        "store": db if "@" not in db else db.split("@")[-1],
        "messages": messages,
        "queries": len(mix),
        "timed_requests": len(ms),
        "hits_per_query": round(hits / len(ms), 1),
        "http_p50_ms": round(statistics.median(ms), 1),
        "http_p95_ms": round(_percentile(ms, 95), 1),
        "http_max_ms": round(max(ms), 1),
        "baseline_store_p50_ms": round(statistics.median(base), 1),
        "baseline_store_p95_ms": round(_percentile(base, 95), 1),
        "http_p95_vs_store_p95": round(_percentile(ms, 95) / _percentile(base, 95), 2),
        "target_p95_ms": 100,
        "http_p95_ms_by_query_kind": {
            kind: round(_percentile(values, 95), 1) for kind, values in by_class.items()
        },
    }


def prepare_store(folder: Path, messages: int, log: Callable[[str], None]) -> str:
    """A demo store of ``messages`` messages in ``folder`` (reused when it is there)."""
    from jianghu.demo import write_demo_export
    from jianghu.ingest import ingest
    from jianghu.store import open_store

    db_path = folder / f"serve-{messages}.db"
    db = f"sqlite:///{db_path}"
    if db_path.exists():
        with open_store(db) as store:
            if store.summary().messages >= messages * 0.9:
                return db
        for leftover in folder.glob(f"serve-{messages}.db*"):
            leftover.unlink()
    export = folder / f"serve-{messages}.json"
    log(f"generating and ingesting {messages} demo messages …")
    write_demo_export(export, messages=messages, seed=7)
    with open_store(db) as store:
        ingest(store, [export])
    export.unlink()
    return db
