"""What a MISP event is built from, and the stable keys its uuids derive from.

No PyMISP here, so grouping a selection into events works (and fails with an install
hint) before PyMISP is imported.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from jianghu.export.misp_indicators import telegram_key
from jianghu.store.actors import ActorRow
from jianghu.store.offers import OfferRow
from jianghu.store.selection import AccountRecord, MessageRecord, Selection

# jianghu's namespace for MISP uuids. Never change it: every exported id derives from it.
NAMESPACE = uuid.UUID("8d6f2b1e-4c3a-5e7f-9a0b-1c2d3e4f5a6b")


@dataclass(frozen=True)
class Part:
    """What one event holds: its key (the source of its uuid), title and records."""

    key: str
    info: str
    messages: list[MessageRecord]
    actors: list[ActorRow]
    offers: list[OfferRow]


@dataclass(frozen=True)
class Options:
    reveal: bool
    full_cards: bool
    tlp: str


def utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def child_uuid(parent: uuid.UUID | str, key: str) -> str:
    base = parent if isinstance(parent, uuid.UUID) else uuid.UUID(parent)
    return str(uuid.uuid5(base, key))


def message_key(selection: Selection, m: MessageRecord) -> str:
    """A message by (platform, channel, message id), as the store keys it."""
    channel = selection.channels.get(m.channel_id)
    return f"message:{m.platform}:{channel.key if channel else m.channel_id}:{m.message_id}"


def actor_key(selection: Selection, actor: ActorRow) -> str:
    """An actor by all its accounts (its profile lists them), so filters do not change it:
    store ids change each time actors are rebuilt."""
    keys = sorted(
        f"{a.get('platform')}:{a.get('key')}" for a in actor.profile.get("accounts", [])
    ) or sorted(
        f"{a.platform}:{a.key}" for i in actor.account_ids if (a := selection.accounts.get(i))
    )
    return "actor:" + (",".join(keys) if keys else str(actor.id))


def account_keys(accounts: Iterable[AccountRecord]) -> dict[int, str]:
    """Each account's key. A Telegram account is keyed by its @handle, so the handle in an
    ad is the same object; when a handle passed from one account to another, only the
    first keeps that key (uuids must stay unique in an event)."""
    keys: dict[int, str] = {}
    for a in sorted(accounts, key=lambda a: (a.platform, a.key)):
        key = f"account:{a.platform}:{a.key}"
        if a.platform == "telegram" and a.handle and telegram_key(a.handle) not in keys.values():
            key = telegram_key(a.handle)
        keys[a.id] = key
    return keys
