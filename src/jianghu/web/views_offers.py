"""Offers as the API and the pages show them: plain data read from the store, victims'
data masked, nothing FastAPI-specific.

Every string here may have been written by a criminal; the API returns it as data and
the templates escape it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from jianghu.analysis.classify.linear import INTENTS
from jianghu.analysis.entities.masking import MASKED_TYPES
from jianghu.analysis.lexicon import CATEGORIES
from jianghu.faces.cli_common import check_choice, parse_when
from jianghu.store.base import Store
from jianghu.store.offers import OfferFilters, OfferRow, get_offer, list_offers, offer_sightings
from jianghu.web.paging import page
from jianghu.web.views_actors import masked

OFFER_INTENTS = tuple(i for i in INTENTS if i != "other")


def _indicators(found: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    # A masked value is masked from the normalised form: the text as written may split the
    # digits in ways the mask would not hide.
    out = []
    for c in found:
        if c["type"] in MASKED_TYPES:
            c = {**c, "value": masked(c["type"], c["normalized"])}
            c["normalized"] = c["value"]
        out.append(c)
    return out


def offer_json(o: OfferRow) -> dict[str, Any]:
    return {
        **o.summary_json(),
        "url": f"/offers/{o.id}",
        "contacts": _indicators(o.details.get("contacts", [])),
        "wallets": _indicators(o.details.get("wallets", [])),
    }


@dataclass(frozen=True)
class OfferQuery:
    """The filters of ``jianghu offers``, as the web takes them (text, checked here)."""

    category: str | None = None
    intent: str | None = None
    region: str | None = None
    min_price: float | None = None
    max_price: float | None = None
    since: str | None = None


def offer_page(store: Store, q: OfferQuery, limit: int, offset: int) -> dict[str, Any]:
    check_choice("category", q.category, CATEGORIES)
    check_choice("intent", q.intent, OFFER_INTENTS)
    filters = OfferFilters(
        q.category,
        q.intent,
        q.region,
        q.min_price,
        q.max_price,
        parse_when(q.since, "since"),
        offset + limit + 1,
    )
    found = list_offers(store, filters)
    items = [offer_json(o) for o in found[offset : offset + limit]]
    return page(items, limit, offset, len(found) > offset + limit)


def offer_detail(store: Store, offer_id: int) -> dict[str, Any] | None:
    """One offer, every sighting with its message, and its prices over time."""
    o = get_offer(store, offer_id)
    if o is None:
        return None
    seen = [
        {
            "message_id": m,
            "url": f"/messages/{m}",
            "channel": c,
            "author": a,
            "posted_at": t.isoformat(),
        }
        for m, c, a, t in offer_sightings(store, offer_id)
    ]
    return {
        **offer_json(o),
        "sightings_list": seen,
        "prices": o.details.get("prices", []),
        "rates": o.details.get("rates", {}),
    }
