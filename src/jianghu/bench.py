"""``jianghu bench``: throughput and memory, with a baseline measured in the same run.

Each measured step runs in a fresh child process so that its peak RSS and CPU time are
its own. The baseline for ingest is the time plain ``orjson`` needs to parse the same
file (after the same ``\\xNN`` repair), i.e. the floor of any reader of that file.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import resource
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def _bench_folder(workdir: Path | None) -> Iterator[Path]:
    """The folder a benchmark writes its export and store to: ``workdir`` (kept), or a
    temporary one removed afterwards."""
    if workdir is not None:
        workdir.mkdir(parents=True, exist_ok=True)
        yield workdir
        return
    folder = Path(tempfile.mkdtemp(prefix="jianghu-bench-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _child(fn_name: str, args: tuple[Any, ...], queue: Any) -> None:
    fn = globals()[fn_name]
    start_wall = time.perf_counter()
    start = resource.getrusage(resource.RUSAGE_SELF)
    value = fn(*args)
    end = resource.getrusage(resource.RUSAGE_SELF)
    # Ingest analyses in worker processes: their memory and CPU count too.
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter() - start_wall
    cpu = (end.ru_utime - start.ru_utime) + (end.ru_stime - start.ru_stime)
    cpu += kids.ru_utime + kids.ru_stime
    queue.put(
        {
            "value": value,
            "wall": wall,
            "cpu": cpu,
            "peak_rss_mb": end.ru_maxrss / 1024,
            "child_peak_rss_mb": kids.ru_maxrss / 1024,
        }
    )


def _measure(fn_name: str, *args: Any) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(fn_name, args, queue))
    proc.start()
    result: dict[str, Any] = queue.get()
    proc.join()
    return result


def _parse_with_orjson(path: str) -> int:
    import orjson

    from jianghu.sources.json_stream import repair_xnn

    doc = orjson.loads(repair_xnn(Path(path).read_bytes()))
    return sum(len(c.get("messages", [])) for c in doc["chats"]["list"] + doc["left_chats"]["list"])


def _ingest_into(path: str, db: str) -> dict[str, Any]:
    from jianghu.ingest import ingest
    from jianghu.store import open_store

    with open_store(db) as store:
        report = ingest(store, [Path(path)])
    return report.to_json()


def _ingest_watching(path: str, db: str, watchlist: str) -> dict[str, Any]:
    from jianghu.ingest import ingest
    from jianghu.intel.alerts import after_batch_scanner
    from jianghu.intel.watchlist import load_watchlist
    from jianghu.store import open_store

    with open_store(db) as store:
        hook, raised = after_batch_scanner(store, load_watchlist(Path(watchlist)))
        report = ingest(store, [Path(path)], after_batch=hook)
    return {**report.to_json(), "alerts": raised.to_json()}


def write_bench_watchlist(path: Path, rules: int) -> None:
    """``rules`` rules of every kind, in the proportions an organisation might keep
    (terms and BINs most), some of them matching the demo corpus, one regex per kind of
    identifier an organisation tracks."""
    import random

    from jianghu.intel.watchlist import Rule

    rng = random.Random(20261130)
    hot = ["四件套", "CVV", "社工库", "跑分", "接码", "免杀", "担保", "查档", "对公账户", "飞机号"]
    kinds = (
        ["term"] * 6
        + ["brand"] * 3
        + ["bin"] * 4
        + ["domain"] * 3
        + ["handle"] * 2
        + ["wallet", "phone", "regex"]
    )
    out = []
    for i in range(rules):
        kind = kinds[i % len(kinds)]
        if kind == "term":
            value = rng.choice(hot) if i % 12 == 0 else f"内部项目{i:04d}"
        elif kind == "brand":
            value = f"示例银行{i:03d}"
        elif kind == "bin":
            value = f"{rng.randint(400000, 699999)}"
        elif kind == "domain":
            value = f"corp{i:03d}.example.com"
        elif kind == "handle":
            value = f"@corp_staff_{i:03d}"
        elif kind == "wallet":
            value = "T" + "".join(
                rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz123456789")
                for _ in range(33)
            )
        elif kind == "phone":
            value = f"+86 139 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
        else:
            value = f"EMP-{i:03d}[0-9]{{4}}"
        out.append(Rule(f"rule-{i:03d}-{kind}", kind, (value,), "medium").to_toml())
    path.write_text("\n".join(out), encoding="utf-8")


def _search_some(db: str) -> int:
    from jianghu.analysis.search_terms import parse_query
    from jianghu.store import open_store
    from jianghu.store.base import SearchFilters

    found = 0
    with open_store(db) as store:
        for query in ("料", "四件套", "CVV", "查詢", "担保 押金", "TRC20"):
            found += len(store.search(parse_query(query), SearchFilters(limit=100)))
    return found


def _analysis_cost(export: Path, sample: int = 5000) -> float:
    """Microseconds per message of the pure analysis step on one core (warm)."""
    from jianghu.analysis.pipeline import findings
    from jianghu.sources.base import open_source

    messages = []
    for message in open_source(export).iter_messages():
        messages.append(message)
        if len(messages) >= sample:
            break
    findings(messages[:200])  # warm up: lazy tables, suffix lists
    start = time.perf_counter()
    findings(messages)
    return round((time.perf_counter() - start) / len(messages) * 1e6, 1)


def run_ingest_bench(
    messages: int,
    workdir: Path | None = None,
    log: Callable[[str], None] = print,
    watchlist_rules: int = 0,
) -> dict[str, Any]:
    from jianghu.demo import write_demo_export

    with _bench_folder(workdir) as folder:
        export = folder / "result.json"
        db_path = folder / "bench.db"
        for leftover in folder.glob("bench.db*"):
            leftover.unlink()
        log(f"generating {messages} messages …")
        t0 = time.perf_counter()
        summary = write_demo_export(export, messages=messages, seed=7)
        gen_seconds = time.perf_counter() - t0
        log("baseline: orjson parse of the whole file …")
        base = _measure("_parse_with_orjson", str(export))
        log("ingest into a fresh SQLite store …")
        ing = _measure("_ingest_into", str(export), f"sqlite:///{db_path}")
        log("search …")
        srch = _measure("_search_some", f"sqlite:///{db_path}")
        report = ing["value"]
        total = report["read"] + report["events"]
        log("analysis alone, in this process …")
        analysis_us = _analysis_cost(export)
        watching: dict[str, Any] = {}
        if watchlist_rules:
            rules_path = folder / "bench-watchlist.toml"
            write_bench_watchlist(rules_path, watchlist_rules)
            watched_db = folder / "bench-watch.db"
            for leftover in folder.glob("bench-watch.db*"):
                leftover.unlink()
            log(f"ingest again with {watchlist_rules} watchlist rules …")
            w = _measure(
                "_ingest_watching", str(export), f"sqlite:///{watched_db}", str(rules_path)
            )
            rate = total / w["wall"]
            watching = {
                "watchlist_rules": watchlist_rules,
                "ingest_with_watchlist_records_per_second": round(rate),
                "watchlist_throughput_drop": round(1 - rate / (total / ing["wall"]), 3),
                "watchlist_alerts": w["value"]["alerts"],
            }
        return {
            "messages": summary.messages,
            "service_messages": summary.service_messages,
            "mean_text_length": round(summary.mean_text_length, 1),
            "export_mb": round(summary.bytes_written / 2**20, 1),
            "generate_seconds": round(gen_seconds, 2),
            "orjson_parse_seconds": round(base["wall"], 2),
            "orjson_peak_rss_mb": round(base["peak_rss_mb"], 1),
            "ingest_seconds": round(ing["wall"], 2),
            "ingest_records_per_second": round(total / ing["wall"]),
            "ingest_cpu_seconds": round(ing["cpu"], 2),
            "ingest_cores_used": round(ing["cpu"] / ing["wall"], 2),
            "ingest_peak_rss_mb": round(ing["peak_rss_mb"], 1),
            "analysis_worker_peak_rss_mb": round(ing["child_peak_rss_mb"], 1),
            # An upper bound: the largest worker's peak counted once per worker.
            "ingest_peak_rss_all_processes_mb": round(
                ing["peak_rss_mb"] + (os.cpu_count() or 1) * ing["child_peak_rss_mb"], 1
            ),
            "ingest_vs_orjson_parse": round(ing["wall"] / base["wall"], 2),
            "analysis_us_per_message_one_core": analysis_us,
            "store_mb": round(db_path.stat().st_size / 2**20, 1),
            "search_6_queries_seconds": round(srch["wall"], 3),
            "new": report["new"],
            "rejected": report["rejected"],
            **watching,
        }


# ---- analyze ---------------------------------------------------------------------------


def _timed(fn: Callable[[], object]) -> float:
    # The steps' inputs (20,000 texts and their normalised forms) make a heap no ingest
    # worker has (it holds one batch): a full collection of it, about 15 µs a message,
    # landed in whichever step it fell in. Frozen, the collector skips what exists before
    # the step, so each step pays for the garbage it makes itself, as in a worker.
    gc.collect()
    gc.freeze()
    try:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start
    finally:
        gc.unfreeze()


def _batch_size() -> int:
    from jianghu.ingest import BATCH_SIZE  # what ingest hands to analysis at a time

    return BATCH_SIZE


def _analysis_steps(export: str, count: int) -> dict[str, Any]:
    """Seconds per step of the analysis over ``count`` messages, one core, warm."""
    from jianghu.analysis.classify.classifier import classify_inputs
    from jianghu.analysis.classify.features import FeatureInput, batch_features
    from jianghu.analysis.entities import extract_entities
    from jianghu.analysis.language import detect_language
    from jianghu.analysis.lexicon import load_lexicon
    from jianghu.analysis.normalize import normalize
    from jianghu.analysis.pipeline import analyse_texts, findings
    from jianghu.analysis.search_terms import search_doc
    from jianghu.sources.base import open_source

    messages = [m for m in open_source(Path(export)).iter_messages() if m.kind == "message"]
    messages = messages[:count]
    texts = [m.text for m in messages]
    lex = load_lexicon()
    findings(messages[:300])  # warm up: lazy tables, the model, suffix lists
    norms = [normalize(t) for t in texts]
    terms = [lex.match(n) for n in norms]
    ents = [tuple(extract_entities(t)) for t in texts]
    items = [FeatureInput(n.text, tuple(h), e) for n, h, e in zip(norms, terms, ents, strict=True)]
    # Batched as ingest batches them: the vectorised steps work on one batch at a time.
    size = _batch_size()
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    steps = {
        "normalize": _timed(lambda: [normalize(t) for t in texts]),
        "lexicon": _timed(lambda: [lex.match(n) for n in norms]),
        # The automaton's share of "lexicon", before edge tests, senses and hit objects.
        "lexicon_scan": _timed(lambda: [lex.scan(n.text) for n in norms]),
        "entities": _timed(lambda: [extract_entities(t) for t in texts]),
        "language": _timed(lambda: [detect_language(t) for t in texts]),
        "features": _timed(lambda: [batch_features(c) for c in chunks]),
        "model": _timed(lambda: [classify_inputs(c) for c in chunks]),
        "search_tokens": _timed(lambda: [search_doc(t) for t in texts]),
    }
    # The baseline: the cheapest thing that classifies at all, the lexicon alone.
    baseline = steps["normalize"] + steps["lexicon"]
    analyse_all = _timed(
        lambda: [analyse_texts(texts[i : i + size]) for i in range(0, len(texts), size)]
    )
    ingest_all = _timed(
        lambda: [findings(messages[i : i + size]) for i in range(0, len(messages), size)]
    )
    return {
        "messages": len(texts),
        "batch_size": size,
        "mean_text_length": round(sum(map(len, texts)) / max(len(texts), 1), 1),
        "steps_seconds": {k: round(v, 3) for k, v in steps.items()},
        "lexicon_only_seconds": round(baseline, 3),
        "analysis_seconds": round(analyse_all, 3),
        "with_search_tokens_seconds": round(ingest_all, 3),
    }


def _pool_throughput(export: str, count: int, workers: int) -> float:
    """Messages per second of the full analysis in ``workers`` processes."""
    from concurrent.futures import ProcessPoolExecutor

    from jianghu.analysis.pipeline import findings
    from jianghu.sources.base import open_source

    messages = [m for m in open_source(Path(export)).iter_messages() if m.kind == "message"]
    messages = messages[:count]
    size = _batch_size()
    batches = [messages[i : i + size] for i in range(0, len(messages), size)]
    with ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn")) as pool:
        list(pool.map(findings, [messages[:300]] * workers))  # start and warm every worker
        start = time.perf_counter()
        list(pool.map(findings, batches))
        return len(messages) / (time.perf_counter() - start)


def run_analyze_bench(
    messages: int, workdir: Path | None = None, log: Callable[[str], None] = print
) -> dict[str, Any]:
    from jianghu.demo import write_demo_export

    with _bench_folder(workdir) as folder:
        export = folder / "result.json"
        log(f"generating {messages} messages …")
        write_demo_export(export, messages=messages, seed=11)
        log("each analysis step on one core …")
        steps = _measure("_analysis_steps", str(export), messages)["value"]
        n = steps["messages"]
        log("the whole analysis in a pool of 2 processes …")
        pooled = _pool_throughput(str(export), messages, 2)
        per_step = {k: round(n / v) if v else None for k, v in steps["steps_seconds"].items()}
        return {
            "messages": n,
            "mean_text_length": steps["mean_text_length"],
            "batch_size": steps["batch_size"],
            "cpu_count": os.cpu_count(),
            "messages_per_second_one_core": {
                **per_step,
                "lexicon_only_baseline": round(n / steps["lexicon_only_seconds"]),
                "analysis": round(n / steps["analysis_seconds"]),
                "analysis_with_search_tokens": round(n / steps["with_search_tokens_seconds"]),
            },
            "analysis_vs_lexicon_only": round(
                steps["analysis_seconds"] / steps["lexicon_only_seconds"], 2
            ),
            "analysis_with_search_tokens_two_processes": round(pooled),
        }


# ---- intel -----------------------------------------------------------------------------
def _scan_offer_texts(db: str) -> int:
    """The baseline: read every offer message's text once, as any builder must."""
    from jianghu.store import open_store
    from jianghu.store.offers import candidates

    with open_store(db) as store:
        return sum(len(c.text) for c in candidates(store))


