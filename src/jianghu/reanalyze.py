"""Re-run analysis over stored messages after the lexicon or the model changed.

Stale means: no analysis yet, or one made by another lexicon or model version. Messages
are taken in id order in batches; each batch's new indicators and classification
replace the old ones in one transaction, so an interrupted run (even SIGKILL) leaves
every message either fully redone or untouched, and the next run goes on with what is
still stale: nothing is analysed twice, nothing is skipped.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

from jianghu.analysis.pipeline import TextFindings, analyse_texts, versions
from jianghu.ingest import AHEAD, AnalysisPool
from jianghu.store.base import Store


@dataclass
class ReanalyzeReport:
    lexicon_version: str
    model_version: str
    stale: int  # when the run started
    analysed: int = 0

    def to_json(self) -> dict[str, object]:
        return dict(vars(self))


Advance = Callable[[int], None]


def reanalyze(
    store: Store,
    batch_size: int = 1000,
    workers: int = 0,
    advance: Advance | None = None,
    on_start: Callable[[int], None] | None = None,
) -> ReanalyzeReport:
    lex_version, model_version = versions()
    report = ReanalyzeReport(
        lex_version, model_version, store.count_stale(lex_version, model_version)
    )
    if on_start:
        on_start(report.stale)
    pool = AnalysisPool(workers)
    pending: deque[tuple[list[int], Future[TextFindings]]] = deque()

    def write_oldest() -> None:
        ids, future = pending.popleft()
        results = future.result()
        store.replace_analyses(
            [(i, ents, analysis) for i, (ents, analysis) in zip(ids, results, strict=True)]
        )
        report.analysed += len(ids)
        if advance:
            advance(len(ids))

    try:
        after = 0
        while True:
            rows = store.stale_batch(lex_version, model_version, after, batch_size)
            if not rows:
                break
            after = rows[-1][0]
            pending.append(([i for i, _ in rows], pool.submit(analyse_texts, [t for _, t in rows])))
            while len(pending) > (0 if pool.inline else AHEAD):
                write_oldest()
        while pending:
            write_oldest()
    finally:
        pool.close()
    return report
