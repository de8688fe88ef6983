"""Plain-text pieces shared by the HTML and Markdown renderers."""

from __future__ import annotations

from datetime import datetime

from jianghu.report.model import Cell, Landscape, Ref
from jianghu.report.safe import shown_name

SHOWN_CHARS = 1500  # a message longer than this is cut in the report (the store has it all)


def fmt_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return shown_name(value)


def evidence(report: Landscape, ref: Ref) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(offers, messages) to cite for a figure: a message that is a sighting of one of
    the cited offers is reached through that offer, so it is not repeated."""
    offers = set(ref.offers)
    rest = tuple(
        i for i in ref.messages if (m := report.messages.get(i)) is None or m.offer_id not in offers
    )
    return ref.offers, rest


def fmt_when(when: datetime | None) -> str:
    return "—" if when is None else when.strftime("%Y-%m-%d %H:%M UTC")


def truncated(text: str) -> str:
    if len(text) <= SHOWN_CHARS:
        return text
    return f"{text[:SHOWN_CHARS]}… ({len(text) - SHOWN_CHARS} more characters in the store)"


def describe_filters(report: Landscape) -> str:
    f = report.filters
    parts = [f"From {report.generated_from}", f"messages {fmt_when(report.start)} to "
             f"{fmt_when(report.end)}"]  # fmt: skip
    if f.since or f.until:
        parts.append(f"window {fmt_when(f.since)} to {fmt_when(f.until)}")
    if f.channels:
        parts.append(f"channels matching {', '.join(f.channels)}")
    if f.category:
        parts.append(f"category {f.category}")
    if f.actor is not None:
        parts.append(f"actor {f.actor}")
    if f.min_reputation is not None:
        parts.append(f"reputation at least {f.min_reputation}")
    return "; ".join(parts)
