"""WhatsApp "Export chat" reader: a ``.txt`` file, or a ``.zip`` holding ``_chat.txt``.

A message is a header line (``DATE, TIME - AUTHOR: TEXT`` or ``[DATE, TIME] AUTHOR: TEXT``)
plus every following line up to the next header. The file is read twice, streaming: the
first pass only votes on the date order (day-first, month-first, year-first) over the
whole file, the second builds messages. Decisions the file could not settle (the date
order, the time zone) go to ``warnings`` and to each message's ``attrs``; a header with an
impossible date or time is a rejected record in ``problems`` together with its following
lines (gluing them onto the previous message would change that message's text and key).

WhatsApp has no message ids, so ``message_id`` hashes (chat, local time as written,
author, text) plus a counter for identical repeats within the minute: a later export of
the same chat that starts earlier or later yields the same ids for the same messages.
"""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from pathlib import Path
from typing import IO

import orjson

from jianghu.errors import ConfigError, SourceFormatError
from jianghu.records import AuthorRef, ChannelRef, Message, SourceProblem, SourceRef
from jianghu.sources import whatsapp_formats as wf
from jianghu.sources.base import FileSource, ReaderSpec, parse_tz_offset, register_reader

PLATFORM = "whatsapp"

# Limits against zip bombs (a 200 KB zip can hold gigabytes of one repeated letter). A
# real export is text only (media are separate files) of at most the latest tens of
# thousands of messages: a few MB, tens at the very most. 1 GiB of chat text from a zip is
# no real export, so a zip member that states a larger size is refused.
MAX_CHAT_BYTES = 1 << 30
# WhatsApp caps a message at 65,536 characters, at most 256 KiB of UTF-8. A line of more
# bytes than this stops the file (it would have to be held whole to find its end); a
# message of more characters, over many lines, is a rejected record whose lines beyond
# the limit are not kept.
MAX_MESSAGE_SIZE = 1 << 20


class _Reject(Exception):
    """A header line that cannot become a message; ``col`` points into the line."""

    def __init__(self, message: str, col: int) -> None:
        super().__init__(message)
        self.col = col


class _Line:
    __slots__ = ("number", "offset", "raw", "text")

    def __init__(self, number: int, offset: int, raw: str, text: str) -> None:
        self.number, self.offset, self.raw, self.text = number, offset, raw, text


_TOO_BIG = f"expected at most {MAX_CHAT_BYTES:,} bytes of chat text (a zip bomb?)"


def _chat_member(archive: zipfile.ZipFile) -> str | None:
    """The chat text inside an export zip: ``_chat.txt`` (iOS) or the one ``.txt``."""
    names = [n for n in archive.namelist() if n.lower().endswith(".txt")]
    for name in names:
        if name.rsplit("/", 1)[-1] == "_chat.txt":
            return name
    chats = [n for n in names if "whatsapp" in n.lower()] or names
    return chats[0] if chats else None


