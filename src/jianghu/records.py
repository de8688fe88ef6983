"""The canonical records every source produces and every later stage consumes.

One shape for all platforms (Telegram, Discord, WhatsApp, forums), so that a new reader
adds no schema change. A message is keyed by ``(platform, channel.key, message_id)``:

* ``channel.key`` is the platform's chat id, scoped where the platform's ids are not
  global: Telegram private chats and basic groups number their messages per account, so
  their key carries the exporting account (``acct<id>:chat<id>``).
* ``message_id`` is the platform's message id where one exists; where none does
  (WhatsApp), the reader derives a stable one from the content so that overlapping
  exports of the same chat produce the same key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import msgspec

MessageKind = Literal["message", "service", "unsupported"]
"""``message`` is something a person wrote; ``service`` is an event (joins, pins, calls)
kept for context but never treated as an offer; ``unsupported`` is a record the exporting
client itself could not parse, kept so nothing is lost."""


class ChannelRef(msgspec.Struct, frozen=True):
    """Where a message was posted."""

    platform: str
    key: str  # scoped platform id, unique within the platform (see module docstring)
    platform_id: str  # the id as the platform writes it
    name: str | None
    kind: str  # platform's chat type, e.g. public_channel, private_supergroup, guild_text


class AuthorRef(msgspec.Struct, frozen=True):
    """Who wrote a message, as the source names them. Any part may be unknown."""

    platform_id: str | None  # e.g. "user123", "channel456"; None for deleted accounts
    display_name: str | None
    handle: str | None = None  # @username where the source gives one


class TextEntity(msgspec.Struct, frozen=True):
    """A structured span of the text: link, mention, hashtag, formatting …

    ``start``/``end`` are code-point offsets into ``Message.text`` (not UTF-16 units).
    """

    type: str
    start: int
    end: int
    text: str
    href: str | None = None  # text_link target, never fetched
    user_id: str | None = None  # mention_name target


class SourceRef(msgspec.Struct, frozen=True):
    """Where the record was read: file and position, or a live cursor."""

    path: str
    line: int
    col: int
    byte_offset: int
    pointer: str  # JSON-pointer-like path inside the file, e.g. chats.list[2].messages[10]


class Message(msgspec.Struct, frozen=True):
    """One record of any source. A msgspec Struct, not a dataclass: ingest creates
    millions and ships them between processes, and Structs are several times cheaper to
    build and to pickle."""

    platform: str
    channel: ChannelRef
    message_id: str
    kind: MessageKind
    author: AuthorRef | None
    posted_at: datetime  # timezone-aware, UTC
    text: str
    raw: str  # the source record as read (JSON text), so nothing is ever lost
    source: SourceRef
    edited_at: datetime | None = None
    entities: tuple[TextEntity, ...] = ()
    reply_to: str | None = None
    forwarded_from: str | None = None
    forwarded_from_id: str | None = None
    media_kind: str | None = None
    action: str | None = None  # service messages: the action name
    attrs: dict[str, str] = msgspec.field(default_factory=dict)  # source-specific extras

    @property
    def key(self) -> str:
        """The message's unique, content-independent key across all sources."""
        return f"{self.platform}:{self.channel.key}:{self.message_id}"


class SourceProblem(msgspec.Struct, frozen=True):
    """Something wrong at a position of a source: a record a reader could not turn into
    a Message (counted, reported, not fatal) or a file it could not read to the end."""

    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}"

    def to_json(self) -> dict[str, str | int]:
        return {"path": self.path, "line": self.line, "col": self.col, "message": self.message}
