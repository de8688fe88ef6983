"""Turn records into the values both backends store, the same way for both."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

import orjson

from jianghu.analysis.entities import Entity
from jianghu.records import AuthorRef, Message, TextEntity
from jianghu.store.textsafe import storable, storable_or_none


def entities_json(entities: tuple[TextEntity, ...]) -> str:
    out = []
    for e in entities:
        item: dict[str, object] = {
            "type": e.type,
            "start": e.start,
            "end": e.end,
            "text": storable(e.text),
        }
        if e.href is not None:
            item["href"] = storable(e.href)
        if e.user_id is not None:
            item["user_id"] = e.user_id
        out.append(item)
    return orjson.dumps(out).decode()


def content_hash(message: Message) -> str:
    """What makes two readings of one message different versions of it.

    Reactions, view counts and media download state change between exports without the
    author changing anything, so they are not part of it; text, entities, edit time and
    media kind are.
    """
    ident = orjson.dumps(
        [
            message.kind,
            storable(message.text),
            message.edited_at.isoformat() if message.edited_at else None,
            [(e.type, e.start, e.end, storable_or_none(e.href)) for e in message.entities],
            message.media_kind,
        ],
        option=orjson.OPT_PASSTHROUGH_DATACLASS,
    )
    return hashlib.sha1(ident, usedforsecurity=False).hexdigest()


def author_key(author: AuthorRef | None) -> str | None:
    """Authors are keyed by platform id; sources that give only a name key by name."""
    if author is None:
        return None
    if author.platform_id:
        return author.platform_id
    if author.display_name:
        return "name:" + storable(author.display_name)
    return None


@dataclass(slots=True)
class StoredState:
    """The current version of a stored message, as far as versioning needs it."""

    id: int
    content_hash: str
    posted_at: datetime
    edited_at: datetime | None
    text: str
    entities: str
    raw: str
    source_file_id: int | None

    def moment(self) -> datetime:
        return self.edited_at or self.posted_at


MESSAGE_COLUMNS = (
    "id", "platform", "channel_id", "message_id", "kind", "author_id", "posted_at",
    "edited_at", "text", "entities", "reply_to", "forwarded_from", "forwarded_from_id",
    "media_kind", "action", "attrs", "raw", "content_hash", "source_file_id", "source_line",
    "source_col", "source_offset", "source_pointer",
)  # fmt: skip
UPDATABLE = MESSAGE_COLUMNS[4:]  # everything but id, platform, channel and message id
TEXT, ENTITIES, RAW = (MESSAGE_COLUMNS.index(c) for c in ("text", "entities", "raw"))


def message_row(
    message: Message,
    *,
    row_id: int,
    channel_id: int,
    author_id: int | None,
    digest: str,
    source_file_id: int | None,
    posted_at: object,
    edited_at: object,
) -> tuple[object, ...]:
    """One ``messages`` row in MESSAGE_COLUMNS order (timestamps already in the
    backend's form). Built as a tuple directly: this runs once per message on ingest."""
    src = message.source
    return (
        row_id,
        message.platform,
        channel_id,
        storable(message.message_id),
        message.kind,
        author_id,
        posted_at,
        edited_at,
        storable(message.text),
        entities_json(message.entities) if message.entities else "[]",
        message.reply_to,
        storable_or_none(message.forwarded_from),
        message.forwarded_from_id,
        message.media_kind,
        message.action,
        orjson.dumps({k: storable(v) for k, v in message.attrs.items()}).decode()
        if message.attrs
        else "{}",
        storable(message.raw),
        digest,
        source_file_id,
        src.line,
        src.col,
        src.byte_offset,
        src.pointer,
    )


def entity_rows(message_id: int, entities: tuple[Entity, ...]) -> list[tuple[object, ...]]:
    """``message_entities`` rows of one message (values kept as found: masking is the
    faces' job, so an analyst's reveal shows the truth)."""
    return [
        (
            message_id,
            e.type,
            storable(e.value),
            storable(e.normalized),
            e.start,
            e.end,
            orjson.dumps({k: storable(v) for k, v in e.attrs.items()}).decode(),
        )
        for e in entities
    ]


def list_has(column: str, value: str, negate: bool = False) -> tuple[str, str]:
    """SQL condition and its parameter: the comma-separated list in ``column`` (categories,
    regions) holds ``value`` exactly — delimited on both sides, so a value never matches
    part of another, and taken literally (LIKE wildcards escaped with ``!``)."""
    literal = value.replace("!", "!!").replace("%", "!%").replace("_", "!_")
    op = "NOT LIKE" if negate else "LIKE"
    return f"(',' || {column} || ',') {op} ? ESCAPE '!'", f"%,{literal},%"