class WhatsAppExport(FileSource):
    """Reads one WhatsApp chat export (``.txt`` or ``.zip``)."""

    platform = PLATFORM

    def __init__(self, path: Path, options: dict[str, str] | None = None) -> None:
        options = options or {}
        super().__init__(path)
        self._repeats: dict[tuple[str, str, str], int] = {}
        self._minute = ""
        self._order, self._order_attr = "dmy", "dmy"  # set by the first pass
        tz = options.get("tz_offset")
        self._tz = parse_tz_offset(tz) if tz else None
        self._fallback = options.get("date_order", "dmy").lower()
        self._order_option = "date_order" in options
        if self._fallback not in wf.DATE_ORDERS:
            raise ConfigError(f"date_order must be one of dmy, mdy, ymd, not {self._fallback!r}")
        name = options.get("chat") or wf.chat_name_from_file(path.stem)
        if name is None:
            # No name in the file name (renamed or "_chat.txt" alone): the stem is the best
            # we have, but a renamed second export of the chat would get another key.
            name = path.stem
            self.warnings.append(
                f"chat name not found in the file name; using {name!r} "
                "(pass the 'chat' option so later exports of this chat share its key)"
            )
        key = wf.chat_key(name)
        self._channel = ChannelRef(PLATFORM, key, key.removeprefix("chat:"), name, "chat")

    # ---- reading lines -----------------------------------------------------------------
    @contextmanager
    def _open_text(self) -> Iterator[IO[bytes]]:
        if not zipfile.is_zipfile(self._file):
            with self._file.open("rb") as fp:
                yield fp
            return
        with zipfile.ZipFile(self._file) as archive:
            member = _chat_member(archive)
            if member is None:
                raise SourceFormatError(self.path, 1, 1, "zip holds no .txt chat export")
            size = archive.getinfo(member).file_size
            if size > MAX_CHAT_BYTES:
                raise SourceFormatError(
                    self.path, 1, 1, f"{member} in the zip is {size:,} bytes; {_TOO_BIG}"
                )
            with archive.open(member) as fp:
                yield fp

    def _lines(self, digest: hashlib._Hash | None = None) -> Iterator[_Line]:
        offset = 0
        with self._open_text() as fp:
            for number, data in self._raw_lines(fp):
                if len(data) > MAX_MESSAGE_SIZE:
                    raise SourceFormatError(
                        self.path,
                        number,
                        1,
                        f"line longer than {MAX_MESSAGE_SIZE:,} bytes; expected a chat message",
                    )
                if digest is not None:
                    digest.update(data)
                try:
                    raw = data.decode("utf-8")
                except UnicodeDecodeError as exc:
                    col = len(data[: exc.start].decode("utf-8", "replace")) + 1
                    raise SourceFormatError(
                        self.path,
                        number,
                        col,
                        f"invalid UTF-8 byte 0x{data[exc.start]:02x}; expected UTF-8 text",
                    ) from exc
                yield _Line(number, offset, raw, wf.normalise(raw.rstrip("\r\n")))
                offset += len(data)

    def _raw_lines(self, fp: IO[bytes]) -> Iterator[tuple[int, bytes]]:
        """Numbered lines of at most one byte over the limit; a damaged zip is a located
        error.

        zipfile never returns more than the member's stated size: a member that holds
        more (a lying header) fails its CRC check at the end instead.
        """
        number = 1
        while True:
            try:
                data = fp.readline(MAX_MESSAGE_SIZE + 1)
            except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
                raise SourceFormatError(
                    self.path, number, 1, f"damaged zip ({exc}); expected a readable chat file"
                ) from exc
            if not data:
                return
            yield number, data
            number += 1

    def _decide_order(self) -> tuple[str, str]:
        """First pass: vote on the date order; returns (order, attrs value)."""
        votes = wf.DateOrderVotes()
        try:
            for line in self._lines():
                head = wf.match_header(line.text)
                if head is not None:
                    votes.add(head.fields)
        except SourceFormatError:
            # The second pass stops at the same line with the same error; until then it
            # reads every message, in the order the lines before the break decide.
            if votes.headers == 0:
                raise
        if votes.headers == 0:
            raise SourceFormatError(
                self.path, 1, 1, "expected a WhatsApp chat export: no line starts with a date"
            )
        order, warning = votes.decide(self._fallback)
        attr = order
        if warning is None and self._order_option and order != self._fallback:
            warning = f"date_order option {self._fallback} ignored: the dates can only be {order}"
        elif warning is not None and self._order_option and not votes.day_first + votes.month_first:
            warning, attr = None, f"option {order}"  # the analyst said so: no warning
        elif warning is not None:
            attr = f"assumed {order}"
        if warning is not None and warning not in self.warnings:  # read twice, warn once
            self.warnings.append(warning)
        return order, attr

    # ---- records -----------------------------------------------------------------------
    def iter_messages(self) -> Iterator[Message]:
        self._order, self._order_attr = self._decide_order()
        digest = hashlib.sha256()
        self._repeats, self._minute = {}, ""
        head: wf.Header | None = None
        record: list[_Line] = []
        size = 0  # bytes of the record, kept lines or not
        for line in self._lines(digest):
            if (next_head := wf.match_header(line.text)) is not None:
                if head is not None:
                    yield from self._record(head, record, size)
                head, record, size = next_head, [line], len(line.raw)
            elif head is not None:
                size += len(line.raw)
                if size <= MAX_MESSAGE_SIZE:
                    record.append(line)
            elif line.text.strip():
                self.problems.append(
                    SourceProblem(self.path, line.number, 1, "text before the first message")
                )
        if head is not None:
            yield from self._record(head, record, size)
        if zipfile.is_zipfile(self._file):  # the digest is of the file as given
            with self._file.open("rb") as fp:
                self._sha256 = hashlib.file_digest(fp, "sha256").hexdigest()
        else:
            self._sha256 = digest.hexdigest()

    def _record(self, head: wf.Header, lines: list[_Line], size: int) -> Iterator[Message]:
        try:
            if size > MAX_MESSAGE_SIZE:
                raise _Reject(f"message longer than {MAX_MESSAGE_SIZE:,} characters", 1)
            yield self._message(head, lines)
        except _Reject as exc:
            self.problems.append(SourceProblem(self.path, lines[0].number, exc.col, str(exc)))

    def _message(self, head: wf.Header, lines: list[_Line]) -> Message:
        first = lines[0]
        try:
            local = wf.to_datetime(head, self._order)
        except ValueError as exc:
            raise _Reject(f"not a valid date or time: {exc}", head.date_col) from exc
        body = "\n".join([head.rest, *(line.text for line in lines[1:])]).rstrip()
        split = wf.split_author(body)
        action = wf.service_action(body, split)
        if action is None and split is not None and wf.chat_key(split[0]) == self._channel.key:
            # iOS attributes system lines to the chat itself ("Group: You created …").
            action = wf.service_action(split[1], None)
            action = None if action == "other" else action
        attrs = {"date_order": self._order_attr}
        author: AuthorRef | None = None
        media: str | None = None
        who = ""
        if action is None and split is not None:
            who, text = split
            author = AuthorRef(None, who)
            text, media, extra = wf.strip_markers(text)
            attrs.update(extra)
        else:
            text = body
            if split is not None and action == "encryption_notice" and not wf.is_notice(body):
                text, attrs["attributed_to"] = split[1], split[0]
        stamp = local.isoformat(timespec="seconds" if head.second is not None else "minutes")
        if self._tz is None:
            attrs["time_assumed_utc"] = "true"
            posted = local.replace(tzinfo=UTC)
        else:
            try:
                posted = local.replace(tzinfo=self._tz).astimezone(UTC)
            except OverflowError:  # the offset pushed year 9999 out of range
                raise _Reject("date out of range in UTC", head.date_col) from None
        raw = "".join(line.raw for line in lines)
        return Message(
            platform=PLATFORM,
            channel=self._channel,
            message_id=self._message_id(stamp, who, body),
            kind="message" if action is None else "service",
            author=author,
            posted_at=posted,
            text=text,
            raw=raw.removesuffix("\n").removesuffix("\r"),
            source=SourceRef(self.path, first.number, 1, first.offset, f"line {first.number}"),
            media_kind=media,
            action=action,
            attrs=attrs,
        )

    def _message_id(self, stamp: str, who: str, body: str) -> str:
        """Content hash plus a repeat counter kept for the current minute only.

        The counter restarts each minute so memory stays bounded and an export that begins
        mid-chat counts the same way as one that began earlier (unless it starts inside a
        minute holding identical repeats, which no content key can tell apart).
        """
        minute = stamp[:16]
        if minute != self._minute:
            self._minute, self._repeats = minute, {}
        ident = (stamp, who, body)
        n = self._repeats.get(ident, 0)
        self._repeats[ident] = n + 1
        payload = orjson.dumps([self._channel.key, stamp, who, body, n])
        return "wa:" + hashlib.sha256(payload).hexdigest()[:24]


def _head_text(path: Path, head: bytes) -> str:
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(path) as archive:
                member = _chat_member(archive)
                if member is None:
                    return ""
                with archive.open(member) as fp:
                    head = fp.read(4096)
        except (OSError, zipfile.BadZipFile, RuntimeError):
            return ""
    return head.decode("utf-8", "ignore")


def _sniff(path: Path, head: bytes) -> bool:
    """A .txt or .zip whose first non-empty line is a WhatsApp message header."""
    if path.suffix.lower() not in (".txt", ".zip"):
        return False
    for line in _head_text(path, head).splitlines():
        text = wf.normalise(line).strip()
        if text:
            return wf.match_header(text) is not None
    return False


def _open(path: Path, options: dict[str, str]) -> WhatsAppExport:
    return WhatsAppExport(path, options)


register_reader(ReaderSpec(name="whatsapp-txt", sniff=_sniff, open=_open))
