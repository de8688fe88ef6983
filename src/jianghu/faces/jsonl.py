"""JSONL ``{"id","text"}`` input for the store-less commands (extract, annotate).

Every input line gets exactly one output line, in order: a line that is not a JSON
object with a string ``text`` gets an error object for that line instead of stopping
the run.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import msgspec
import orjson

from jianghu.errors import SourceError


class InputLine(msgspec.Struct, frozen=True):
    id: Any
    text: str
    error: str | None = None


def _lines(source: str) -> Iterator[tuple[int, bytes]]:
    stream: IO[bytes]
    if source == "-":
        stream = sys.stdin.buffer
        yield from enumerate(stream, start=1)
        return
    try:
        with Path(source).open("rb") as stream:
            yield from enumerate(stream, start=1)
    except OSError as exc:
        raise SourceError(source, f"cannot open: {exc.strerror or exc}") from exc


def _unreadable(raw: bytes, exc: orjson.JSONDecodeError) -> str:
    """Where and why a line is not JSON: "col: reason" (a bad byte at its own column)."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as bad:
        col = len(raw[: bad.start].decode("utf-8")) + 1
        return f"{col}: invalid UTF-8 (byte 0x{raw[bad.start]:02x})"
    return f"{exc.colno}: invalid JSON: {exc.msg}"


def read_jsonl_texts(source: str, require_text: bool = False) -> Iterator[InputLine]:
    """One item per line, blank lines included (as errors: one line out per line in);
    with ``require_text``, messages whose text is empty are errors too."""
    name = "<stdin>" if source == "-" else source
    for number, raw in _lines(source):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]  # a byte-order mark, as editors on Windows write
        if not raw.strip():
            yield InputLine(None, "", f"{name}:{number}:1: empty line")
            continue
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            yield InputLine(None, "", f"{name}:{number}:{_unreadable(raw, exc)}")
            continue
        if not isinstance(obj, dict):
            yield InputLine(None, "", f'{name}:{number}:1: expected an object {{"id","text"}}')
            continue
        if isinstance(obj.get("id"), float):
            # orjson reads an integer beyond 64 bits as a float; the id must come back
            # exactly as it was given, so such a line is read again by the json module.
            obj["id"] = json.loads(raw).get("id")
        text = obj.get("text")
        if not isinstance(text, str):
            yield InputLine(obj.get("id"), "", f"{name}:{number}:1: expected a string 'text'")
            continue
        if require_text and not text.strip():
            yield InputLine(obj.get("id"), "", f"{name}:{number}:1: 'text' is empty")
            continue
        yield InputLine(obj.get("id"), text)


def entity_json(e: Any) -> dict[str, Any]:
    """An indicator as extract and annotate print it."""
    return {
        "type": e.type,
        "value": e.value,
        "normalized": e.normalized,
        "start": e.start,
        "end": e.end,
        "valid": e.valid,
        "attrs": e.attrs,
    }
