"""Media of live-collected messages: never fetched unless the analyst asks, and then only
files up to a size limit. Criminal channels post malware and illegal images; a file is
written under the analyst's media folder, never opened, and its path recorded."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Protocol

import msgspec

from jianghu.records import Message


class MediaClient(Protocol):
    async def download_media(self, message: Any, dest: Path) -> Path | None:
        """Save the message's media to ``dest`` (a path without extension); return the
        path written, or None when there was nothing to save."""
        ...


def media_size(msg: Any) -> int | None:
    """Bytes of the message's media as Telegram announces them, before any download."""
    media = getattr(msg, "media", None)
    document = getattr(media, "document", None)
    if document is not None and getattr(document, "size", None) is not None:
        return int(document.size)
    photo = getattr(media, "photo", None)
    sizes = getattr(photo, "sizes", None) or []
    best = 0
    for size in sizes:  # PhotoSize has .size; progressive sizes list their steps
        best = max(best, int(getattr(size, "size", 0) or 0), *(getattr(size, "sizes", None) or [0]))
    return best or None


def _safe_name(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", key)[:120]


async def with_media(
    client: MediaClient, msg: Any, message: Message, folder: Path | None, limit: int
) -> Message:
    """``message`` with ``attrs["media_file"]`` when its media was saved, or
    ``attrs["media_skipped"]`` saying why not; unchanged when media is not wanted."""
    if limit <= 0 or folder is None or getattr(msg, "media", None) is None:
        return message
    size = media_size(msg)
    if size is None or size > limit:
        why = "size unknown" if size is None else f"{size} bytes > limit {limit}"
        return msgspec.structs.replace(message, attrs={**message.attrs, "media_skipped": why})
    dest = folder / _safe_name(message.channel.key) / _safe_name(message.message_id)
    dest.parent.mkdir(parents=True, exist_ok=True)
    saved = await client.download_media(msg, dest)
    if saved is None:
        return message
    return msgspec.structs.replace(message, attrs={**message.attrs, "media_file": str(saved)})
