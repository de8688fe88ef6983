"""Telegram Desktop "Export chat history" / "Export Telegram data" reader (result.json).

Reads both shapes (a single chat with ``messages`` at the root, a full-account export with
``chats.list`` and ``left_chats.list``) while streaming, and every variant FORMATS.md
lists: ``text`` as a string or an array of entity objects, service messages, forwards,
replies, edits, ``from: null``, negative ids of a migrated group's history, local
``date`` versus ``date_unixtime``, tdesktop's invalid ``\\xNN`` escapes, media
placeholders, and old numeric ``from_id``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from jianghu.errors import SourceFormatError
from jianghu.records import (
    AuthorRef,
    ChannelRef,
    Message,
    MessageKind,
    SourceRef,
    TextEntity,
)
from jianghu.sources.base import ReaderSpec, register_reader
from jianghu.sources.json_export import JsonExportReader, Reject, loads, parse_record
from jianghu.sources.json_stream import JsonStream, repair_xnn

PLATFORM = "telegram"

# Chats whose message ids are global to the chat; in every other kind of chat Telegram
# numbers messages per account, so the key must carry the exporting account.
_GLOBAL_ID_CHATS = frozenset(
    {"public_channel", "private_channel", "public_supergroup", "private_supergroup"}
)
_SUPERGROUPS = frozenset({"public_supergroup", "private_supergroup"})
_ROOT_KEYS = frozenset(
    {"about", "personal_information", "chats", "left_chats", "messages", "name", "type", "id"}
)
_MEDIA_KEYS = (
    ("photo", "photo"),
    ("contact_information", "contact"),
    ("location_information", "location"),
    ("poll", "poll"),
    ("todo_list", "todo_list"),
    ("game_title", "game"),
    ("invoice_information", "invoice"),
    ("giveaway_information", "giveaway"),
    ("paid_stars_amount", "paid_media"),
)
_KINDS: dict[str, MessageKind] = {
    "message": "message",
    "service": "service",
    "unsupported": "unsupported",
}


def _parse_message(raw: bytes) -> Any:
    return loads(repair_xnn(raw))


def _timestamp(obj: dict[str, Any], unix_key: str, local_key: str) -> tuple[datetime | None, bool]:
    """Prefer the UTC epoch field; fall back to tdesktop's offset-less local time."""
    unix = obj.get(unix_key)
    if unix is not None:
        try:
            seconds = int(unix)
            if seconds < 0:  # tdesktop writes an unsigned time; Telegram began in 2013
                raise ValueError(seconds)
            return datetime.fromtimestamp(seconds, UTC), False
        except (TypeError, ValueError, OverflowError, OSError) as exc:
            raise Reject(f"'{unix_key}' is not epoch seconds: {unix!r}") from exc
    local = obj.get(local_key)
    if local is None:
        return None, False
    try:
        parsed = datetime.fromisoformat(str(local))
        # The exporting PC's zone is unknown: read it as UTC and say so in attrs. An
        # offset can push a date at either end of the calendar out of range.
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC), True
    except (ValueError, OverflowError) as exc:
        raise Reject(f"'{local_key}' is not an ISO date in range: {local!r}") from exc


def _text_and_entities(obj: dict[str, Any]) -> tuple[str, tuple[TextEntity, ...]]:
    """Rebuild the plain text and the structured entities with code-point offsets."""
    text = obj.get("text")
    if text is not None and not isinstance(text, (str, list)):
        raise Reject(f"expected a string or an array in 'text', found {type(text).__name__}")
    parts = obj.get("text_entities")
    if not isinstance(parts, list):
        if not isinstance(text, list):
            return text or "", ()
        parts = text
    pieces: list[str] = []
    entities: list[TextEntity] = []
    pos = 0
    for part in parts:
        if isinstance(part, str):
            piece, etype = part, "plain"
            part = {}
        elif isinstance(part, dict):
            piece, etype = part.get("text") or "", part.get("type") or "plain"
            if not isinstance(piece, str) or not isinstance(etype, str):
                raise Reject("expected an entity with a string 'text' and 'type' in 'text'")
        else:
            raise Reject(f"unexpected {type(part).__name__} in 'text'")
        if etype != "plain" and piece:
            href, user_id = part.get("href"), part.get("user_id")
            entities.append(
                TextEntity(
                    type=etype,
                    start=pos,
                    end=pos + len(piece),
                    text=piece,
                    href=str(href) if href is not None else None,
                    user_id=str(user_id) if user_id is not None else None,
                )
            )
        pieces.append(piece)
        pos += len(piece)
    return "".join(pieces), tuple(entities)


