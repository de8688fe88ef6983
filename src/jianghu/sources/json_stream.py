"""Stream a large JSON document value by value, with positions in the original file.

Exports reach gigabytes, so the reader walks the document's outer structure (objects and
arrays it is told to descend into) and captures each inner value, a message for instance,
as the exact bytes it occupies in the file. Each captured value is then parsed on its own
with orjson. This keeps memory bounded by the largest single value, lets us repair
tdesktop's invalid ``\\xNN`` escapes value by value, and gives every value and every error
a ``line:col`` in the original file.

The scanner finds the end of a value with one regular expression that matches whole
strings (so brackets inside text are skipped) or a single bracket; the regex engine does
the per-byte work in C.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Callable, Iterator
from typing import BinaryIO, TypeVar

import orjson

from jianghu.errors import SourceFormatError

_WS = re.compile(rb"[ \t\r\n]*")
# A whole string (group 1 set when it is closed within the buffer) or one bracket.
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*(")?|[\[\]{}]', re.S)
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*(")?', re.S)
_SCALAR = re.compile(rb"[^ \t\r\n,\]}:\[{\"]+")
# tdesktop writes control characters as \xNN, which is not JSON (tdesktop#27571). Only an
# odd run of backslashes starts an escape, so a user's literal "\\x41" is left alone.
# The pattern starts with its literal, which the regex engine finds like bytes.find; the
# run of backslashes before it is counted only where it matches (a pattern that checked
# the run itself was tried at every byte: 9 s for a 195 MB export instead of 0.7 s).
_XNN = re.compile(rb"\\x[0-9A-Fa-f]{2}")
_BOM = b"\xef\xbb\xbf"
_OPEN = frozenset(b"{[")

CHUNK_SIZE = 1 << 20
T = TypeVar("T")


def repair_xnn(raw: bytes) -> bytes:
    """Rewrite tdesktop's ``\\xNN`` escapes as JSON ``\\u00NN`` escapes."""
    if b"\\x" not in raw:
        return raw

    def rewrite(m: re.Match[bytes]) -> bytes:
        start = before = m.start()
        while before and raw[before - 1] == 0x5C:  # the backslashes before this one
            before -= 1
        if (start - before) % 2:  # this backslash is itself escaped: a literal "\\x"
            return m.group()
        return b"\\u00" + m.group()[2:]

    return _XNN.sub(rewrite, raw)


def _describe(byte: int | None) -> str:
    if byte is None:
        return "end of file"
    ch = chr(byte)
    return repr(ch) if ch.isprintable() and byte < 0x80 else f"byte 0x{byte:02x}"


