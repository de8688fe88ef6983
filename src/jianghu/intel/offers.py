"""Offers: the same ad, reposted across channels with small edits, as one record with its
sightings, how its price moved, and what it is about.

Built from the store after ingest: every message the classifier called an offer (a
category and intent sell, buy or recruit) is reduced to a skeleton, near-duplicates are
grouped (``minhash``), and each group becomes an offer whose fields come from its
messages and their stored indicators (``offer_fields``). The offer table is derived data:
``build_offers`` replaces it whole, and an offer keeps its id (its earliest message's row
id) across rebuilds. ``jianghu.scale.offers_dask`` builds the same table on a cluster,
with the same steps (``minhash``, ``assemble_groups``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from jianghu.analysis.entities import CONTACT_TYPES, WALLET_TYPES
from jianghu.analysis.lexicon import CATEGORIES
from jianghu.analysis.normalize import normalize
from jianghu.intel.minhash import group_similar, skeleton
from jianghu.intel.offer_fields import (
    PriceSeen,
    Rates,
    item_type,
    load_rates,
    price_of,
    regions,
    summary,
    typical_price,
    unit_name,
)
from jianghu.store.base import Store
from jianghu.store.offers import (
    Candidate,
    OfferRow,
    candidates,
    candidates_by_id,
    entities_by_type,
    replace_offers,
)

_WANTED = (*CONTACT_TYPES, *WALLET_TYPES, "price", "quantity")

Step = Callable[[str], None]


@dataclass
class OfferBuildReport:
    candidates: int = 0
    offers: int = 0
    reposted: int = 0  # offers seen more than once
    rates_date: str = ""

    def to_json(self) -> dict[str, object]:
        return dict(vars(self))

    def counted(self, offers: Iterable[OfferRow]) -> Iterator[OfferRow]:
        """``offers``, counted into this report as they pass on to the store."""
        for o in offers:
            self.offers += 1
            self.reposted += int(o.sightings > 1)
            yield o


def _majority(values: list[str]) -> str:
    counts = Counter(values)
    return max(counts, key=lambda v: (counts[v], -values.index(v)))


def price_changes(prices: list[PriceSeen]) -> list[PriceSeen]:
    """The price history worth keeping: each price when it first appears or changes (per
    currency and unit), and the last one seen; a repost at the same price adds nothing."""
    ordered = sorted(prices, key=lambda p: (p.posted_at, p.message_id))
    kept: list[PriceSeen] = []
    last: dict[tuple[str, str | None, int], float] = {}
    for p in ordered:
        key = (p.currency, p.unit, p.per)
        if last.get(key) != p.amount:
            kept.append(p)
            last[key] = p.amount
    if ordered and (not kept or kept[-1] is not ordered[-1]):
        kept.append(ordered[-1])
    return kept


def normalized_texts(rows: Iterable[Candidate]) -> dict[int, str]:
    """Message id → normalised text; reposts repeat texts exactly: each is normalised once."""
    memo: dict[str, str] = {}
    return {c.id: memo.get(c.text) or memo.setdefault(c.text, normalize(c.text).text) for c in rows}


def skeletons_of(rows: Sequence[Candidate], normalized: dict[int, str]) -> list[str]:
    """Each candidate's skeleton (see ``minhash.skeleton``), each distinct text once."""
    memo: dict[str, str] = {}
    out = []
    for c in rows:
        found = memo.get(c.text)
        if found is None:
            found = memo[c.text] = skeleton(c.text, normalized[c.id])
        out.append(found)
    return out


