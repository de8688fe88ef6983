"""The price index: median US-dollar unit price per category, item and month, with how
many offers back each figure."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import datetime

from jianghu.intel.offer_fields import PriceSeen, typical_price, unit_name
from jianghu.report.market import CHART_SERIES, month_of
from jianghu.report.model import Chart, Ref, Row, Section, Table
from jianghu.store.offers import OfferRow
from jianghu.store.selection import Selection


def _prices(offer: OfferRow) -> list[PriceSeen]:
    out = []
    for p in offer.details.get("prices", []):
        out.append(
            PriceSeen(
                int(p["message_id"]),
                datetime.fromisoformat(p["posted_at"]),
                float(p["amount"]),
                str(p["currency"]),
                p.get("unit"),
                int(p.get("per") or 1),
                None if p.get("usd") is None else float(p["usd"]),
            )
        )
    return out


def price_index(sel: Selection) -> Section:
    """Median US-dollar unit price per category, item and month, over offers: each offer
    counts once per month (its own median that month), so one loud reseller cannot move
    the index by reposting."""
    cells: dict[tuple[str, str, str], dict[str, list[tuple[float, int, set[int]]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    months: set[str] = set()
    for offer in sel.offers.values():
        if offer.intent != "sell" or not offer.categories:
            continue
        by_month: dict[str, list[PriceSeen]] = defaultdict(list)
        for p in _prices(offer):
            by_month[month_of(p.posted_at)].append(p)
        for month, seen in by_month.items():
            value, unit = typical_price(seen)
            if value is None:
                continue
            key = (offer.categories[0], offer.item, unit_name(unit) or "offer")
            cells[key][month].append((value, offer.id, {p.message_id for p in seen}))
            months.add(month)
    cols = sorted(months)
    ranked = sorted(cells, key=lambda k: (-len({o for v in cells[k].values() for _, o, _ in v}), k))
    rows = []
    series: dict[str, list[float | None]] = {}
    for key in ranked:
        per_month = cells[key]
        shown: list[str] = []
        medians: list[float | None] = []
        for month in cols:
            entries = per_month.get(month, [])
            if entries:
                med = statistics.median(v for v, _, _ in entries)
                shown.append(f"{med:,.2f} (n={len(entries)})")
                medians.append(med)
            else:
                shown.append("")
                medians.append(None)
        offers = {o for v in per_month.values() for _, o, _ in v}
        msgs = {i for v in per_month.values() for _, _, ids in v for i in ids}
        rows.append(
            Row((key[0], key[1], f"per {key[2]}", len(offers), *shown), Ref.of(offers, msgs))
        )
        if len(series) < CHART_SERIES and len([m for m in medians if m is not None]) > 1:
            series[f"{key[0]}/{key[1]}"] = medians
    charts = (
        [
            Chart(
                "price-index",
                "Median unit price by month (USD, log scale)",
                "line",
                cols,
                series,
                "USD per unit",
                log_scale=True,
            )
        ]
        if series
        else []
    )
    return Section(
        "prices",
        "Price index",
        "Median US-dollar price per unit (or per offer where no unit is stated) of the "
        "selling offers, by category, item and month; n is the number of offers behind "
        "each figure. Prices are converted at the dated rates stored with each offer.",
        [
            Table(
                "Median unit price (USD) by month",
                ("category", "item", "unit", "offers", *cols),
                rows,
            )
        ],
        charts,
    )