def _offers_build(db: str) -> dict[str, Any]:
    from jianghu.intel.offers import build_offers
    from jianghu.store import open_store

    with open_store(db) as store:
        return build_offers(store).to_json()


def _actors_build(db: str) -> dict[str, Any]:
    from jianghu.intel.actor_build import build_actors
    from jianghu.store import open_store

    with open_store(db) as store:
        return build_actors(store).to_json()


def run_intel_bench(
    messages: int, workdir: Path | None = None, log: Callable[[str], None] = print
) -> dict[str, Any]:
    from jianghu.demo import write_demo_export

    with _bench_folder(workdir) as folder:
        export, db_path = folder / "result.json", folder / "intel.db"
        for leftover in folder.glob("intel.db*"):
            leftover.unlink()
        db = f"sqlite:///{db_path}"
        log(f"generating and ingesting {messages} messages …")
        write_demo_export(export, messages=messages, seed=7)
        ing = _measure("_ingest_into", str(export), db)
        log("baseline: reading every offer message once …")
        base = _measure("_scan_offer_texts", db)
        log("offers build …")
        offers = _measure("_offers_build", db)
        log("actors build …")
        actors = _measure("_actors_build", db)
        both = offers["wall"] + actors["wall"]
        return {
            "messages": messages,
            "ingest_seconds": round(ing["wall"], 1),
            "offer_messages": offers["value"]["candidates"],
            "baseline_read_offer_texts_seconds": round(base["wall"], 2),
            "offers_build_seconds": round(offers["wall"], 2),
            "offers_peak_rss_mb": round(offers["peak_rss_mb"], 1),
            "offers": offers["value"],
            "actors_build_seconds": round(actors["wall"], 2),
            "actors_peak_rss_mb": round(actors["peak_rss_mb"], 1),
            "actors": actors["value"],
            "offers_and_actors_seconds": round(both, 2),
            "offers_and_actors_vs_baseline": round(both / base["wall"], 2)
            if base["wall"]
            else None,
        }
