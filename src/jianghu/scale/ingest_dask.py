"""Ingest on a Dask cluster: this process reads, the workers analyse and write.

The driver (this process) streams each source file into partitions of messages, exactly
as the single-process ingest batches it, registers the file and the run in the store, and
submits one task a partition. A worker analyses its partition (the same pure functions as
ingest) and writes it to PostgreSQL itself, bulk-loaded with COPY, in one transaction
that also records the partition in the ``ingest_partitions`` ledger: when the cluster
runs a partition twice (its worker died after the commit), the second run writes nothing
and returns the counts of the first. A partition that collides with another writer (a
deadlock on a shared author row) is rolled back whole and retried.

At most a few partitions a worker are in flight, so the driver's memory stays bounded
whatever the input size. A file is marked read once all its partitions are written.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jianghu.analysis.pipeline import combine, findings
from jianghu.errors import JianghuError
from jianghu.ingest import BATCH_SIZE, IngestError, IngestReport, Progress, read_batches
from jianghu.records import Message, SourceProblem
from jianghu.scale.cluster import in_flight_limit, retry_conflicts, worker_store
from jianghu.sources.base import expand_paths
from jianghu.store.base import BatchCounts, Store


@dataclass(frozen=True)
class PartitionResult:
    key: str
    counts: BatchCounts
    written: bool  # False: the ledger had it already (the task ran twice)
    attempts: int
    analysis_seconds: float  # what the scale benchmark splits a worker's time into
    write_seconds: float


def write_partition(
    url: str, run_id: int, file_id: int | None, key: str, messages: list[Message]
) -> PartitionResult:
    """Analyse one partition and write it, once (runs on a worker)."""
    started = time.perf_counter()
    stored = combine(messages, findings(messages))
    analysed = time.perf_counter()
    store = worker_store(url)
    (counts, written), attempts = retry_conflicts(
        lambda: store.write_partition(run_id, key, stored, file_id)
    )
    return PartitionResult(
        key, counts, written, attempts, analysed - started, time.perf_counter() - analysed
    )


@dataclass
class _OpenFile:
    path: Path
    file_id: int | None
    pending: int = 0
    finish: tuple[Any, ...] | None = None  # the reader's "done" event, once seen


@dataclass
class _Flight:
    file: _OpenFile
    first: str  # where the partition starts, for an error message
    messages: int
    events: int


@dataclass
class DaskIngest:
    """One ingest run through a cluster (see the module docstring)."""

    store: Store
    url: str
    client: Any  # distributed.Client
    progress: Progress | None = None
    batch_size: int = BATCH_SIZE
    report: IngestReport = field(default_factory=IngestReport)
    _flights: dict[Any, _Flight] = field(default_factory=dict)
    _files: list[_OpenFile] = field(default_factory=list)
    results: list[PartitionResult] = field(default_factory=list)

    def run(self, paths: Sequence[Path], options: dict[str, str]) -> IngestReport:
        files = list(expand_paths(list(paths), options))
        run_id = self.store.begin_run([str(p) for p in paths])
        self.report.run_id = run_id
        limit = in_flight_limit(self.client)
        try:
            for path in files:
                self.report.files += 1
                self._read_file(run_id, path, options, limit)
            self._wait(0)
        except BaseException:
            for future in self._flights:
                future.cancel()
            raise
        self.store.finish_run(
            run_id, self.report.to_json(), [e.to_json() for e in self.report.errors]
        )
        return self.report

    def _read_file(self, run_id: int, path: Path, options: dict[str, str], limit: int) -> None:
        opened: _OpenFile | None = None
        index = 0
        for event in read_batches(path, options, self.batch_size):
            kind = event[0]
            if kind == "failed":
                self.report.files_failed += 1
                self.report.errors.append(IngestError(*event[1]))
            elif kind == "opened":
                opened = _OpenFile(path, self.store.add_source_file(run_id, event[1], event[2]))
                self._files.append(opened)
                if self.progress:
                    self.progress.start_file(path, path.stat().st_size)
            elif kind == "batch":
                assert opened is not None
                self._submit(run_id, opened, index, event[1])
                index += 1
                self._wait(limit)
                # Reading runs at most a few partitions ahead of writing: its position is
                # the run's progress.
                if self.progress:
                    self.progress.advance(event[2])
            elif kind == "done":
                assert opened is not None
                opened.finish = event
                self._finish_files()
                if self.progress:
                    self.progress.end_file()

    def _submit(self, run_id: int, file: _OpenFile, index: int, batch: list[Message]) -> None:
        key = f"{file.file_id}:{index}"
        future = self.client.submit(
            write_partition,
            self.url,
            run_id,
            file.file_id,
            key,
            batch,
            key=f"ingest-{run_id}-{key}",
        )
        first = batch[0].source
        messages = sum(1 for m in batch if m.kind == "message")
        self._flights[future] = _Flight(
            file, f"{first.path}:{first.line}", messages, len(batch) - messages
        )
        file.pending += 1

    def _wait(self, limit: int) -> None:
        """Collect finished partitions until at most ``limit`` are in flight."""
        import distributed

        wait: Any = distributed.wait  # partly typed
        while len(self._flights) > limit:
            done = wait(list(self._flights), return_when="FIRST_COMPLETED").done
            for future in done:
                self._collect(future)
            self._finish_files()

    def _collect(self, future: Any) -> None:
        flight = self._flights.pop(future)
        try:
            result: PartitionResult = future.result()
        except JianghuError as exc:
            raise JianghuError(
                f"writing the partition starting at {flight.first} failed: {exc}"
            ) from exc
        except Exception as exc:
            # Analysis is pure code over text: an exception here is a bug, but the analyst
            # gets one line naming where, not a traceback. Nothing of the partition is stored.
            raise JianghuError(
                f"analysis failed on the partition starting at {flight.first}: {exc!r}"
            ) from exc
        self.report.read += flight.messages
        self.report.events += flight.events
        self.report.counts.add(result.counts)
        self.results.append(result)
        flight.file.pending -= 1

    def _finish_files(self) -> None:
        """Mark read, in order, the files whose every partition is written."""
        while self._files and self._files[0].finish is not None and not self._files[0].pending:
            file = self._files.pop(0)
            assert file.finish is not None
            _, sha256, problems, error, warnings = file.finish
            self.report.warnings.extend(SourceProblem(str(file.path), 0, 0, w) for w in warnings)
            for problem in problems:
                self.report.rejected += 1
                self.report.errors.append(IngestError(*problem))
            if error is not None:
                self.report.files_failed += 1
                self.report.errors.append(IngestError(*error))
            if file.file_id is not None:
                size = file.path.stat().st_size if file.path.is_file() else None
                self.store.finish_source_file(
                    file.file_id, sha256, size, None if error is None else str(IngestError(*error))
                )


def ingest_dask(
    store: Store,
    url: str,
    client: Any,
    paths: Sequence[Path],
    options: dict[str, str] | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> IngestReport:
    """Read every file under ``paths`` into the store at ``url`` through ``client``'s
    cluster (``store`` is the driver's own connection to the same store)."""
    return DaskIngest(store, url, client, progress, batch_size).run(paths, options or {})
