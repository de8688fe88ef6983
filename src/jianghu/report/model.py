"""What a report is made of: sections of tables and charts, where every row carries the
offers and messages it was computed from, so each figure can be checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from jianghu.store.offers import OfferRow
from jianghu.store.selection import MessageRecord, SelectionFilters

Cell = str | int | float | None


@dataclass(frozen=True)
class Ref:
    """The evidence behind a figure: offer and message ids, sorted."""

    offers: tuple[int, ...] = ()
    messages: tuple[int, ...] = ()

    @staticmethod
    def of(offers: set[int] | None = None, messages: set[int] | None = None) -> Ref:
        return Ref(tuple(sorted(offers or ())), tuple(sorted(messages or ())))


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    ref: Ref = Ref()


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: list[Row]
    note: str = ""


@dataclass(frozen=True)
class Chart:
    """A chart drawn from ``series`` (name → one value per x label; None: no data)."""

    key: str
    title: str
    kind: str  # "line" or "bar"
    x: list[str]
    series: dict[str, list[float | None]]
    ylabel: str
    log_scale: bool = False


@dataclass
class Section:
    key: str
    title: str
    intro: str
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


@dataclass
class Landscape:
    title: str
    generated_from: str  # the store, as the analyst named it (no password)
    filters: SelectionFilters
    start: datetime | None
    end: datetime | None
    totals: dict[str, int]
    sections: list[Section]
    messages: dict[int, MessageRecord]  # every message a figure refers to
    offers: dict[int, OfferRow]  # every offer a figure refers to
    shown: dict[int, str]  # message id → text as shown (masked, defanged, made visible)
    channel_names: dict[int, str]
    author_names: dict[int, str]

    def referenced(self) -> tuple[set[int], set[int]]:
        """(offer ids, message ids) named anywhere in the report."""
        offers: set[int] = set()
        messages: set[int] = set()
        for section in self.sections:
            for table in section.tables:
                for row in table.rows:
                    offers.update(row.ref.offers)
                    messages.update(row.ref.messages)
        return offers, messages
