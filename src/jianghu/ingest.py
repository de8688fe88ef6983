"""Ingest: read sources, analyse each batch, store it — with both cores busy.

This process reads each file and writes each batch, in order and each in its own
transaction; analysis, the CPU-heavy pure part, runs in a pool of worker processes (one
a core) on the batches in between, a few batches ahead of the writer. Python threads would
not help: reading, analysis and row building all hold the GIL. Small inputs are analysed
in-process, where starting workers would cost more than it saves.

A file that cannot be read at all, or breaks off in the middle, is reported with its
position; every complete record read before the break is still stored (nothing is lost,
and a later full export fills in the rest idempotently). Records a reader rejects are
counted and reported; neither stops the run.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from jianghu.analysis.pipeline import Analysed, Findings, combine, findings
from jianghu.errors import JianghuError, SourceError, SourceFormatError
from jianghu.records import Message, SourceProblem
from jianghu.sources.base import expand_paths, open_source
from jianghu.store.base import BatchCounts, Store

BATCH_SIZE = 2000
POOL_THRESHOLD = 8 << 20  # bytes of input below which a worker pool is not worth it
AHEAD = 4  # batches analysed ahead of the writer: bounds memory


IngestError = SourceProblem  # an error of an ingest run: a position and what was expected


@dataclass
class IngestReport:
    files: int = 0
    files_failed: int = 0
    read: int = 0
    rejected: int = 0
    events: int = 0
    counts: BatchCounts = field(default_factory=BatchCounts)
    errors: list[IngestError] = field(default_factory=list)
    warnings: list[SourceProblem] = field(default_factory=list)  # assumptions, not errors
    run_id: int | None = None

    @property
    def ok(self) -> bool:
        """True when every file was read to its end and no record in it was rejected."""
        return self.files_failed == 0 and self.rejected == 0

    def to_json(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "new": self.counts.new,
            "updated": self.counts.updated,
            "unchanged": self.counts.unchanged,
            "rejected": self.rejected,
            "events": self.events,
            "files": self.files,
            "files_failed": self.files_failed,
            "errors": [e.to_json() for e in self.errors],
            "warnings": [{"path": w.path, "message": w.message} for w in self.warnings],
        }


class Progress(Protocol):
    def start_file(self, path: Path, size: int) -> None: ...
    def advance(self, offset: int) -> None: ...
    def end_file(self) -> None: ...


# ---- reading: events, so that bad input never raises -------------------------------
# ("opened", path, format) · ("batch", messages, last_offset) ·
# ("done", sha256, problems, error, warnings) · ("failed", error); errors are
# (path, line, col, msg); warnings (say, an assumed date order) are plain strings.
Event = tuple[Any, ...]


def _error_tuple(exc: SourceError) -> tuple[str, int, int, str]:
    if isinstance(exc, SourceFormatError):
        return (exc.path, exc.line, exc.col, exc.message)
    return (exc.path, 0, 0, exc.message)


def read_batches(path: Path, options: dict[str, str], batch_size: int) -> Iterator[Event]:
    """Read one file into batches of messages, as events; never raises for bad input."""
    try:
        source = open_source(path, options)
    except SourceError as exc:
        yield ("failed", _error_tuple(exc))
        return
    yield ("opened", str(path), type(source).__name__)
    batch: list[Message] = []
    error = None
    try:
        for message in source.iter_messages():
            batch.append(message)
            if len(batch) >= batch_size:
                yield ("batch", batch, batch[-1].source.byte_offset)
                batch = []
    except SourceError as exc:
        error = _error_tuple(exc)
    if batch:  # complete records read before a break are kept
        yield ("batch", batch, batch[-1].source.byte_offset)
    problems = [(p.path, p.line, p.col, p.message) for p in source.problems]
    # Readers may say what they had to assume (a WhatsApp file's date order, say).
    warnings = [str(w) for w in getattr(source, "warnings", ())]
    yield ("done", source.sha256, problems, error, warnings)


# ---- analysis: in-process or in a pool --------------------------------------------------
_In = TypeVar("_In")
_Out = TypeVar("_Out")


class AnalysisPool:
    """Runs a pure analysis function over batches, inline (``workers`` 0) or in a pool of
    worker processes; ingest and reanalyze both write the results in submission order."""

    def __init__(self, workers: int) -> None:
        self._pool = (
            ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn"))
            if workers > 0
            else None
        )

    @property
    def inline(self) -> bool:
        return self._pool is None

    def submit(self, fn: Callable[[_In], _Out], batch: _In) -> Future[_Out]:
        if self._pool is None:
            done: Future[_Out] = Future()
            try:
                done.set_result(fn(batch))
            except Exception as exc:  # raised where the result is awaited, as in the pool
                done.set_exception(exc)
            return done
        return self._pool.submit(fn, batch)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


AfterBatch = Callable[[Sequence[Analysed], Sequence[int]], None]
"""Called after each stored batch with the batch and the row ids of its new and changed
messages (0 for the others)."""


def ingest(
    store: Store,
    paths: Sequence[Path],
    options: dict[str, str] | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    workers: int | None = None,
    after_batch: AfterBatch | None = None,
) -> IngestReport:
    """Read every file under ``paths`` into ``store``; see the module docstring.

    ``workers``: analysis processes; None picks one a core for large inputs and none
    (in-process) for small ones. ``after_batch`` runs after each stored batch (the
    intelligence layer's hook: watchlist alerts), outside the batch's transaction.
    """
    report = IngestReport()
    files = list(expand_paths(list(paths), options))
    if workers is None:
        size = sum(p.stat().st_size for p in files if p.is_file())
        workers = (os.cpu_count() or 1) if size >= POOL_THRESHOLD else 0
    report.run_id = run_id = store.begin_run([str(p) for p in paths])
    analyser = AnalysisPool(workers)
    try:
        for path in files:
            report.files += 1
            events = read_batches(path, options or {}, batch_size)
            _store_file(store, run_id, path, events, analyser, progress, report, after_batch)
    finally:
        analyser.close()
    store.finish_run(run_id, report.to_json(), [e.to_json() for e in report.errors])
    return report


def _write(
    store: Store,
    pending: deque[tuple[list[Message], Future[list[Findings]], int]],
    file_id: int | None,
    progress: Progress | None,
    report: IngestReport,
    after_batch: AfterBatch | None = None,
) -> None:
    """Write the oldest analysed batch."""
    messages, future, offset = pending.popleft()
    try:
        found = future.result()
    except BrokenProcessPool as exc:
        raise JianghuError(f"an analysis worker stopped unexpectedly: {exc}") from exc
    except Exception as exc:
        # Analysis is pure code over text: an exception here is a bug, but the analyst
        # still gets one line naming where, not a traceback. Nothing of the batch is stored.
        first = messages[0].source if messages else None
        where = f"{first.path}:{first.line}" if first else "a batch"
        raise JianghuError(f"analysis failed on the batch starting at {where}: {exc!r}") from exc
    for message in messages:
        if message.kind == "message":
            report.read += 1
        else:
            report.events += 1
    stored = combine(messages, found)
    report.counts.add(store.write_batch(stored, file_id))
    if after_batch is not None:
        after_batch(stored, store.last_batch_ids)
    if progress:
        progress.advance(offset)


def _store_file(
    store: Store,
    run_id: int,
    path: Path,
    events: Iterator[Event],
    analyser: AnalysisPool,
    progress: Progress | None,
    report: IngestReport,
    after_batch: AfterBatch | None = None,
) -> None:
    file_id = None
    pending: deque[tuple[list[Message], Future[list[Findings]], int]] = deque()
    for event in events:
        kind = event[0]
        if kind == "failed":
            report.files_failed += 1
            report.errors.append(IngestError(*event[1]))
        elif kind == "opened":
            file_id = store.add_source_file(run_id, event[1], event[2])
            if progress:
                progress.start_file(path, path.stat().st_size)
        elif kind == "batch":
            pending.append((event[1], analyser.submit(findings, event[1]), event[2]))
            while len(pending) > AHEAD:
                _write(store, pending, file_id, progress, report, after_batch)
        elif kind == "done":
            while pending:
                _write(store, pending, file_id, progress, report, after_batch)
            _, sha256, problems, error, warnings = event
            report.warnings.extend(SourceProblem(str(path), 0, 0, w) for w in warnings)
            for problem in problems:
                report.rejected += 1
                report.errors.append(IngestError(*problem))
            if error is not None:
                report.files_failed += 1
                report.errors.append(IngestError(*error))
            if file_id is not None:
                size = path.stat().st_size if path.is_file() else None
                store.finish_source_file(
                    file_id, sha256, size, None if error is None else str(IngestError(*error))
                )
            if progress:
                progress.end_file()
