"""The real :class:`~jianghu.intel.collect.ChatClient`: Telethon's ``TelegramClient``.

Kept apart from the collector so that everything above this line is tested offline. The
analyst's API id, hash and session are read here and handed to Telethon only; they are
never logged, printed or put in an error message.

Telethon's own silent sleeping on flood waits is switched off (``flood_sleep_threshold=0``)
so every wait reaches the collector, which sleeps it visibly. With ``use_takeout`` history
is read through a takeout session (lower flood limits for exports), entered when history is
first asked for — so ``TakeoutInitDelayError`` is handled as a wait like any other — and
finished when following starts, because updates never arrive on a takeout session.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from jianghu.errors import ConfigError
from jianghu.sources.telegram_live import INSTALL_HINT

API_ID_ENV = "JIANGHU_TG_API_ID"
API_HASH_ENV = "JIANGHU_TG_API_HASH"
SESSION_ENV = "JIANGHU_TG_SESSION"


def credentials(session: str | None) -> tuple[str, int, str]:
    """(session, api id, api hash) from the flag and the environment."""
    session = session or os.environ.get(SESSION_ENV)
    raw_id, api_hash = os.environ.get(API_ID_ENV, ""), os.environ.get(API_HASH_ENV, "")
    if not session:
        raise ConfigError(f"no Telegram session: pass --session NAME or set {SESSION_ENV}")
    if not raw_id or not api_hash:
        raise ConfigError(
            f"set {API_ID_ENV} and {API_HASH_ENV} to your own API id and hash "
            "(https://my.telegram.org, API development tools)"
        )
    if not raw_id.isdigit():
        raise ConfigError(f"{API_ID_ENV} must be a number")  # the value itself is not shown
    return session, int(raw_id), api_hash


class TelethonChatClient:
    """``async with TelethonChatClient(...) as client:`` logs in (prompting the first time
    for phone and code, as Telethon does) and disconnects at the end."""

    def __init__(self, session: str, api_id: int, api_hash: str, use_takeout: bool = False):
        try:
            from telethon import TelegramClient  # type: ignore[import-untyped]
        except ImportError as exc:
            raise ConfigError(INSTALL_HINT) from exc
        self._client = TelegramClient(session, api_id, api_hash, flood_sleep_threshold=0)
        self._use_takeout = use_takeout
        self._takeout_cm: Any = None
        self._takeout: Any = None

    async def __aenter__(self) -> TelethonChatClient:
        await self._client.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self._end_takeout(exc)
        finally:
            await self._client.disconnect()

    async def account_id(self) -> int:
        me = await self._client.get_me()
        return int(me.id)

    async def get_entity(self, ref: str | int) -> Any:
        return await self._client.get_entity(ref)

    async def iter_messages(
        self, entity: Any, min_id: int, reverse: bool = True, limit: int | None = None
    ) -> AsyncIterator[Any]:
        client = await self._history_client()
        wait = 0 if self._takeout is not None else None
        async for msg in client.iter_messages(
            entity, limit=limit, min_id=min_id, reverse=reverse, wait_time=wait
        ):
            yield msg

    async def download_media(self, message: Any, dest: Path) -> Path | None:
        # Telethon adds the right extension to a path given without one.
        saved = await self._client.download_media(message, file=str(dest))
        return None if saved is None else Path(saved)

    async def updates(self, entities: Sequence[Any]) -> AsyncIterator[tuple[Any, bool]]:
        from telethon import events

        await self._end_takeout(None)
        queue: asyncio.Queue[tuple[Any, bool]] = asyncio.Queue()

        async def on_new(event: Any) -> None:
            await queue.put((event.message, False))

        async def on_edit(event: Any) -> None:
            await queue.put((event.message, True))

        async def on_action(event: Any) -> None:
            if event.action_message is not None:  # service messages: NewMessage skips them
                await queue.put((event.action_message, False))

        chats = list(entities)
        handlers = (
            (on_new, events.NewMessage(chats=chats)),
            (on_edit, events.MessageEdited(chats=chats)),
            (on_action, events.ChatAction(chats=chats)),
        )
        for handler, event in handlers:
            self._client.add_event_handler(handler, event)
        gone = asyncio.ensure_future(self._client.disconnected)
        try:
            while True:
                item = asyncio.ensure_future(queue.get())
                await asyncio.wait({item, gone}, return_when=asyncio.FIRST_COMPLETED)
                if not item.done():
                    item.cancel()
                    return
                yield item.result()
        finally:
            gone.cancel()
            for handler, event in handlers:
                self._client.remove_event_handler(handler, event)

    async def _history_client(self) -> Any:
        if self._use_takeout and self._takeout is None:
            self._takeout_cm = self._client.takeout(
                finalize=True, users=True, chats=True, megagroups=True, channels=True
            )
            self._takeout = await self._takeout_cm.__aenter__()
        return self._takeout or self._client

    async def _end_takeout(self, exc: BaseException | None) -> None:
        if self._takeout_cm is not None:
            cm, self._takeout_cm, self._takeout = self._takeout_cm, None, None
            await cm.__aexit__(type(exc) if exc else None, exc, None)