def assemble(
    members: list[Candidate],
    found: dict[int, list[tuple[str, str, str, dict[str, str]]]],
    rates: Rates,
    normalized: dict[int, str] | None = None,
) -> OfferRow:
    """One offer from its sightings (members in id order) and their indicators
    (``normalized``: message id → normalised text, where known)."""
    norm = normalized or {}
    first = min(members, key=lambda c: (c.posted_at, c.id))
    n = len(members)
    votes = Counter(cat for c in members for cat in c.categories)
    cats = [c for c in CATEGORIES if votes[c] * 2 >= n] or [votes.most_common(1)[0][0]]
    intent = _majority([c.intent for c in members])
    norm_first = norm.get(first.id) or normalize(first.text).text
    item = item_type(cats[0], norm_first)
    where: list[str] = []
    prices: list[PriceSeen] = []
    quantities: list[str] = []
    contacts: dict[str, tuple[str, str]] = {}
    wallets: dict[str, tuple[str, str]] = {}
    for c in sorted(members, key=lambda c: (c.posted_at, c.id)):
        for code in regions(norm.get(c.id) or normalize(c.text).text):
            if code not in where:
                where.append(code)
        for etype, value, canon, attrs in found.get(c.id, []):
            if etype == "price":
                p = price_of(c.id, c.posted_at, attrs, rates)
                if p is not None:
                    prices.append(p)
            elif etype == "quantity":
                quantities.append(canon)
            elif etype in CONTACT_TYPES:
                contacts.setdefault(f"{etype}:{canon}", (etype, value))
            elif etype in WALLET_TYPES:
                wallets.setdefault(f"{etype}:{canon}", (etype, value))
    price, unit = typical_price(prices)
    channels = len({c.channel_id for c in members})
    authors = len({c.author_id for c in members if c.author_id is not None})
    last = max(c.posted_at for c in members)
    return OfferRow(
        id=min(c.id for c in members),
        categories=tuple(cats),
        intent=intent,
        item=item,
        regions=tuple(where),
        summary=summary(intent, cats, item, where, price, unit, n, channels, first.posted_at, last),
        price_usd=None if price is None else round(price, 4),
        price_unit=unit_name(unit),
        quantity=_majority(quantities) if quantities else None,
        first_seen=first.posted_at,
        last_seen=last,
        sightings=n,
        channels=channels,
        authors=authors,
        details={
            "prices": [p.to_json() for p in price_changes(prices)],
            "rates": {
                "date": rates.date,
                "source": rates.source,
                "usd_per_unit": rates.usd_per_unit,
            },
            "contacts": [
                {"type": t, "value": v, "normalized": k.split(":", 1)[1]}
                for k, (t, v) in contacts.items()
            ],
            "wallets": [
                {"type": t, "value": v, "normalized": k.split(":", 1)[1]}
                for k, (t, v) in wallets.items()
            ],
        },
        message_ids=tuple(sorted(c.id for c in members)),
    )


def build_offers(
    store: Store, rates: Rates | None = None, step: Step | None = None
) -> OfferBuildReport:
    """Rebuild the offer table from the stored, classified messages."""
    rates = rates or load_rates()
    say = step or (lambda _: None)
    say("reading offer messages")
    rows = list(candidates(store))
    report = OfferBuildReport(candidates=len(rows), rates_date=rates.date)
    say(f"grouping {len(rows)} offer messages")
    normalized = normalized_texts(rows)
    roots = group_similar(skeletons_of(rows, normalized))
    groups: dict[int, list[Candidate]] = {}
    for root, cand in zip(roots, rows, strict=True):
        groups.setdefault(root, []).append(cand)
    say(f"reading indicators of {len(rows)} messages")
    found = entities_by_type(store, [c.id for c in rows], _WANTED)
    say(f"assembling {len(groups)} offers")
    offers = [assemble(members, found, rates, normalized) for members in groups.values()]
    replace_offers(store, report.counted(offers))
    return report


def assemble_groups(store: Store, groups: Sequence[Sequence[int]], rates: Rates) -> list[OfferRow]:
    """The offers of these groups (each: its members' message ids), reading the members
    and their indicators from the store: what a cluster's worker does with its share."""
    ids = [i for members in groups for i in members]
    rows = {c.id: c for c in candidates_by_id(store, ids)}
    found = entities_by_type(store, ids, _WANTED)
    normalized = normalized_texts(rows.values())
    return [
        assemble([rows[i] for i in sorted(members)], found, rates, normalized) for members in groups
    ]
