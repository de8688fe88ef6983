"""Turn records into the values both backends store, the same way for both."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

import orjson

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


def message_values(message: Message) -> dict[str, object]:
    """Column values of ``messages`` that come from the record itself."""
    return {
        "platform": message.platform,
        "message_id": storable(message.message_id),
        "kind": message.kind,
        "posted_at": message.posted_at,
        "edited_at": message.edited_at,
        "text": storable(message.text),
        "entities": entities_json(message.entities),
        "reply_to": message.reply_to,
        "forwarded_from": storable_or_none(message.forwarded_from),
        "forwarded_from_id": message.forwarded_from_id,
        "media_kind": message.media_kind,
        "action": message.action,
        "attrs": orjson.dumps({k: storable(v) for k, v in message.attrs.items()}).decode(),
        "raw": storable(message.raw),
        "source_line": message.source.line,
        "source_col": message.source.col,
        "source_offset": message.source.byte_offset,
        "source_pointer": message.source.pointer,
    }
