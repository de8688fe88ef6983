"""Live Telegram collection: backfill listed chats, then follow new messages and edits.

The collector talks to Telegram only through :class:`ChatClient`, a narrow interface that
:class:`jianghu.intel.telethon_client.TelethonChatClient` implements over Telethon and
tests implement with recorded responses. For each chat it reads history oldest-first from
the last stored message id and writes each batch through the normal analyse-and-store path;
the resume point moves in the same transaction as the batch, so a crash at any moment
neither skips nor duplicates a message. Telegram's errors are handled per chat:

* a flood wait (``FloodWaitError`` and every RPC error that carries ``.seconds``) is slept
  off through an injectable sleeper, shown through a callback, and the chat resumes from
  its resume point;
* any other RPC error (private channel, unknown username, admin required …) and an
  unresolvable reference are recorded in that chat's result; the other chats go on;
* anything else (a bug, a store failure, a killed connection) stops the run, and the next
  run resumes where the store says.
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from jianghu.analysis.pipeline import Analysed, analyse
from jianghu.errors import ConfigError
from jianghu.intel.collect_media import with_media
from jianghu.records import Message
from jianghu.sources.telegram_live import INSTALL_HINT, channel_ref, peer_key, to_message
from jianghu.store.base import BatchCounts, Store

SOURCE = "telegram"
BATCH_SIZE = 500
MAX_WAITS = 20  # flood waits per chat before it is given up and reported

Sleep = Callable[[float], Awaitable[None]]
OnWait = Callable[[str, int], None]


class ChatClient(Protocol):
    """What the collector needs from Telegram, and nothing more."""

    async def account_id(self) -> int:
        """The logged-in account's user id (scopes per-account message ids)."""
        ...

    async def get_entity(self, ref: str | int) -> Any:
        """A User, Chat or Channel from a username, link or marked numeric id."""
        ...

    def iter_messages(
        self, entity: Any, min_id: int, reverse: bool = True, limit: int | None = None
    ) -> AsyncIterator[Any]:
        """Messages with ids above ``min_id``, oldest first when ``reverse``."""
        ...

    def updates(self, entities: Sequence[Any]) -> AsyncIterator[tuple[Any, bool]]:
        """New messages and edits in ``entities`` as ``(message, edited)``, until the
        client disconnects."""
        ...

    async def download_media(self, message: Any, dest: Path) -> Path | None:
        """Save a message's media (only called when the analyst asked for media)."""
        ...


@dataclass
class ChatResult:
    """What happened to one chat of the list."""

    ref: str
    chat_key: str | None = None
    name: str | None = None
    counts: BatchCounts = field(default_factory=BatchCounts)
    waited: int = 0  # seconds slept for flood waits
    last_id: int | None = None
    error: str | None = None


@dataclass
class CollectReport:
    chats: list[ChatResult] = field(default_factory=list)
    followed: BatchCounts = field(default_factory=BatchCounts)

    @property
    def ok(self) -> bool:
        return all(c.error is None for c in self.chats)


_LINK = re.compile(r"^(?:https?://)?(?:t|telegram)\.me/(?:s/)?(?P<rest>[^?#]+)", re.IGNORECASE)


def parse_chat_ref(line: str) -> str | int:
    """``@name``, a t.me link or a numeric id, as ``get_entity`` wants it.

    ``t.me/c/<id>`` is a private channel's bare id, given to Telethon Bot-API-marked
    (``-100<id>``); invite links (``t.me/+hash``, ``joinchat/hash``) are passed whole.
    """
    text = line.strip()
    match = _LINK.match(text)
    if match:
        parts = match.group("rest").strip("/").split("/")
        if parts[0] == "c" and len(parts) > 1 and parts[1].isdigit():
            return int(f"-100{parts[1]}")
        if parts[0].startswith("+") or parts[0] == "joinchat":
            return text
        return parts[0]
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return text.removeprefix("@")