def _media_kind(obj: dict[str, Any]) -> str | None:
    if "file" in obj or "media_type" in obj:
        return str(obj.get("media_type") or "document")
    for key, kind in _MEDIA_KEYS:
        if key in obj:
            return kind
    return None


def _content_id(obj: dict[str, Any], text: str) -> str:
    """A stable id from what identifies a message when the export gives no id."""
    when = obj.get("date_unixtime") or obj.get("date")
    who = obj.get("from_id") or obj.get("from") or obj.get("actor_id") or obj.get("actor")
    ident = orjson.dumps([str(when), str(who), text])
    return "sha1:" + hashlib.sha1(ident, usedforsecurity=False).hexdigest()[:20]


def _scalar(obj: dict[str, Any], key: str) -> str | None:
    """A name or id field as text: a string, or an integer (old exports' numeric ids)."""
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise Reject(f"expected a string in '{key}', found {type(value).__name__}")


class TelegramExport(JsonExportReader):
    """Reads one Telegram Desktop JSON export file."""

    platform = PLATFORM
    export_name = "a Telegram Desktop export"

    def __init__(self, path: Path, account: str | None = None) -> None:
        super().__init__(path)
        self._account_option = account
        self._account: str | None = account

    # ---- document structure ------------------------------------------------------------
    def _read_root(self, js: JsonStream) -> Iterator[Message]:
        chat: dict[str, Any] = {}
        found = False
        for key in js.iter_object():
            if key == "personal_information":
                info = self._parse(js)
                if isinstance(info, dict) and info.get("user_id") is not None:
                    self._account = self._account_option or str(info["user_id"])
            elif key in ("chats", "left_chats"):
                found = True
                yield from self._read_chat_list(js, key)
            elif key == "messages":
                found = True
                yield from self._read_messages(js, chat, "messages")
            elif key in ("name", "type", "id"):
                chat[key] = self._chat_field(js, key)
            else:
                js.skip()
        if not found:
            raise SourceFormatError(
                self.path,
                1,
                1,
                "expected a Telegram Desktop export: an object with "
                "'messages' (one chat) or 'chats' (a full account export)",
            )

    def _read_chat_list(self, js: JsonStream, section: str) -> Iterator[Message]:
        if js.peek() != ord("{"):
            raise js.error(f"expected an object with a 'list' of chats at '{section}'")
        for key in js.iter_object():
            if key != "list":
                js.skip()
                continue
            if js.peek() != ord("["):
                raise js.error(f"expected an array of chats at '{section}.list'")
            for i in js.iter_array():
                if js.peek() != ord("{"):
                    raise js.error(f"expected a chat object in {section}.list")
                chat: dict[str, Any] = {}
                for ckey in js.iter_object():
                    if ckey == "messages":
                        yield from self._read_messages(js, chat, f"{section}.list[{i}].messages")
                    elif ckey in ("name", "type", "id"):
                        chat[ckey] = self._chat_field(js, ckey)
                    else:
                        js.skip()

    def _parse(self, js: JsonStream) -> Any:
        raw, offset = js.capture()
        try:
            return loads(repair_xnn(raw))
        except ValueError as exc:
            raise js.error(f"invalid JSON value: {exc}", offset) from exc

    def _chat_field(self, js: JsonStream, key: str) -> Any:
        """A chat's name, type or id; a wrong type would end up in the channel's key."""
        js.peek()
        offset = js.offset
        value = self._parse(js)
        if value is None or isinstance(value, str):
            return value
        if key == "id" and isinstance(value, int) and not isinstance(value, bool):
            return value
        what = "an integer or a string" if key == "id" else "a string"
        raise js.error(
            f"expected {what} as the chat's '{key}', found {type(value).__name__}", offset
        )

    def _read_messages(
        self, js: JsonStream, chat: dict[str, Any], pointer: str
    ) -> Iterator[Message]:
        if js.peek() != ord("["):
            raise js.error(f"expected an array of messages at '{pointer}'")
        channel = self._channel(js, chat)
        yield from self._read_records(js, channel, pointer, _parse_message)

    def _channel(self, js: JsonStream, chat: dict[str, Any]) -> ChannelRef:
        name = chat.get("name")
        kind = str(chat.get("type") or "unknown")
        # Hand-made and very old exports may lack the id; the name is the next best key.
        chat_id = str(chat["id"]) if chat.get("id") is not None else f"name:{name or ''}"
        if kind in _GLOBAL_ID_CHATS:
            key = f"channel{chat_id}"
        else:
            key = f"acct{self._account or 'unknown'}:{kind}:{chat_id}"
        return ChannelRef(PLATFORM, key, chat_id, None if name is None else str(name), kind)

    # ---- one message -------------------------------------------------------------------
    def _message(self, raw: bytes, parsed: Any, channel: ChannelRef, source: SourceRef) -> Message:
        fixed = repair_xnn(raw)
        # Positions of JSON errors refer to the repaired bytes; a \xNN repair before the
        # error on the same line shifts the column by two per repair, which we accept.
        obj = parsed if parsed is not None else parse_record(fixed)
        if not isinstance(obj, dict):
            raise Reject(f"expected a message object, found {type(obj).__name__}")
        msg_id = obj.get("id")
        if msg_id is not None and (not isinstance(msg_id, int) or isinstance(msg_id, bool)):
            raise Reject(f"expected an integer message 'id', found {msg_id!r}")
        kind = _KINDS.get(str(obj.get("type", "message")))
        if kind is None:
            raise Reject(f"unknown message type {obj.get('type')!r}")
        posted_at, assumed = _timestamp(obj, "date_unixtime", "date")
        if posted_at is None:
            raise Reject("expected 'date_unixtime' or 'date'")
        edited_at, _ = _timestamp(obj, "edited_unixtime", "edited")
        text, entities = _text_and_entities(obj)
        attrs: dict[str, str] = {}
        if assumed:
            attrs["date_assumed_utc"] = "true"
        for key in ("author", "via_bot", "saved_from", "reply_to_peer_id"):
            value = _scalar(obj, key)
            if value is not None:
                attrs[key] = value
        author_key, name_key = ("actor_id", "actor") if kind == "service" else ("from_id", "from")
        author_id, author_name = _scalar(obj, author_key), _scalar(obj, name_key)
        author = None
        if author_id is not None or author_name is not None:
            author = AuthorRef(author_id, author_name)
        reply = obj.get("reply_to_message_id")
        return Message(
            platform=PLATFORM,
            channel=channel,
            message_id=(
                self._scoped_id(msg_id, channel)
                if msg_id is not None
                # No id (hand-made exports): a content-derived one keeps re-reads idempotent.
                else _content_id(obj, text)
            ),
            kind=kind,
            author=author,
            posted_at=posted_at,
            edited_at=edited_at,
            text=text,
            entities=entities,
            raw=fixed.decode("utf-8"),
            source=source,
            reply_to=self._reply_to(reply, channel),
            forwarded_from=_scalar(obj, "forwarded_from"),
            forwarded_from_id=_scalar(obj, "forwarded_from_id"),
            media_kind=_media_kind(obj),
            action=_scalar(obj, "action") if kind == "service" else None,
            attrs=attrs,
        )

    def _reply_to(self, reply: Any, channel: ChannelRef) -> str | None:
        if reply is None:
            return None
        if not isinstance(reply, int) or isinstance(reply, bool):
            raise Reject(f"expected an integer 'reply_to_message_id', found {reply!r}")
        return self._scoped_id(reply, channel)

    def _scoped_id(self, msg_id: int, channel: ChannelRef) -> str:
        # A supergroup export carries its basic-group history with ids shifted below zero;
        # basic groups number messages per account, so those ids are scoped like one.
        if msg_id < 0 and channel.kind in _SUPERGROUPS:
            return f"acct{self._account or 'unknown'}:{msg_id}"
        return str(msg_id)


def _sniff(path: Path, head: bytes) -> bool:
    """A Telegram export is a JSON object whose first key is one tdesktop writes first."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text.startswith(b"{"):
        return False
    rest = text[1:].lstrip()
    return any(rest.startswith(b'"' + key.encode() + b'"') for key in _ROOT_KEYS)


def _open(path: Path, options: dict[str, str]) -> TelegramExport:
    return TelegramExport(path, account=options.get("account"))


register_reader(ReaderSpec(name="telegram-json", sniff=_sniff, open=_open))
