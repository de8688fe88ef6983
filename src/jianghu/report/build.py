"""Assemble the landscape report from a slice of the store."""

from __future__ import annotations

from collections.abc import Callable

from jianghu.analysis.lexicon import Lexicon, load_lexicon
from jianghu.report import market, people, prices, words
from jianghu.report.market import is_offer
from jianghu.report.model import Landscape, Section
from jianghu.report.safe import shown_name, shown_text
from jianghu.store.base import Store
from jianghu.store.selection import Selection, SelectionFilters, select

Step = Callable[[str], None]


def _title(filters: SelectionFilters) -> str:
    parts = ["Landscape of the Chinese-language underground"]
    if filters.channels:
        parts.append(f"in {', '.join(filters.channels)}")
    return " ".join(parts)


def landscape(
    store: Store,
    filters: SelectionFilters,
    generated_from: str,
    lexicon: Lexicon | None = None,
    reveal: bool = False,
    step: Step | None = None,
) -> Landscape:
    """Every figure of the report, each with the offers and messages behind it."""
    say = step or (lambda _: None)
    say("reading the store")
    sel = select(store, filters)
    lexicon = lexicon or load_lexicon()
    sections: list[Section] = []
    builders: list[tuple[str, Callable[[], Section]]] = [
        ("offers by category", lambda: market.offers_by_category(sel)),
        ("card data", lambda: market.card_data(sel)),
        ("price index", lambda: prices.price_index(sel)),
        ("actors", lambda: people.actors(sel)),
        ("escrow markets", lambda: people.escrow_markets(sel)),
        ("jargon and tools", lambda: words.language(sel, lexicon)),
        ("channels", lambda: market.channels_that_matter(sel)),
    ]
    for name, build in builders:
        say(name)
        sections.append(build())
    report = Landscape(
        title=_title(filters),
        generated_from=generated_from,
        filters=filters,
        start=sel.messages[0].posted_at if sel.messages else None,
        end=sel.messages[-1].posted_at if sel.messages else None,
        totals=_totals(sel),
        sections=sections,
        messages={},
        offers={},
        shown={},
        channel_names={c.id: shown_name(c.name or c.key) for c in sel.channels.values()},
        author_names={
            a.id: shown_name(a.display_name or a.handle or a.key) for a in sel.accounts.values()
        },
    )
    offer_ids, message_ids = report.referenced()
    report.offers = {i: sel.offers[i] for i in sorted(offer_ids) if i in sel.offers}
    # An offer's sightings in the window are evidence too, so they are listed with it.
    message_ids |= {i for o in report.offers.values() for i in o.message_ids}
    by_id = {m.id: m for m in sel.messages}
    report.messages = {i: by_id[i] for i in sorted(message_ids) if i in by_id}
    report.shown = {
        i: shown_text(m.text, sel.entities.get(i, []), reveal) for i, m in report.messages.items()
    }
    return report


def _totals(sel: Selection) -> dict[str, int]:
    return {
        "messages": len(sel.messages),
        "offer messages": sum(1 for m in sel.messages if is_offer(m)),
        "offers": len(sel.offers),
        "channels": len(sel.channels),
        "accounts": len(sel.accounts),
        "actors": len(sel.actors),
    }