def read_chats_file(path: Path) -> list[str]:
    """Chat references, one a line; ``#`` starts a comment at a line's start or after a
    space (links never contain `` #``)."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except OSError as exc:
        raise ConfigError(f"--chats {path}: cannot read: {exc.strerror or exc}") from exc
    refs = [re.split(r"(?:^|\s)#", line, maxsplit=1)[0].strip() for line in lines]
    return [r for r in refs if r]


class _Unresolved(Exception):
    """A chat reference that names no chat this account can see."""


def _telethon_errors() -> Any:
    try:
        from telethon import errors  # type: ignore[import-untyped]
    except ImportError as exc:
        raise ConfigError(INSTALL_HINT) from exc
    return errors


class Collector:
    """Backfills and follows chats into ``store``; see the module docstring."""

    def __init__(
        self,
        client: ChatClient,
        store: Store,
        *,
        batch_size: int = BATCH_SIZE,
        sleep: Sleep = asyncio.sleep,
        on_wait: OnWait | None = None,
        on_batch: Callable[[ChatResult], None] | None = None,
        media_dir: Path | None = None,
        media_limit: int = 0,
        after_batch: Callable[[Sequence[Analysed], Sequence[int]], None] | None = None,
    ) -> None:
        self.client = client
        self._after_batch = after_batch  # the intelligence layer's hook, as in ingest
        self._media_dir, self._media_limit = media_dir, media_limit
        self.store = store
        self.batch_size = batch_size
        self._sleep = sleep
        self._on_wait = on_wait
        self._on_batch = on_batch
        self._errors = _telethon_errors()
        self._account: str | None = None
        self._chats: dict[str, tuple[Any, ChatResult]] = {}  # peer key → (entity, result)

    async def run(self, refs: Sequence[str], follow: bool = False) -> CollectReport:
        report = await self.backfill(refs)
        if follow:
            await self.follow(report)
        return report

    async def backfill(self, refs: Sequence[str]) -> CollectReport:
        self._account = str(await self.client.account_id())
        report = CollectReport()
        for ref in refs:
            result = ChatResult(ref)
            report.chats.append(result)
            await self._guarded(result, self._backfill_ref)
        return report

    async def follow(self, report: CollectReport) -> None:
        """Store new messages and edits until the client's update stream ends."""
        entities = [entity for entity, _ in self._chats.values()]
        if not entities:
            return
        # Edits take the same path: a changed reading of a stored message is a new version.
        async for msg, _edited in self.client.updates(entities):
            found = self._chats.get(peer_key(msg.peer_id) or "")
            if found is None:
                continue
            entity, result = found
            cursor = self.store.cursor(SOURCE, result.chat_key or "") or 0
            if msg.id <= cursor + 1:  # the next message, or an edit of a stored one
                message = await self._message(msg, entity)
                report.followed.add(self._write([message], result, max(cursor, msg.id)))
            else:
                # Messages may have arrived between backfill and subscription (or ids are
                # per account and jump): fetch the gap, which includes this message, rather
                # than move the resume point past messages never stored.
                before = _copy(result.counts)
                await self._guarded(result, functools.partial(self._backfill_entity, entity))
                report.followed.add(_minus(result.counts, before))

    # ---- one chat ---------------------------------------------------------------------
    async def _guarded(
        self, result: ChatResult, step: Callable[[ChatResult], Awaitable[None]]
    ) -> None:
        """Run ``step`` for one chat: sleep off flood waits and retry; record other
        Telegram errors in ``result``; let everything else through."""
        errors = self._errors
        waits = 0
        while True:
            try:
                await step(result)
                return
            except errors.RPCError as exc:
                seconds = getattr(exc, "seconds", None)
                if not isinstance(seconds, int) or waits >= MAX_WAITS:
                    result.error = f"{type(exc).__name__}: {exc}"
                    return
                waits += 1
                result.waited += seconds
                if self._on_wait is not None:
                    self._on_wait(result.ref, seconds)
                await self._sleep(seconds)
            except _Unresolved as exc:
                result.error = str(exc)
                return

    async def _backfill_ref(self, result: ChatResult) -> None:
        found = next((v for v in self._chats.values() if v[1] is result), None)
        if found is not None:
            entity = found[0]
        else:
            try:
                entity = await self.client.get_entity(parse_chat_ref(result.ref))
            except ValueError as exc:  # Telethon: "Cannot find any entity corresponding to …"
                raise _Unresolved(f"cannot resolve {result.ref!r}: {exc}") from exc
            channel = channel_ref(entity, self._account)
            result.chat_key, result.name = channel.key, channel.name
            self._chats[f"{_peer_prefix(channel.kind)}{entity.id}"] = (entity, result)
        await self._backfill_entity(entity, result)

    async def _backfill_entity(self, entity: Any, result: ChatResult) -> None:
        """History above the stored resume point, oldest first, one transaction a batch."""
        key = result.chat_key or ""
        start = self.store.cursor(SOURCE, key) or 0
        batch: list[Message] = []
        try:
            async for msg in self.client.iter_messages(entity, min_id=start, reverse=True):
                if type(msg).__name__ == "MessageEmpty":
                    continue
                batch.append(await self._message(msg, entity))
                if len(batch) >= self.batch_size:
                    self._write(batch, result, int(batch[-1].message_id))
                    batch = []
        except self._errors.RPCError:
            if batch:  # what was read is valid: keep it, so a retry after a wait re-reads less
                self._write(batch, result, int(batch[-1].message_id))
            raise
        if batch:
            self._write(batch, result, int(batch[-1].message_id))
        result.last_id = self.store.cursor(SOURCE, key)

    async def _message(self, msg: Any, entity: Any) -> Message:
        message = to_message(msg, entity, self._account)
        return await with_media(self.client, msg, message, self._media_dir, self._media_limit)

    def _write(self, batch: list[Message], result: ChatResult, last_id: int) -> BatchCounts:
        stored = analyse(batch)
        counts = self.store.write_batch_with_cursor(
            stored, None, SOURCE, result.chat_key or "", last_id
        )
        if self._after_batch is not None:
            self._after_batch(stored, self.store.last_batch_ids)
        result.counts.add(counts)
        result.last_id = max(result.last_id or 0, last_id)
        if self._on_batch is not None:
            self._on_batch(result)
        return counts


def _peer_prefix(kind: str) -> str:
    """The ``peer_key`` prefix of a chat of this tdesktop type."""
    if kind.endswith(("_channel", "_supergroup")):
        return "channel"
    return "chat" if kind == "private_group" else "user"


def _copy(counts: BatchCounts) -> BatchCounts:
    return BatchCounts(counts.new, counts.updated, counts.unchanged, counts.events)


def _minus(a: BatchCounts, b: BatchCounts) -> BatchCounts:
    return BatchCounts(
        a.new - b.new, a.updated - b.updated, a.unchanged - b.unchanged, a.events - b.events
    )
