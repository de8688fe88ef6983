"""What the channel routes show, assembled from the store (no FastAPI here): channels
busiest first with their top categories, and a channel's messages, text masked and cut.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from jianghu.store.base import Store
from jianghu.web.paging import page
from jianghu.web.views_text import rewrite

SNIPPET_CHARS = 240
_CHANNELS_SQL = (
    "SELECT c.id, c.platform, c.platform_id, c.name, c.kind, count(m.id), "
    "count(s.message_id), min(m.posted_at), max(m.posted_at) FROM channels c "
    "LEFT JOIN messages m ON m.channel_id = c.id AND m.kind = 'message' "
    "LEFT JOIN offer_sightings s ON s.message_id = m.id {where}"
    "GROUP BY c.id, c.platform, c.platform_id, c.name, c.kind "
    "ORDER BY count(m.id) DESC, c.id LIMIT ? OFFSET ?"
)


def _category_counts(store: Store, channel_ids: Sequence[int]) -> dict[int, Counter[str]]:
    out: dict[int, Counter[str]] = defaultdict(Counter)
    if not channel_ids:
        return out
    marks = ", ".join("?" * len(channel_ids))
    for r in store._all(
        "SELECT m.channel_id, mc.category, count(*) FROM message_categories mc "
        f"JOIN messages m ON m.id = mc.message_id WHERE m.channel_id IN ({marks}) "
        "GROUP BY m.channel_id, mc.category",
        list(channel_ids),
    ):
        out[int(r[0])][str(r[1])] = int(r[2])
    return out


def _channel_rows(store: Store, limit: int, offset: int, one: int | None) -> list[dict[str, Any]]:
    where, params = ("WHERE c.id = ? ", [one]) if one is not None else ("", [])
    rows = store._all(_CHANNELS_SQL.format(where=where), [*params, limit, offset])
    counts = _category_counts(store, [int(r[0]) for r in rows])
    return [
        {
            "id": int(r[0]),
            "platform": r[1],
            "platform_id": r[2],
            "name": r[3],
            "kind": r[4],
            "messages": int(r[5]),
            "offer_messages": int(r[6]),
            "first_seen": None if r[7] is None else store._read_ts(r[7]).isoformat(),
            "last_seen": None if r[8] is None else store._read_ts(r[8]).isoformat(),
            "top_categories": [
                {"category": c, "messages": n} for c, n in counts[int(r[0])].most_common(3)
            ],
        }
        for r in rows
    ]


def channel_list(store: Store, limit: int, offset: int) -> dict[str, Any]:
    """One page of channels, busiest first."""
    rows = _channel_rows(store, limit + 1, offset, None)
    return page(rows[:limit], limit, offset, len(rows) > limit)


def channel_messages(store: Store, channel_id: int, limit: int, offset: int) -> dict[str, Any]:
    """One page of a channel's messages and events, newest first, text masked and cut."""
    rows = store._all(
        "SELECT m.id, m.kind, m.posted_at, m.text, a.display_name, m.author_id, m.action, "
        "an.intent, an.categories FROM messages m LEFT JOIN authors a ON a.id = m.author_id "
        "LEFT JOIN message_analysis an ON an.message_id = m.id WHERE m.channel_id = ? "
        "ORDER BY m.posted_at DESC, m.id DESC LIMIT ? OFFSET ?",
        (channel_id, limit + 1, offset),
    )
    ents = store.entities_of([int(r[0]) for r in rows[:limit]])
    items = [
        {
            "id": int(r[0]),
            "kind": r[1],
            "posted_at": store._read_ts(r[2]).isoformat(),
            "snippet": rewrite(r[3], ents.get(int(r[0]), []), False).text[:SNIPPET_CHARS],
            "author": r[4],
            "author_id": r[5],
            "action": r[6],
            "intent": r[7],
            "categories": [c for c in (r[8] or "").split(",") if c],
        }
        for r in rows[:limit]
    ]
    return page(items, limit, offset, len(rows) > limit)


def channel_detail(store: Store, channel_id: int, limit: int, offset: int) -> dict[str, Any] | None:
    """A channel, its messages per category, and one page of its messages."""
    found = _channel_rows(store, 1, 0, channel_id)
    if not found:
        return None
    counts = _category_counts(store, [channel_id])[channel_id]
    return {
        "channel": found[0],
        "categories": [{"category": c, "messages": n} for c, n in counts.most_common()],
        "messages": channel_messages(store, channel_id, limit, offset),
    }
