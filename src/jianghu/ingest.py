"""Ingest: read sources, analyse each batch, store it — with both cores busy.

Reading and analysing are pure Python and hold the GIL, so a thread would not run beside
them; instead a reader *process* reads and analyses files while this process writes the
batches it receives, each in its own transaction. Small inputs are read in-process,
where starting a process would cost more than it saves. Both paths run the same
generator, :func:`read_batches`, so they cannot drift apart.

A file that cannot be read at all, or breaks off in the middle, is reported with its
position; every complete record read before the break is still stored (nothing is lost,
and a later full export fills in the rest idempotently). Records a reader rejects are
counted and reported; neither stops the run.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from jianghu.analysis.pipeline import Analysed, analyse
from jianghu.errors import JianghuError, SourceError, SourceFormatError
from jianghu.records import Message, SourceProblem
from jianghu.sources.base import expand_paths, open_source
from jianghu.store.base import BatchCounts, Store

BATCH_SIZE = 2000
PROCESS_THRESHOLD = 8 << 20  # bytes of input below which a reader process is not worth it
QUEUE_BATCHES = 4  # bounds memory: the reader waits when the writer falls behind


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


# ---- the reading side: plain tuples cross the process boundary -----------------------
# ("opened", path, format) · ("batch", analysed, last_offset) ·
# ("done", sha256, problems, error) · ("failed", error); errors are (path, line, col, msg).
Event = tuple[Any, ...]


def _error_tuple(exc: SourceError) -> tuple[str, int, int, str]:
    if isinstance(exc, SourceFormatError):
        return (exc.path, exc.line, exc.col, exc.message)
    return (exc.path, 0, 0, exc.message)


def read_batches(path: Path, options: dict[str, str], batch_size: int) -> Iterator[Event]:
    """Read one file into analysed batches, as events; never raises for bad input."""
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
                yield ("batch", analyse(batch), batch[-1].source.byte_offset)
                batch = []
    except SourceError as exc:
        error = _error_tuple(exc)
    if batch:  # complete records read before a break are kept
        yield ("batch", analyse(batch), batch[-1].source.byte_offset)
    problems = [(p.path, p.line, p.col, p.message) for p in source.problems]
    yield ("done", source.sha256, problems, error)


def _reader_process(jobs: Any, events: Any, batch_size: int) -> None:
    for path, options in iter(jobs.get, None):
        try:
            for event in read_batches(Path(path), options, batch_size):
                events.put(event)
        except Exception as exc:  # a bug must not hang the writer: report and go on
            events.put(("done", None, [], (path, 0, 0, f"internal error: {exc!r}")))


class _ProcessReader:
    """Feeds read_batches' events from a child process, in order, with backpressure."""

    def __init__(self, files: list[Path], options: dict[str, str], batch_size: int) -> None:
        ctx = mp.get_context("spawn")
        self._jobs = ctx.Queue()
        self._events = ctx.Queue(maxsize=QUEUE_BATCHES)
        for path in files:
            self._jobs.put((str(path), options))
        self._jobs.put(None)
        self._proc = ctx.Process(
            target=_reader_process, args=(self._jobs, self._events, batch_size), daemon=True
        )
        self._proc.start()

    def events(self, path: Path) -> Iterator[Event]:
        while True:
            try:
                event: Event = self._events.get(timeout=1.0)
            except queue.Empty:
                if not self._proc.is_alive():
                    raise JianghuError(
                        f"the reader process stopped unexpectedly (exit code "
                        f"{self._proc.exitcode}) while reading {path}"
                    ) from None
                continue
            yield event
            if event[0] in ("done", "failed"):
                return

    def close(self) -> None:
        if self._proc.is_alive():
            self._proc.terminate()
        self._proc.join(timeout=5)


def ingest(
    store: Store,
    paths: Sequence[Path],
    options: dict[str, str] | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    use_process: bool | None = None,
) -> IngestReport:
    """Read every file under ``paths`` into ``store``; see the module docstring."""
    report = IngestReport()
    files = list(expand_paths(list(paths)))
    if use_process is None:
        use_process = sum(p.stat().st_size for p in files if p.is_file()) >= PROCESS_THRESHOLD
    report.run_id = run_id = store.begin_run([str(p) for p in paths])
    reader = _ProcessReader(files, options or {}, batch_size) if use_process else None
    try:
        for path in files:
            report.files += 1
            events = (
                reader.events(path) if reader else read_batches(path, options or {}, batch_size)
            )
            _store_file(store, run_id, path, events, progress, report)
    finally:
        if reader:
            reader.close()
    store.finish_run(run_id, report.to_json(), [e.to_json() for e in report.errors])
    return report


def _store_file(
    store: Store,
    run_id: int,
    path: Path,
    events: Iterator[Event],
    progress: Progress | None,
    report: IngestReport,
) -> None:
    file_id = None
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
            batch: list[Analysed] = event[1]
            for item in batch:
                if item.message.kind == "message":
                    report.read += 1
                else:
                    report.events += 1
            report.counts.add(store.write_batch(batch, file_id))
            if progress:
                progress.advance(event[2])
        elif kind == "done":
            _, sha256, problems, error = event
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
