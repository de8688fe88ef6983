"""The one seam every source plugs into, and the registry that finds a reader for a path.

A source is anything with ``iter_messages() -> Iterator[Message]``. Records it cannot turn
into messages are appended to ``problems`` and skipped; a source it cannot read at all
raises :class:`~jianghu.errors.SourceFormatError` from ``iter_messages``. Built-in readers
register through :func:`register_reader`, the same call a third-party reader would use.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta, timezone
from pathlib import Path
from typing import Protocol

from jianghu.errors import ConfigError, SourceError, SourceFormatError
from jianghu.records import Message, SourceProblem

SNIFF_BYTES = 64 * 1024


class Source(Protocol):
    """What a reader is: a stream of messages plus the records it had to reject."""

    path: str
    problems: list[SourceProblem]

    def iter_messages(self) -> Iterator[Message]: ...

    @property
    def sha256(self) -> str | None:
        """Digest of the file once read to the end (None for live sources)."""
        ...


class FileSource:
    """What every reader of a file keeps: its path, the records it rejected, what it had
    to assume (``warnings``), and the file's digest once read to the end."""

    platform = ""

    def __init__(self, path: Path) -> None:
        self.path = str(path)
        self._file = path
        self.problems: list[SourceProblem] = []
        self.warnings: list[str] = []
        self._sha256: str | None = None

    @property
    def sha256(self) -> str | None:
        return self._sha256


_TZ = re.compile(r"([+-])(\d{2}):?(\d{2})")


def parse_tz_offset(value: str) -> timezone:
    """The ``tz_offset`` option (``+08:00`` or ``+0800``) as a fixed offset."""
    m = _TZ.fullmatch(value.strip())
    if m is None or int(m[2]) > 23 or int(m[3]) > 59:
        raise ConfigError(f"tz_offset must look like +08:00, not {value!r}")
    delta = timedelta(hours=int(m[2]), minutes=int(m[3]))
    return timezone(-delta if m[1] == "-" else delta)


@dataclass(frozen=True)
class ReaderSpec:
    """A registered reader: a name, a cheap sniffing test and a constructor.

    ``sniff_with_options``, when given, replaces ``sniff`` for readers whose recognition
    depends on the analyst's options (a forum layout file of their own, say).
    """

    name: str
    sniff: Callable[[Path, bytes], bool]
    open: Callable[[Path, dict[str, str]], Source]
    sniff_with_options: Callable[[Path, bytes, dict[str, str]], bool] | None = None

    def accepts(self, path: Path, head: bytes, options: dict[str, str]) -> bool:
        if self.sniff_with_options is not None:
            return self.sniff_with_options(path, head, options)
        return self.sniff(path, head)


_READERS: list[ReaderSpec] = []


def register_reader(spec: ReaderSpec) -> None:
    """Register a reader; later registrations are tried first so plugins can override."""
    _READERS.insert(0, spec)


def readers() -> list[ReaderSpec]:
    _load_builtin_readers()
    return list(_READERS)


def _load_builtin_readers() -> None:
    # Imported lazily: registering is cheap, but nothing should happen at import time.
    from jianghu.sources import (  # noqa: F401
        discord_export,
        forum_pages,
        telegram_export,
        whatsapp_export,
    )


def open_source(path: Path, options: dict[str, str] | None = None) -> Source:
    """Pick the reader whose sniffing test accepts ``path``."""
    try:
        with path.open("rb") as fp:
            head = fp.read(SNIFF_BYTES)
    except OSError as exc:
        raise SourceError(str(path), f"cannot open: {exc.strerror or exc}") from exc
    if not head.strip():
        raise SourceFormatError(str(path), 1, 1, "empty file; expected a chat export")
    for spec in readers():
        if spec.accepts(path, head, options or {}):
            return spec.open(path, options or {})
    raise SourceFormatError(
        str(path),
        1,
        1,
        "unrecognised file; expected a chat export (Telegram Desktop result.json, "
        "DiscordChatExporter JSON, WhatsApp chat .txt or .zip, saved forum thread page)",
    )


# In a folder, JSON files are exports or mistakes: each is read, and reported when it
# cannot be. Text and zip files are also notes, readmes and media archives: they are read
# only when a reader recognises them. A file named on the command line is always read.
_ALWAYS = (".json",)
_IF_RECOGNISED = (".txt", ".zip", ".html", ".htm")


def recognised(path: Path, options: dict[str, str] | None = None) -> bool:
    """Whether any registered reader's sniffing test accepts ``path``."""
    try:
        with path.open("rb") as fp:
            head = fp.read(SNIFF_BYTES)
    except OSError:
        return False
    opts = options or {}
    return bool(head.strip()) and any(spec.accepts(path, head, opts) for spec in readers())


def expand_paths(paths: list[Path], options: dict[str, str] | None = None) -> Iterator[Path]:
    """Files to read: each file as given, and every candidate export inside each folder.

    A folder is walked in sorted order so runs are repeatable; media files that exports
    carry beside the JSON are not candidates and are skipped silently.
    """
    for path in paths:
        if not path.is_dir():
            yield path
            continue
        for root, dirs, files in os.walk(path):
            dirs.sort()
            for name in sorted(files):
                low, full = name.lower(), Path(root) / name
                if low.endswith(_ALWAYS) or (
                    low.endswith(_IF_RECOGNISED) and recognised(full, options)
                ):
                    yield full
