"""Offers in the store (both backends): what the offer builder reads, what it writes,
and the listing behind ``jianghu offers``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from jianghu.store.base import Store
from jianghu.store.rows import list_has
from jianghu.store.textsafe import storable

OFFER_INTENTS = ("sell", "buy", "recruit")


@dataclass(frozen=True)
class Candidate:
    """A stored message the classifier called an offer."""

    id: int
    channel_id: int
    author_id: int | None
    posted_at: datetime
    text: str
    categories: tuple[str, ...]
    intent: str


_CANDIDATE = (
    "SELECT m.id, m.channel_id, m.author_id, m.posted_at, m.text, a.categories, a.intent "
    "FROM messages m JOIN message_analysis a ON a.message_id = m.id "
    "WHERE m.kind = 'message' AND a.categories <> '' AND a.intent IN (?, ?, ?) "
)


def _candidate(store: Store, r: Sequence[Any]) -> Candidate:
    return Candidate(
        int(r[0]), int(r[1]), None if r[2] is None else int(r[2]),
        store._read_ts(r[3]), r[4], tuple(r[5].split(",")), r[6],
    )  # fmt: skip


def candidates(
    store: Store, chunk: int = 20_000, after: int = 0, upto: int | None = None
) -> Iterator[Candidate]:
    """Every message with a category and an offer intent, in id order (of the ids in
    ``after < id <= upto``: one worker's slice of the store)."""
    last = (1 << 63) - 1 if upto is None else upto
    while True:
        rows = store._all(
            _CANDIDATE + "AND m.id > ? AND m.id <= ? ORDER BY m.id LIMIT ?",
            (*OFFER_INTENTS, after, last, chunk),
        )
        if not rows:
            return
        for r in rows:
            yield _candidate(store, r)
        after = int(rows[-1][0])


def candidates_by_id(store: Store, ids: Sequence[int]) -> list[Candidate]:
    """The candidates among these message ids, in id order."""
    out: list[Candidate] = []
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ", ".join("?" * len(chunk))
        rows = store._all(_CANDIDATE + f"AND m.id IN ({marks})", (*OFFER_INTENTS, *chunk))
        out.extend(_candidate(store, r) for r in rows)
    return sorted(out, key=lambda c: c.id)


def entities_by_type(
    store: Store, message_ids: Sequence[int], types: Sequence[str]
) -> dict[int, list[tuple[str, str, str, dict[str, str]]]]:
    """(type, value, normalized, attrs) of the wanted indicator types, per message."""
    out: dict[int, list[tuple[str, str, str, dict[str, str]]]] = defaultdict(list)
    marks_t = ", ".join("?" * len(types))
    for start in range(0, len(message_ids), 500):
        chunk = list(message_ids[start : start + 500])
        marks = ", ".join("?" * len(chunk))
        for r in store._all(
            "SELECT message_id, type, value, normalized, attrs FROM message_entities "
            f"WHERE message_id IN ({marks}) AND type IN ({marks_t}) "
            "ORDER BY message_id, start_pos",
            [*chunk, *types],
        ):
            out[int(r[0])].append((r[1], r[2], r[3], orjson.loads(r[4])))
    return dict(out)


@dataclass(frozen=True)
class OfferRow:
    id: int
    categories: tuple[str, ...]
    intent: str
    item: str
    regions: tuple[str, ...]
    summary: str
    price_usd: float | None
    price_unit: str | None
    quantity: str | None
    first_seen: datetime
    last_seen: datetime
    sightings: int
    channels: int
    authors: int
    details: dict[str, Any]
    message_ids: tuple[int, ...] = ()

    def summary_json(self) -> dict[str, Any]:
        """The fields every listing shows (the CLI adds the details, the web a link and
        masked contacts)."""
        return {
            "id": self.id,
            "categories": list(self.categories),
            "intent": self.intent,
            "item": self.item,
            "regions": list(self.regions),
            "summary": self.summary,
            "price_usd": self.price_usd,
            "price_unit": self.price_unit,
            "quantity": self.quantity,
            "first_seen": self.first_seen.isoformat(),
            "last_seen": self.last_seen.isoformat(),
            "sightings": self.sightings,
            "channels": self.channels,
            "authors": self.authors,
        }


def replace_offers(store: Store, offers: Iterable[OfferRow], rows_per_write: int = 20_000) -> None:
    """The whole offer table, replaced in one transaction. ``offers`` is read as it
    comes and written about ``rows_per_write`` rows (offers and sightings) at a time, so
    a builder can hand them over as they are made: a cluster's driver never holds them
    all (an offer's price history alone can be a megabyte)."""
    now = store._ts(datetime.now(UTC))
    with store._transaction():
        store._execute("DELETE FROM offer_sightings")
        store._execute("DELETE FROM offers")
        batch: list[OfferRow] = []
        rows = 0
        for offer in offers:
            batch.append(offer)
            rows += 1 + len(offer.message_ids)
            if rows >= rows_per_write:
                _insert_offers(store, batch, now)
                batch, rows = [], 0
        if batch:
            _insert_offers(store, batch, now)


def _insert_offers(store: Store, offers: Sequence[OfferRow], now: Any) -> None:
    store._executemany(
        store._q(
            "INSERT INTO offers (id, categories, intent, item, regions, summary, price_usd, "
            "price_unit, quantity, first_seen, last_seen, sightings, channels, authors, "
            "details, built_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ),
        [
            (o.id, ",".join(o.categories), o.intent, o.item, ",".join(o.regions),
             storable(o.summary), o.price_usd, o.price_unit, o.quantity,
             store._ts(o.first_seen), store._ts(o.last_seen), o.sightings, o.channels,
             o.authors, orjson.dumps(o.details).decode(), now)
            for o in offers
        ],
    )  # fmt: skip
    # A row per offer message: bulk-loaded where the backend can (COPY).
    store._insert_rows(
        "offer_sightings",
        ("message_id", "offer_id"),
        [(m, o.id) for o in offers for m in o.message_ids],
    )


@dataclass(frozen=True)
class OfferFilters:
    category: str | None = None
    intent: str | None = None
    region: str | None = None
    min_price: float | None = None
    max_price: float | None = None
    since: datetime | None = None
    limit: int = 50


_COLUMNS = (
    "id, categories, intent, item, regions, summary, price_usd, price_unit, quantity, "
    "first_seen, last_seen, sightings, channels, authors, details"
)


def _offer(store: Store, r: Sequence[Any]) -> OfferRow:
    return OfferRow(
        int(r[0]), tuple(c for c in r[1].split(",") if c), r[2], r[3],
        tuple(c for c in r[4].split(",") if c), r[5], r[6], r[7], r[8],
        store._read_ts(r[9]), store._read_ts(r[10]), int(r[11]), int(r[12]), int(r[13]),
        orjson.loads(r[14]),
    )  # fmt: skip


def list_offers(store: Store, filters: OfferFilters) -> list[OfferRow]:
    """Offers matching every filter, most sighted first (then most recent)."""
    conds: list[str] = []
    params: list[Any] = []
    if filters.category is not None:
        cond, param = list_has("categories", filters.category)
        conds.append(cond)
        params.append(param)
    if filters.intent is not None:
        conds.append("intent = ?")
        params.append(filters.intent)
    if filters.region is not None:
        cond, param = list_has("regions", filters.region.upper())
        conds.append(cond)
        params.append(param)
    if filters.min_price is not None:
        conds.append("price_usd >= ?")
        params.append(filters.min_price)
    if filters.max_price is not None:
        conds.append("price_usd <= ?")
        params.append(filters.max_price)
    if filters.since is not None:
        conds.append("last_seen >= ?")
        params.append(store._ts(filters.since))
    where = f"WHERE {' AND '.join(conds)}" if conds else ""
    rows = store._all(
        f"SELECT {_COLUMNS} FROM offers {where} "
        "ORDER BY sightings DESC, last_seen DESC, id LIMIT ?",
        [*params, filters.limit],
    )
    return [_offer(store, r) for r in rows]


def get_offer(store: Store, offer_id: int) -> OfferRow | None:
    rows = store._all(f"SELECT {_COLUMNS} FROM offers WHERE id = ?", (offer_id,))
    return _offer(store, rows[0]) if rows else None


def offer_sightings(store: Store, offer_id: int) -> list[tuple[int, str, str | None, datetime]]:
    """(message id, channel, author, posted at) of every sighting of an offer, in time order."""
    return [
        (int(r[0]), r[1], r[2], store._read_ts(r[3]))
        for r in store._all(
            "SELECT m.id, coalesce(c.name, c.key), a.display_name, m.posted_at "
            "FROM offer_sightings s JOIN messages m ON m.id = s.message_id "
            "JOIN channels c ON c.id = m.channel_id LEFT JOIN authors a ON a.id = m.author_id "
            "WHERE s.offer_id = ? ORDER BY m.posted_at, m.id",
            (offer_id,),
        )
    ]
