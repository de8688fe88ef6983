"""Market figures: what is offered by category week by week, card data apart from data
leaks, the price index, and the channels that matter."""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from datetime import datetime

from jianghu.report.model import Chart, Ref, Row, Section, Table
from jianghu.store.offers import OfferRow
from jianghu.store.selection import MessageRecord, Selection

OFFER_INTENTS = frozenset({"sell", "buy", "recruit"})
CHART_SERIES = 8  # lines a reader can still tell apart

# Scheme words as sellers write them, for card ads that name a scheme but no number.
_SCHEME_WORDS = {
    "Visa": re.compile(r"visa", re.IGNORECASE),
    "Mastercard": re.compile(r"master|万事达|萬事達", re.IGNORECASE),
    "Amex": re.compile(r"amex|美国运通|american express|運通", re.IGNORECASE),
    "UnionPay": re.compile(r"银联|銀聯|unionpay", re.IGNORECASE),
    "JCB": re.compile(r"\bjcb\b", re.IGNORECASE),
    "Discover": re.compile(r"discover", re.IGNORECASE),
}


# The extractor's scheme codes as people write them.
SCHEME_NAMES = {"visa": "Visa", "mastercard": "Mastercard", "amex": "Amex",
                "unionpay": "UnionPay", "jcb": "JCB", "discover": "Discover",
                "diners": "Diners", "maestro": "Maestro", "mir": "Mir"}  # fmt: skip


def week_of(when: datetime) -> str:
    year, week, _ = when.isocalendar()
    return f"{year}-W{week:02d}"


def month_of(when: datetime) -> str:
    return when.strftime("%Y-%m")


def is_offer(m: MessageRecord) -> bool:
    return m.intent in OFFER_INTENTS and bool(m.categories)


def _change(last: int, before: int) -> str:
    if before == 0:
        return "new" if last else "–"
    return f"{(last - before) / before:+.0%}"


def offers_by_category(sel: Selection) -> Section:
    offers = [m for m in sel.messages if is_offer(m)]
    weeks = sorted({week_of(m.posted_at) for m in offers})
    per_cat: dict[str, list[MessageRecord]] = defaultdict(list)
    for m in offers:
        for c in m.categories:
            per_cat[c].append(m)
    order = sorted(per_cat, key=lambda c: (-len(per_cat[c]), c))
    # The data ends mid-week, so the change is between the last two complete weeks.
    ends_midweek = bool(sel.messages) and sel.messages[-1].posted_at.isoweekday() < 7
    full = weeks[:-1] if ends_midweek else weeks
    rows: list[Row] = []
    weekly_rows: list[Row] = []
    series: dict[str, list[float | None]] = {}
    for cat in order:
        msgs = per_cat[cat]
        by_week = Counter(week_of(m.posted_at) for m in msgs)
        intents = Counter(m.intent for m in msgs)
        last = by_week.get(full[-1], 0) if full else 0
        before = by_week.get(full[-2], 0) if len(full) > 1 else 0
        ref = Ref.of({m.offer_id for m in msgs if m.offer_id is not None}, {m.id for m in msgs})
        rows.append(
            Row(
                (
                    cat,
                    len(msgs),
                    len(ref.offers),
                    intents["sell"],
                    intents["buy"],
                    intents["recruit"],
                    last,
                    before,
                    _change(last, before),
                ),
                ref,
            )
        )
        weekly_rows.append(Row((cat, *(by_week.get(w, 0) for w in weeks)), ref))
        if len(series) < CHART_SERIES:
            series[cat] = [float(by_week.get(w, 0)) for w in weeks]
    last_label = full[-1] if full else "last week"
    return Section(
        "categories",
        "What is offered, by category",
        "Offer messages (selling, buying or recruiting) per category of the taxonomy; a "
        "message about two trades counts in both. Offers group reposts of the same ad.",
        [
            Table(
                "Offer messages by category",
                (
                    "category",
                    "offer messages",
                    "offers",
                    "sell",
                    "buy",
                    "recruit",
                    f"in {last_label}",
                    "week before",
                    "change",
                ),
                rows,
            ),
            Table("Offer messages by category and ISO week", ("category", *weeks), weekly_rows),
        ],
        [
            Chart(
                "categories-weekly",
                "Offer messages per week",
                "line",
                weeks,
                series,
                "offer messages",
            )
        ]
        if weeks
        else [],
    )


def _offers_in(sel: Selection, category: str) -> list[OfferRow]:
    return sorted(
        (o for o in sel.offers.values() if category in o.categories),
        key=lambda o: (-o.sightings, o.id),
    )


