"""Ingest: read sources, analyse each batch, store it — with both cores busy.

The calling thread reads and analyses; one writer thread owns the store and writes
batches in order, each in its own transaction. SQLite and psycopg release the GIL while
the database works, so reading the next batch overlaps with writing the last one.

A file that cannot be read at all, or breaks off in the middle, is reported with its
position; every complete record read before the break is still stored (nothing is lost,
and a later full export fills in the rest idempotently). Records a reader rejects are
counted and reported; neither stops the run.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from jianghu.analysis.search_terms import SearchDoc, search_doc
from jianghu.errors import SourceError, SourceFormatError
from jianghu.records import Message
from jianghu.sources.base import expand_paths, open_source
from jianghu.store.base import BatchCounts, Store

BATCH_SIZE = 2000
MAX_PENDING_BATCHES = 3  # bounds memory: the reader waits when the writer falls behind


@dataclass(frozen=True)
class IngestError:
    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "col": self.col, "message": self.message}


@dataclass
class IngestReport:
    files: int = 0
    files_failed: int = 0
    read: int = 0
    rejected: int = 0
    events: int = 0
    counts: BatchCounts = field(default_factory=BatchCounts)
    errors: list[IngestError] = field(default_factory=list)
    run_id: int | None = None

    @property
    def ok(self) -> bool:
        """True when every file was read to its end."""
        return self.files_failed == 0

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
        }


class Progress(Protocol):
    def start_file(self, path: Path, size: int) -> None: ...
    def advance(self, offset: int) -> None: ...
    def end_file(self) -> None: ...


class _Writer:
    """Runs store calls on one thread, in order, with a bounded backlog."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jianghu-writer")
        self._pending: deque[Future[Any]] = deque()

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        while len(self._pending) >= MAX_PENDING_BATCHES:
            self._pending.popleft().result()
        fut = self._pool.submit(fn, *args)
        self._pending.append(fut)
        return fut

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run and wait: for calls whose result the reader needs."""
        return self.submit(fn, *args).result()

    def drain(self) -> None:
        while self._pending:
            self._pending.popleft().result()

    def close(self) -> None:
        self._pool.shutdown(wait=True)


def analyse(messages: Sequence[Message]) -> list[tuple[Message, SearchDoc]]:
    """The analysis a batch gets on its way into the store (pure, no I/O)."""
    return [(m, search_doc(m.text) if m.kind == "message" else SearchDoc("", "")) for m in messages]


def _add_counts(report: IngestReport, done: Future[BatchCounts]) -> None:
    # Runs on the writer thread; a failed batch raises where its result is awaited.
    if done.exception() is None:
        report.counts.add(done.result())


def ingest(
    store: Store,
    paths: Sequence[Path],
    options: dict[str, str] | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> IngestReport:
    report = IngestReport()
    writer = _Writer()
    try:
        report.run_id = run_id = writer.call(store.begin_run, [str(p) for p in paths])
        for path in expand_paths(list(paths)):
            report.files += 1
            _ingest_file(store, writer, run_id, path, options or {}, progress, batch_size, report)
        writer.drain()
        counts = {**report.to_json(), "new": report.counts.new}
        writer.call(store.finish_run, run_id, counts, [e.to_json() for e in report.errors])
    finally:
        writer.close()
    return report


def _ingest_file(
    store: Store,
    writer: _Writer,
    run_id: int,
    path: Path,
    options: dict[str, str],
    progress: Progress | None,
    batch_size: int,
    report: IngestReport,
) -> None:
    try:
        source = open_source(path, options)
    except SourceFormatError as exc:
        report.files_failed += 1
        report.errors.append(IngestError(exc.path, exc.line, exc.col, exc.message))
        return
    except SourceError as exc:
        report.files_failed += 1
        report.errors.append(IngestError(exc.path, 0, 0, exc.message))
        return
    file_id = writer.call(store.add_source_file, run_id, str(path), type(source).__name__)
    size = path.stat().st_size
    if progress:
        progress.start_file(path, size)

    def flush(batch: list[Message]) -> None:
        if batch:
            fut = writer.submit(store.write_batch, analyse(batch), file_id)
            fut.add_done_callback(lambda f: _add_counts(report, f))
            if progress:
                progress.advance(batch[-1].source.byte_offset)

    batch: list[Message] = []
    error: IngestError | None = None
    try:
        for message in source.iter_messages():
            report.read += message.kind == "message"
            report.events += message.kind != "message"
            batch.append(message)
            if len(batch) >= batch_size:
                flush(batch)
                batch = []
    except SourceFormatError as exc:
        error = IngestError(exc.path, exc.line, exc.col, exc.message)
    except SourceError as exc:
        error = IngestError(exc.path, 0, 0, exc.message)
    flush(batch)  # complete records read before a break are kept
    for problem in source.problems:
        report.rejected += 1
        report.errors.append(IngestError(problem.path, problem.line, problem.col, problem.message))
    if error is not None:
        report.files_failed += 1
        report.errors.append(error)
    writer.drain()
    writer.call(
        store.finish_source_file,
        file_id,
        source.sha256,
        size,
        None if error is None else str(error),
    )
    if progress:
        progress.end_file()
