"""Re-analysis on a Dask cluster: partitions of stale message ids, analysed and written
by the workers.

The driver only walks the ids of stale messages (``Store.stale_ranges``) and submits one
task per run of them; a worker reads that run's texts itself, analyses them and replaces
their analyses in one transaction that first checks which are still stale, so a
partition that runs twice, or overlaps a concurrent re-analysis, writes once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jianghu.analysis.pipeline import analyse_texts, versions
from jianghu.errors import JianghuError
from jianghu.reanalyze import ReanalyzeReport
from jianghu.scale.cluster import in_flight_limit, retry_conflicts, worker_store
from jianghu.store.base import Store


def reanalyze_range(
    url: str, lexicon_version: str, model_version: str, first: int, last: int
) -> int:
    """Analyse the stale messages with ids ``first``…``last``; how many were written
    (runs on a worker)."""
    here = versions()
    if here != (lexicon_version, model_version):
        # A worker with another jianghu would write analyses the driver calls stale.
        raise JianghuError(
            f"this worker has lexicon {here[0]} and model {here[1]}, the driver "
            f"{lexicon_version} and {model_version}: install the same jianghu everywhere"
        )
    store = worker_store(url)
    rows = store.stale_between(lexicon_version, model_version, first, last)
    results = analyse_texts([text for _, text in rows])
    todo = [(i, ents, analysis) for (i, _), (ents, analysis) in zip(rows, results, strict=True)]
    written, _ = retry_conflicts(
        lambda: store.replace_stale_analyses(todo, lexicon_version, model_version)
    )
    return written


def reanalyze_dask(
    store: Store,
    url: str,
    client: Any,
    batch_size: int = 1000,
    advance: Callable[[int], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> ReanalyzeReport:
    """Re-analyse every stale message of the store at ``url`` on ``client``'s cluster."""
    import distributed

    wait: Any = distributed.wait  # partly typed
    lex_version, model_version = versions()
    report = ReanalyzeReport(
        lex_version, model_version, store.count_stale(lex_version, model_version)
    )
    if on_start:
        on_start(report.stale)
    limit = in_flight_limit(client)
    flights: dict[Any, tuple[int, int]] = {}

    def collect(future: Any) -> None:
        first, last = flights.pop(future)
        try:
            written = int(future.result())
        except JianghuError:
            raise
        except Exception as exc:
            raise JianghuError(f"re-analysis failed on messages {first}–{last}: {exc!r}") from exc
        report.analysed += written
        if advance:
            advance(written)

    try:
        for first, last in store.stale_ranges(lex_version, model_version, batch_size):
            future = client.submit(
                reanalyze_range,
                url,
                lex_version,
                model_version,
                first,
                last,
                key=f"reanalyze-{lex_version}-{model_version}-{first}-{last}",
            )
            flights[future] = (first, last)
            while len(flights) > limit:
                for done in wait(list(flights), return_when="FIRST_COMPLETED").done:
                    collect(done)
        while flights:
            for done in wait(list(flights), return_when="FIRST_COMPLETED").done:
                collect(done)
    except BaseException:
        for future in flights:
            future.cancel()
        raise
    return report
