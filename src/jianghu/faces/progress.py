"""Rich progress bars for long work (ingest, generation), drawn on stderr."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from jianghu.faces.safe_text import terminal_safe


class FileProgress:
    """One bar per file; ``advance`` takes an absolute position (bytes or records)."""

    def __init__(self, console: Console, label: str = "ingesting") -> None:
        self._label = label
        self._progress = Progress(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=not console.is_terminal,
        )
        self._task: TaskID | None = None

    def __enter__(self) -> FileProgress:
        self._progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._progress.stop()

    def start_file(self, path: Path, size: int) -> None:
        # The file name comes from the analyst's disk but may come from an archive of
        # hostile origin: never let it be markup or control sequences.
        name = Text(f"{self._label} {terminal_safe(path.name, keep_newlines=False)}")
        self._task = self._progress.add_task(name.plain, total=size)

    def advance(self, position: int) -> None:
        if self._task is not None:
            self._progress.update(self._task, completed=position)

    def end_file(self) -> None:
        if self._task is not None:
            self._progress.update(self._task, completed=self._progress.tasks[-1].total)
            self._task = None