class JsonStream:
    """A pull scanner over one JSON document read from a binary file."""

    def __init__(self, fp: BinaryIO, path: str, chunk_size: int = CHUNK_SIZE) -> None:
        self._fp = fp
        self.path = path
        self._chunk_size = chunk_size
        self._buf = b""
        self._pos = 0  # cursor within _buf
        self._base = 0  # file offset of _buf[0]
        self._eof = False
        self._bad_utf8: SourceFormatError | None = None  # raised once the reader gets there
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._sha256 = hashlib.sha256()
        self._read_total = 0
        # Newline bookkeeping: lines counted in the file up to _nl_upto.
        self._nl_upto = 0
        self._nl_count = 0
        self._line_start = 0  # file offset of the first byte of the current line
        self._fill()
        if self._buf.startswith(_BOM):
            self._pos = len(_BOM)
            self._line_start = len(_BOM)

    # ---- reading ---------------------------------------------------------------------
    @property
    def sha256(self) -> str:
        """Digest of the bytes read so far; of the whole file once it was read to the end."""
        return self._sha256.hexdigest()

    @property
    def bytes_read(self) -> int:
        return self._read_total

    @property
    def offset(self) -> int:
        """File offset of the cursor."""
        return self._base + self._pos

    def _fill(self, keep_from: int | None = None) -> bool:
        """Read one more chunk, dropping buffered bytes before ``keep_from``.

        Invalid UTF-8 ends the buffer at the bad byte: the values before it are still
        read, and the error is raised when the reader needs the bytes after it.
        """
        if self._eof:
            if self._bad_utf8 is not None:
                raise self._bad_utf8
            return False
        keep = self._pos if keep_from is None else keep_from
        chunk = self._fp.read(self._chunk_size)
        chunk_offset = self._read_total
        if not chunk:
            self._eof = True
            self._check_utf8(b"", chunk_offset)
            return self._fill()  # raises what the final check found, else returns False
        self._read_total += len(chunk)
        self._sha256.update(chunk)
        if keep:
            self._advance_lines(self._base + keep)
            self._buf = self._buf[keep:]
            self._base += keep
            self._pos -= keep
        self._buf += chunk
        self._check_utf8(chunk, chunk_offset)
        return True

    def _check_utf8(self, chunk: bytes, chunk_offset: int) -> None:
        """Validate UTF-8 across chunk boundaries; on a bad byte, note the error at its
        position and cut the buffer there (the bytes after it are never scanned)."""
        pending = len(self._utf8.getstate()[0])
        try:
            self._utf8.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            bad = max(chunk_offset - pending + exc.start, self._base + self._pos)
            self._buf = self._buf[: bad - self._base]
            self._eof = True
            line, col = self.position(bad)
            self._bad_utf8 = SourceFormatError(
                self.path,
                line,
                col,
                f"{exc.reason} (byte 0x{exc.object[exc.start]:02x}); expected UTF-8 text",
            )
            self._bad_utf8.__cause__ = exc

    # ---- positions -------------------------------------------------------------------
    def _advance_lines(self, offset: int) -> None:
        """Count the newlines between what was counted and ``offset`` (must be buffered)."""
        buf, base = self._buf, self._base
        lo = self._nl_upto - base
        hi = min(offset - base, len(buf))
        if hi > lo:
            n = buf.count(b"\n", lo, hi)
            if n:
                self._nl_count += n
                self._line_start = base + buf.rindex(b"\n", lo, hi) + 1
            self._nl_upto = base + hi

    def position(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a buffered file offset.

        The column counts characters when the line start is still buffered, bytes otherwise
        (only a document with lines longer than the buffer hits that case).
        """
        buf, base = self._buf, self._base
        if offset >= self._nl_upto:
            self._advance_lines(offset)
            line, line_start = self._nl_count + 1, self._line_start
        else:  # an earlier offset (rare: errors); count back from what we know
            lo = max(offset - base, 0)
            line = self._nl_count + 1 - buf.count(b"\n", lo, self._nl_upto - base)
            nl = buf.rfind(b"\n", 0, lo)
            line_start = base + nl + 1 if nl >= 0 else self._line_start
        start_in_buf = line_start - base
        if 0 <= start_in_buf <= offset - base <= len(buf):
            col = len(buf[start_in_buf : offset - base].decode("utf-8", "replace")) + 1
        else:
            col = offset - line_start + 1
        return line, col

    def error(self, message: str, offset: int | None = None) -> SourceFormatError:
        line, col = self.position(self.offset if offset is None else offset)
        return SourceFormatError(self.path, line, col, message)

    # ---- tokens ----------------------------------------------------------------------
    def peek(self) -> int | None:
        """Skip whitespace and return the next byte (None at end of file)."""
        while True:
            m = _WS.match(self._buf, self._pos)
            assert m is not None  # the pattern matches the empty string
            self._pos = m.end()
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._fill():
                return None

    def expect(self, byte: bytes, what: str) -> None:
        got = self.peek()
        if got != byte[0]:
            raise self.error(f"expected {what}, found {_describe(got)}")
        self._pos += 1

    def read_key(self) -> str:
        """Read an object key (a short string) and the colon after it."""
        if self.peek() != 0x22:
            raise self.error(f"expected a string key, found {_describe(self.peek())}")
        raw, offset = self.capture()
        try:
            key = orjson.loads(repair_xnn(raw))
        except ValueError as exc:
            raise self.error("invalid string key", offset) from exc
        self.expect(b":", "':' after an object key")
        return str(key)

    def iter_object(self) -> Iterator[str]:
        """Yield each key of the next object; the caller must consume each value."""
        self.expect(b"{", "'{' (a JSON object)")
        if self.peek() == 0x7D:
            self._pos += 1
            return
        while True:
            yield self.read_key()
            nxt = self.peek()
            if nxt == 0x2C:
                self._pos += 1
            elif nxt == 0x7D:
                self._pos += 1
                return
            else:
                raise self.error(f"expected ',' or '}}' in an object, found {_describe(nxt)}")

    def iter_array(self) -> Iterator[int]:
        """Yield the index of each element of the next array; the caller consumes each."""
        self.expect(b"[", "'[' (a JSON array)")
        if self.peek() == 0x5D:
            self._pos += 1
            return
        index = 0
        while True:
            yield index
            index += 1
            nxt = self.peek()
            if nxt == 0x2C:
                self._pos += 1
            elif nxt == 0x5D:
                self._pos += 1
                return
            else:
                raise self.error(f"expected ',' or ']' in an array, found {_describe(nxt)}")

    def capture(self) -> tuple[bytes, int]:
        """Return the raw bytes of the next value and its file offset.

        The bytes are checked for balance only; parsing them (and so full validation) is
        the caller's job, which lets a caller reject one bad value and carry on.
        """
        first = self.peek()
        if first is None:
            raise self.error("unexpected end of file; expected a value")
        if first in _OPEN:
            end, start = self._scan_container(self._pos)
        elif first == 0x22:
            end, start = self._scan_regex(_STRING, self._pos, "unterminated string")
        else:
            end, start = self._scan_regex(_SCALAR, self._pos, "")
            if end == start:
                raise self.error(f"expected a value, found {_describe(first)}")
        # The scans may refill and shift the buffer; they return positions in the new one.
        raw = self._buf[start:end]
        self._pos = end
        return raw, self._base + start

    def capture_parsed(self, parse: Callable[[bytes], T]) -> tuple[bytes, int, T | None]:
        """Like :meth:`capture`, plus the value parsed by ``parse`` when the fast path
        applies (None otherwise: the caller parses and reports errors itself).

        Pretty-printed exports (tdesktop indents every level) close an object on its own
        line at the indentation it opened with, so one ``bytes.find`` finds the candidate
        end without scanning every string. The candidate is only trusted when ``parse``
        accepts it: a slice that parses as one whole object is that object, because an
        object ends exactly at its matching brace.
        """
        if self.peek() == 0x7B:
            buf, start = self._buf, self._pos
            line_start = buf.rfind(b"\n", 0, start) + 1
            indent = buf[line_start:start]
            if line_start > 0 and not indent.strip(b" \t"):
                closing = b"\n" + indent + b"}"
                found = buf.find(closing, start)
                if found >= 0:
                    end = found + len(closing)
                    raw = buf[start:end]
                    try:
                        value = parse(raw)
                    except ValueError:
                        pass  # not the end after all, or bad JSON: the slow path decides
                    else:
                        self._pos = end
                        return raw, self._base + start, value
        raw, offset = self.capture()
        return raw, offset, None

    def skip(self) -> None:
        self.capture()

    def _scan_regex(
        self, pattern: re.Pattern[bytes], start: int, unterminated: str
    ) -> tuple[int, int]:
        """Match a string (``unterminated`` names the failure) or a scalar at ``start``."""
        while True:
            m = pattern.match(self._buf, start)
            end = m.end() if m else start
            closed = not unterminated or (m is not None and m.lastindex == 1)
            if closed and (unterminated or end < len(self._buf)):
                return end, start
            if not self._fill(keep_from=start):
                if not closed:
                    raise self.error(f"unexpected end of file; {unterminated}", self._base + start)
                return end, start
            start = 0  # _fill dropped everything before start

    def _scan_container(self, start: int) -> tuple[int, int]:
        buf = self._buf
        i, depth = start, 0
        search = _TOKEN.search
        while True:
            m = search(buf, i)
            if m is None or (buf[m.start()] == 0x22 and m.lastindex is None):
                resume = len(buf) if m is None else m.start()
                if not self._fill(keep_from=start):
                    what = "unterminated string" if m is not None else "unclosed object or array"
                    offset = self._base + (resume if m is not None else len(self._buf))
                    raise self.error(f"unexpected end of file; {what}", offset)
                resume -= start
                start = 0
                buf = self._buf
                i = resume
                continue
            c = buf[m.start()]
            i = m.end()
            if c == 0x22:
                continue
            if c in _OPEN:
                depth += 1
            else:
                depth -= 1
                if depth == 0:
                    return i, start