def _sightings_in(sel: Selection) -> dict[int, set[int]]:
    out: dict[int, set[int]] = defaultdict(set)
    for m in sel.messages:
        if m.offer_id is not None:
            out[m.offer_id].add(m.id)
    return out


def _by_region(sel: Selection, category: str, title: str) -> Table:
    seen = _sightings_in(sel)
    groups: dict[str, list[OfferRow]] = defaultdict(list)
    for o in _offers_in(sel, category):
        for region in o.regions or ("unstated",):
            groups[region].append(o)
    rows = []
    for region, offers in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        items = Counter(o.item for o in offers)
        prices = [o.price_usd for o in offers if o.price_usd is not None]
        ref = Ref.of({o.id for o in offers}, {i for o in offers for i in seen[o.id]})
        rows.append(
            Row(
                (
                    region,
                    len(offers),
                    len(ref.messages),
                    ", ".join(f"{k} {v}" for k, v in items.most_common(4)),
                    round(statistics.median(prices), 2) if prices else None,
                ),
                ref,
            )
        )
    return Table(title, ("region", "offers", "sightings", "items", "median price (USD)"), rows)


def _card_schemes(sel: Selection) -> Table:
    found: dict[str, set[int]] = defaultdict(set)
    for m in sel.messages:
        if "card_fraud" not in m.categories:
            continue
        named = {
            SCHEME_NAMES.get(str(e.attrs["scheme"]), str(e.attrs["scheme"]))
            for e in sel.entities.get(m.id, [])
            if e.type in ("card_number", "card_bin") and e.attrs.get("scheme")
        }
        if not named:
            named = {s for s, rx in _SCHEME_WORDS.items() if rx.search(m.text)}
        for scheme in named or {"unstated"}:
            found[scheme].add(m.id)
    offer_of = {m.id: m.offer_id for m in sel.messages}
    rows = [
        Row(
            (scheme, len(ids), len({offer_of[i] for i in ids if offer_of.get(i)})),
            Ref.of({o for i in ids if (o := offer_of.get(i)) is not None}, ids),
        )
        for scheme, ids in sorted(found.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]
    return Table(
        "Card-data messages by card scheme",
        ("scheme", "messages", "offers"),
        rows,
        "Scheme from the card numbers and BINs in the message (by IIN range), else from "
        "the scheme it names.",
    )


def card_data(sel: Selection) -> Section:
    return Section(
        "cards",
        "Card data, apart from data leaks",
        "Chinese and foreign card data are sold in different groups, so card offers are "
        "shown by the region they target and by scheme; leaked databases follow apart.",
        [
            _by_region(sel, "card_fraud", "Card-data offers by target region"),
            _card_schemes(sel),
            _by_region(sel, "data_leak", "Data-leak offers by region (not card data)"),
        ],
    )


def channels_that_matter(sel: Selection, limit: int = 15) -> Section:
    per: dict[int, list[MessageRecord]] = defaultdict(list)
    for m in sel.messages:
        per[m.channel_id].append(m)
    scored = []
    for cid, msgs in per.items():
        offers = [m for m in msgs if is_offer(m)]
        sellers = {m.author_id for m in offers if m.author_id is not None}
        exposures = [m for m in msgs if "scam_report" in m.categories]
        cats = Counter(c for m in offers for c in m.categories)
        ref = Ref.of(
            {m.offer_id for m in offers if m.offer_id is not None},
            {m.id for m in offers} | {m.id for m in exposures},
        )
        scored.append(
            (len(offers) + 10 * len(sellers), cid, msgs, offers, sellers, exposures, cats, ref)
        )
    scored.sort(key=lambda s: (-s[0], s[1]))
    rows = []
    for _, cid, msgs, offers, sellers, exposures, cats, ref in scored[:limit]:
        ch = sel.channels[cid]
        rows.append(
            Row(
                (
                    ch.name or ch.key,
                    ch.platform,
                    ch.kind,
                    len(msgs),
                    len(offers),
                    len(sellers),
                    len(exposures),
                    ", ".join(c for c, _ in cats.most_common(3)),
                ),
                ref,
            )
        )
    return Section(
        "channels",
        "The channels that matter",
        "Ranked by offer messages plus ten per distinct seller: a channel where many "
        "sellers trade matters more than one seller's busy channel.",
        [
            Table(
                "Channels",
                (
                    "channel",
                    "platform",
                    "kind",
                    "messages",
                    "offer messages",
                    "sellers",
                    "exposures",
                    "top categories",
                ),
                rows,
            )
        ],
    )
