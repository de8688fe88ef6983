"""A slice of the store for reports and exports: messages with their analysis, and the
channels, accounts, actors, offers and indicators they touch.

Exports and the landscape report read the same slice, so a filter (time window, channel
set, category, actor, minimum reputation) means the same thing in each of them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import orjson

from jianghu.store.actors import ActorRow, actors_by_id
from jianghu.store.base import Store, StoredEntity
from jianghu.store.offers import _COLUMNS as _OFFER_COLUMNS
from jianghu.store.offers import OfferRow, _offer


@dataclass(frozen=True)
class SelectionFilters:
    since: datetime | None = None
    until: datetime | None = None
    channels: tuple[str, ...] = ()  # each a channel name (part of it) or id, as in search
    category: str | None = None
    actor: int | None = None
    min_reputation: int | None = None


@dataclass(frozen=True)
class ChannelRecord:
    id: int
    platform: str
    key: str
    platform_id: str
    name: str | None
    kind: str


@dataclass(frozen=True)
class AccountRecord:
    id: int
    platform: str
    key: str
    platform_id: str | None
    display_name: str | None
    handle: str | None
    names: tuple[str, ...]  # every display name seen, oldest first


@dataclass(frozen=True)
class MessageRecord:
    id: int
    platform: str
    channel_id: int
    message_id: str
    author_id: int | None
    posted_at: datetime
    edited_at: datetime | None
    text: str
    reply_to: str | None
    forwarded_from: str | None
    language: str | None
    intent: str | None
    categories: tuple[str, ...]
    scores: dict[str, float]
    actor_id: int | None
    offer_id: int | None


@dataclass
class Selection:
    filters: SelectionFilters
    messages: list[MessageRecord] = field(default_factory=list)  # in time order
    channels: dict[int, ChannelRecord] = field(default_factory=dict)
    accounts: dict[int, AccountRecord] = field(default_factory=dict)
    actors: dict[int, ActorRow] = field(default_factory=dict)
    offers: dict[int, OfferRow] = field(default_factory=dict)
    entities: dict[int, list[StoredEntity]] = field(default_factory=dict)  # by message id


_MESSAGE_SQL = (
    "SELECT m.id, m.platform, m.channel_id, m.message_id, m.author_id, m.posted_at, "
    "m.edited_at, m.text, m.reply_to, m.forwarded_from, a.language, a.intent, a.categories, "
    "a.scores, aa.actor_id, s.offer_id "
    "FROM messages m "
    "LEFT JOIN message_analysis a ON a.message_id = m.id "
    "LEFT JOIN actor_accounts aa ON aa.author_id = m.author_id "
    "LEFT JOIN offer_sightings s ON s.message_id = m.id "
)


def _where(store: Store, filters: SelectionFilters) -> tuple[str, list[Any]]:
    clauses = ["m.kind = 'message'"]
    params: list[Any] = []
    if filters.since is not None:
        clauses.append("m.posted_at >= ?")
        params.append(store._ts(filters.since))
    if filters.until is not None:
        clauses.append("m.posted_at < ?")
        params.append(store._ts(filters.until))
    if filters.channels:
        ids: set[int] = set()
        for wanted in filters.channels:
            ids.update(store._match_ids("SELECT id, name, key, platform_id FROM channels", wanted))
        # ids come from the store itself, never from the user's text
        clauses.append(f"m.channel_id IN ({', '.join(map(str, sorted(ids))) or 'NULL'})")
    if filters.category is not None:
        clauses.append("m.id IN (SELECT message_id FROM message_categories WHERE category = ?)")
        params.append(filters.category)
    if filters.actor is not None:
        clauses.append("aa.actor_id = ?")
        params.append(filters.actor)
    if filters.min_reputation is not None:
        clauses.append("aa.actor_id IN (SELECT id FROM actors WHERE reputation >= ?)")
        params.append(filters.min_reputation)
    return " AND ".join(clauses), params


def select_messages(store: Store, filters: SelectionFilters) -> list[MessageRecord]:
    where, params = _where(store, filters)
    rows = store._all(f"{_MESSAGE_SQL} WHERE {where} ORDER BY m.posted_at, m.id", params)
    return [
        MessageRecord(
            int(r[0]),
            r[1],
            int(r[2]),
            str(r[3]),
            None if r[4] is None else int(r[4]),
            store._read_ts(r[5]),
            None if r[6] is None else store._read_ts(r[6]),
            r[7],
            r[8],
            r[9],
            r[10],
            r[11],
            tuple(c for c in (r[12] or "").split(",") if c),
            orjson.loads(r[13]) if r[13] else {},
            None if r[14] is None else int(r[14]),
            None if r[15] is None else int(r[15]),
        )
        for r in rows
    ]


def _in_chunks(ids: Sequence[int], size: int = 500) -> list[list[int]]:
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]


def _channels(store: Store, ids: Sequence[int]) -> dict[int, ChannelRecord]:
    out: dict[int, ChannelRecord] = {}
    for chunk in _in_chunks(ids):
        marks = ", ".join("?" * len(chunk))
        for r in store._all(
            f"SELECT id, platform, key, platform_id, name, kind FROM channels "
            f"WHERE id IN ({marks})",
            chunk,
        ):
            out[int(r[0])] = ChannelRecord(int(r[0]), r[1], r[2], str(r[3]), r[4], r[5])
    return out


def _accounts(store: Store, ids: Sequence[int]) -> dict[int, AccountRecord]:
    names: dict[int, list[str]] = defaultdict(list)
    rows: list[Any] = []
    for chunk in _in_chunks(ids):
        marks = ", ".join("?" * len(chunk))
        rows.extend(
            store._all(
                "SELECT id, platform, key, platform_id, display_name, handle FROM authors "
                f"WHERE id IN ({marks})",
                chunk,
            )
        )
        for r in store._all(
            f"SELECT author_id, name FROM author_names WHERE author_id IN ({marks}) "
            "ORDER BY author_id, first_seen, name",
            chunk,
        ):
            names[int(r[0])].append(r[1])
    return {
        int(r[0]): AccountRecord(
            int(r[0]), r[1], r[2], r[3], r[4], r[5], tuple(names.get(int(r[0]), ()))
        )
        for r in rows
    }


def _offers(store: Store, ids: Sequence[int]) -> dict[int, OfferRow]:
    out: dict[int, OfferRow] = {}
    for chunk in _in_chunks(ids):
        marks = ", ".join("?" * len(chunk))
        for r in store._all(f"SELECT {_OFFER_COLUMNS} FROM offers WHERE id IN ({marks})", chunk):
            offer = _offer(store, r)
            out[offer.id] = offer
        sightings: dict[int, list[int]] = defaultdict(list)
        for r in store._all(
            f"SELECT offer_id, message_id FROM offer_sightings WHERE offer_id IN ({marks}) "
            "ORDER BY offer_id, message_id",
            chunk,
        ):
            sightings[int(r[0])].append(int(r[1]))
        for offer_id, message_ids in sightings.items():
            if offer_id in out:
                out[offer_id] = replace(out[offer_id], message_ids=tuple(message_ids))
    return out


def select(store: Store, filters: SelectionFilters) -> Selection:
    """Every message matching ``filters`` and what it touches."""
    messages = select_messages(store, filters)
    channel_ids = sorted({m.channel_id for m in messages})
    account_ids = sorted({m.author_id for m in messages if m.author_id is not None})
    actor_ids = sorted({m.actor_id for m in messages if m.actor_id is not None})
    offer_ids = sorted({m.offer_id for m in messages if m.offer_id is not None})
    return Selection(
        filters=filters,
        messages=messages,
        channels=_channels(store, channel_ids),
        accounts=_accounts(store, account_ids),
        actors=actors_by_id(store, actor_ids),
        offers=_offers(store, offer_ids),
        entities=store.entities_of([m.id for m in messages]),
    )
