"""What every reader of a JSON chat export shares: streaming the file, its digest, and
turning one bad record into a located problem instead of a failed file."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import orjson

from jianghu.records import ChannelRef, Message, SourceProblem, SourceRef
from jianghu.sources.base import FileSource
from jianghu.sources.json_stream import JsonStream


class Reject(Exception):
    """One record cannot become a Message; the reader notes it and goes on.

    ``where`` is the (line, column) inside the record when known, 1-based.
    """

    def __init__(self, message: str, where: tuple[int, int] | None = None) -> None:
        super().__init__(message)
        self.where = where


def loads(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        # orjson refuses what the JSON spec allows but it does not: integers beyond 64 bits
        # (tdesktop 4.0.4-4.1.1 wrote unquoted custom-emoji ids) and lone surrogates.
        try:
            return json.loads(raw)
        except RecursionError:
            # Nested deeper than orjson's limit (1024) overflows json's stack too: no
            # export nests that deep, so orjson's refusal is the answer.
            raise ValueError(str(exc)) from None


def parse_record(raw: bytes) -> Any:
    """Parse one record, raising :class:`Reject` that points inside it on bad JSON."""
    try:
        return loads(raw)
    except json.JSONDecodeError as exc:
        raise Reject(f"invalid JSON in a message: {exc.msg}", (exc.lineno, exc.colno)) from exc
    except ValueError as exc:
        raise Reject(f"invalid JSON in a message: {exc}") from exc


class JsonExportReader(FileSource):
    """Base of the JSON export readers: subclasses read the document's structure in
    :meth:`_read_root` and report bad records with :meth:`_reject`."""

    export_name = "a chat export"

    def iter_messages(self) -> Iterator[Message]:
        with self._file.open("rb") as fp:
            js = JsonStream(fp, self.path)
            if js.peek() != ord("{"):
                raise js.error(f"expected a JSON object ({self.export_name})")
            yield from self._read_root(js)
            if js.peek() is not None:
                raise js.error("unexpected data after the end of the export")
            self._sha256 = js.sha256

    def _read_root(self, js: JsonStream) -> Iterator[Message]:
        raise NotImplementedError

    def _message(self, raw: bytes, parsed: Any, channel: ChannelRef, source: SourceRef) -> Message:
        """One record as a Message; raise :class:`Reject` for a record that is not one."""
        raise NotImplementedError

    def _read_records(
        self,
        js: JsonStream,
        channel: ChannelRef,
        pointer: str,
        parse: Callable[[bytes], Any],
    ) -> Iterator[Message]:
        """Each record of the array at the cursor as a Message, bad ones reported."""
        if js.peek() != ord("["):
            raise js.error(f"expected an array of messages at '{pointer}'")
        for i in js.iter_array():
            raw, offset, parsed = js.capture_parsed(parse)
            line, col = js.position(offset)
            source = SourceRef(self.path, line, col, offset, f"{pointer}[{i}]")
            try:
                yield self._message(raw, parsed, channel, source)
            except Reject as exc:
                self._reject(exc, line, col)

    def _reject(self, exc: Reject, line: int, col: int) -> None:
        """Record a rejected record at its position, or inside it when known."""
        if exc.where is not None:
            line, col = (
                line + exc.where[0] - 1,
                (exc.where[1] if exc.where[0] > 1 else col + exc.where[1] - 1),
            )
        self.problems.append(SourceProblem(self.path, line, col, str(exc)))
