"""The streaming scanner: chunk-size invariance, positions, bounded memory, errors."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jianghu.errors import SourceFormatError
from jianghu.sources.json_stream import JsonStream, repair_xnn

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.text(st.characters(exclude_categories=("Cs",)), max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=20,
)


def walk(data: bytes, chunk_size: int) -> list[tuple[str, Any]]:
    """Descend into a top-level object's arrays, capturing each element."""
    js = JsonStream(io.BytesIO(data), "t.json", chunk_size=chunk_size)
    out: list[tuple[str, Any]] = []
    for key in js.iter_object():
        if js.peek() == ord("["):
            for _ in js.iter_array():
                raw, _offset = js.capture()
                out.append((key, orjson.loads(repair_xnn(raw))))
        else:
            raw, _offset = js.capture()
            out.append((key, orjson.loads(raw)))
    assert js.peek() is None
    return out


@settings(max_examples=150, deadline=None)
@given(
    doc=st.dictionaries(
        st.text(max_size=6), st.lists(json_values, max_size=5) | json_values, max_size=5
    ),
    indent=st.sampled_from([None, 1, 2]),
    chunk_size=st.integers(1, 64),
)
def test_any_chunk_size_reads_the_same(
    doc: dict[str, Any], indent: int | None, chunk_size: int
) -> None:
    data = json.dumps(doc, indent=indent, ensure_ascii=False).encode()
    expected: list[tuple[str, Any]] = []
    for key, value in doc.items():
        if isinstance(value, list):
            expected.extend((key, v) for v in value)
        else:
            expected.append((key, value))
    # json.dumps keeps the last of duplicate keys; so does a dict, so compare as dicts.
    assert walk(data, chunk_size) == expected


def test_positions_are_line_and_character_columns() -> None:
    data = '{"a": [\n  "中文",\n    {"k": "é"}\n]}'.encode()
    js = JsonStream(io.BytesIO(data), "t.json", chunk_size=3)
    positions = []
    for _ in js.iter_object():
        for _ in js.iter_array():
            _raw, offset = js.capture()
            positions.append(js.position(offset))
    assert positions == [(2, 3), (3, 5)]


def test_memory_stays_bounded_by_the_chunk_not_the_file() -> None:
    chunk = 4096
    record = {"id": 1, "text": "出料 " * 30}
    n = 20_000  # about 2.5 MB
    data = (
        b'{"messages": [' + b",".join(orjson.dumps({**record, "id": i}) for i in range(n)) + b"]}"
    )
    js = JsonStream(io.BytesIO(data), "big.json", chunk_size=chunk)
    largest = 0
    count = 0
    for _ in js.iter_object():
        for _ in js.iter_array():
            js.capture()
            count += 1
            largest = max(largest, len(js._buf))
    assert count == n
    assert largest <= 2 * chunk + 300


def test_utf8_split_across_chunks_is_fine_and_bad_utf8_is_located() -> None:
    good = '{"a": "一二三四五六七八九十"}'.encode()
    for size in range(1, 8):
        assert walk(good, size) == [("a", "一二三四五六七八九十")]
    bad = b'{"a": [\n "ok",\n "\xc4\xe3\xba\xc3"\n]}'  # GBK for 你好
    with pytest.raises(SourceFormatError) as info:
        walk(bad, 5)
    assert (info.value.line, info.value.col) == (3, 3)
    assert "expected UTF-8" in info.value.message


@pytest.mark.parametrize(
    ("data", "line", "col", "fragment"),
    [
        (b'{"a": [1, 2', 1, 12, "expected ',' or ']' in an array, found end of file"),
        (b'{"a": [1, {"b": 2', 1, 18, "unclosed object or array"),
        (b'{"a": "abc', 1, 7, "unterminated string"),
        (b'{"a" 1}', 1, 6, "expected ':'"),
        (b'{"a": 1 "b": 2}', 1, 9, "expected ',' or '}'"),
        (b"[1]", 1, 1, "expected '{'"),
    ],
)
def test_errors_name_the_position(data: bytes, line: int, col: int, fragment: str) -> None:
    with pytest.raises(SourceFormatError) as info:
        walk(data, 4)
    assert (info.value.line, info.value.col) == (line, col)
    assert fragment in info.value.message
    assert str(info.value).startswith(f"t.json:{line}:{col}: ")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (rb'"\x07"', "\x07"),
        (rb'"\\x41"', "\\x41"),  # a user's literal backslash-x survives
        (rb'"\\\x41"', "\\A"),  # an odd run: escaped backslash, then \x41
        (rb'"a\x1Fb"', "a\x1fb"),
    ],
)
def test_repair_xnn(raw: bytes, expected: str) -> None:
    assert orjson.loads(repair_xnn(raw)) == expected


# The pattern repair_xnn used before it was made fast, kept as its specification: a
# backslash-x with two hex digits after an even run of backslashes (or none).
_XNN_SPEC = re.compile(rb"(?<!\\)((?:\\\\)*)\\x([0-9A-Fa-f]{2})")


@settings(max_examples=3000, deadline=None)
@given(
    st.lists(st.sampled_from([b"\\", b"x", b"4", b"1", b"a", b"F", b"g", b'"', b"\xe4\xb8\xad"]))
)
def test_repair_xnn_matches_its_specification(pieces: list[bytes]) -> None:
    raw = b"".join(pieces)
    assert repair_xnn(raw) == _XNN_SPEC.sub(rb"\1\\u00\2", raw)
