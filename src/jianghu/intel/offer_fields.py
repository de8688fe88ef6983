"""What an offer is about, read from its messages: item type, targeted regions, prices in
US dollars (with the rate and its date), quantity, and a one-sentence summary.

Pure functions over text and stored indicators; the vocabularies are data
(``intel/data/items.toml``, ``regions.toml``, ``rates.toml``).
"""

from __future__ import annotations

import functools
import statistics
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

from jianghu.errors import ConfigError

CURRENCIES = ("USD", "USDT", "CNY", "HKD", "TWD", "THB", "BTC")


def _data(name: str) -> dict[str, Any]:
    text = (files("jianghu.intel") / "data" / name).read_text(encoding="utf-8")
    return tomllib.loads(text)


@functools.cache
def item_vocabulary() -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    return {cat: [(item, tuple(words)) for item, words in table.items()]
            for cat, table in _data("items.toml").items()}  # fmt: skip


@functools.cache
def region_words() -> list[tuple[str, str]]:
    """(word, region code), longest words first so 美国卡 wins over a shorter word."""
    pairs = [(w, code) for code, words in _data("regions.toml")["words"].items() for w in words]
    return sorted(pairs, key=lambda p: -len(p[0]))


def item_type(category: str, normalized: str) -> str:
    for item, words in item_vocabulary().get(category, []):
        if any(w in normalized for w in words):
            return item
    return "other"


def regions(normalized: str) -> list[str]:
    """Region codes named in a normalised text, in order of first mention."""
    return list(_regions(normalized))


@functools.lru_cache(maxsize=65536)  # reposts repeat their text exactly
def _regions(normalized: str) -> tuple[str, ...]:
    found: list[str] = []
    for word, code in region_words():
        if word in normalized and code not in found:
            found.append(code)
    return tuple(found)


@dataclass(frozen=True)
class Rates:
    date: str
    source: str
    usd_per_unit: dict[str, float]

    def to_usd(self, amount: float, currency: str) -> float | None:
        rate = self.usd_per_unit.get(currency)
        return None if rate is None else amount * rate


def parse_rates(text: str, where: str) -> Rates:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML: {exc}") from exc
    table = data.get("usd_per_unit")
    if not isinstance(data.get("date"), str) or not isinstance(table, dict):
        raise ConfigError(f"{where}: expected 'date = \"YYYY-MM-DD\"' and a [usd_per_unit] table")
    rates: dict[str, float] = {}
    for code, value in table.items():
        if code not in CURRENCIES:
            raise ConfigError(f"{where}: [usd_per_unit] {code}: expected one of {CURRENCIES}")
        if not isinstance(value, int | float) or value <= 0:
            raise ConfigError(f"{where}: [usd_per_unit] {code}: expected a positive number")
        rates[code] = float(value)
    return Rates(data["date"], str(data.get("source", where)), rates)


def load_rates(path: Path | None = None) -> Rates:
    """The shipped rate table, or the analyst's own."""
    if path is None:
        text = (files("jianghu.intel") / "data" / "rates.toml").read_text(encoding="utf-8")
        return parse_rates(text, "rates.toml")
    try:
        return parse_rates(path.read_text(encoding="utf-8"), str(path))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the rate table: {exc}") from exc


@dataclass(frozen=True)
class PriceSeen:
    """One price in one sighting, as written and in US dollars."""

    message_id: int
    posted_at: datetime
    amount: float
    currency: str
    unit: str | None  # 条, 张, 套 … when the message says per what
    per: int  # the price is for this many units
    usd: float | None

    @property
    def usd_per_unit(self) -> float | None:
        if self.usd is None or self.unit is None or self.per <= 0:
            return None
        return self.usd / self.per

    def to_json(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "posted_at": self.posted_at.isoformat(),
            "amount": self.amount,
            "currency": self.currency,
            "unit": self.unit,
            "per": self.per,
            "usd": None if self.usd is None else round(self.usd, 4),
        }


def price_of(
    message_id: int, posted_at: datetime, attrs: dict[str, str], rates: Rates
) -> PriceSeen | None:
    try:
        amount = float(attrs["amount"])
        per = int(float(attrs.get("per") or 1))
    except (KeyError, ValueError):
        return None
    currency = attrs.get("currency", "")
    unit = attrs.get("unit") or None
    return PriceSeen(message_id, posted_at, amount, currency, unit, per,
                     rates.to_usd(amount, currency))  # fmt: skip


def typical_price(prices: Sequence[PriceSeen]) -> tuple[float | None, str | None]:
    """The median US-dollar price per unit where a unit is known, else the median price;
    with the unit it is per (None: per offer, as stated)."""
    per_unit = [(p.usd_per_unit, p.unit) for p in prices if p.usd_per_unit is not None]
    if per_unit:
        units = [u for _, u in per_unit]
        # In order of first quote, so a tie goes to the unit quoted first in every process
        # (a set's order follows salted string hashes: it changed between runs and workers).
        unit = max(dict.fromkeys(units), key=units.count)
        values = [v for v, u in per_unit if u == unit and v is not None]
        return statistics.median(values), unit
    plain = [p.usd for p in prices if p.usd is not None]
    return (statistics.median(plain), None) if plain else (None, None)


# The price extractor's units (a closed set) in English, for summaries and listings.
UNIT_NAMES = {
    "条": "record", "张": "card", "套": "set", "个": "item", "月": "month", "次": "use",
    "单": "order", "份": "copy", "号": "account", "年": "year", "天": "day", "周": "week",
    "人": "person", "组": "group", "粉": "lead", "G": "GB",
}  # fmt: skip


def unit_name(unit: str | None) -> str | None:
    return None if unit is None else UNIT_NAMES.get(unit, "unit")


_VERB = {"sell": "Sells", "buy": "Seeks", "recruit": "Recruits for"}
_CATEGORY_WORDS = {
    "data_leak": "personal data", "card_fraud": "card data", "money_laundering": "laundering",
    "fake_identity": "identity documents", "kyc_bypass": "KYC bypass", "sim_sms": "SIMs/SMS",
    "account_trade": "accounts", "hacking_service": "intrusion services",
    "hacking_tool": "hacking tools", "fraud_service": "scam services", "gambling": "gambling",
    "drugs": "drugs", "escrow_guarantee": "escrow", "scam_report": "scam reports",
}  # fmt: skip


def summary(
    intent: str,
    categories: Sequence[str],
    item: str,
    region_codes: Sequence[str],
    price: float | None,
    unit: str | None,
    sightings: int,
    channels: int,
    first: datetime,
    last: datetime,
) -> str:
    """One plain-English sentence built from the structured fields only (never from the
    message text, which is the criminals' and stays out of generated prose)."""
    what = _CATEGORY_WORDS.get(categories[0], categories[0]) if categories else "something"
    if item != "other":
        what = f"{item.replace('_', ' ')} ({what})"
    where = f" targeting {', '.join(region_codes)}" if region_codes else ""
    cost = ""
    if price is not None:
        cost = f" at about ${price:,.2f}" + (f" per {unit_name(unit)}" if unit else "")
    seen = f"seen {sightings} time{'s' if sightings != 1 else ''} in {channels} channel" + (
        "s" if channels != 1 else ""
    )
    span = first.date().isoformat()
    if last.date() != first.date():
        span += f" to {last.date().isoformat()}"
    return f"{_VERB.get(intent, 'Mentions')} {what}{where}{cost}; {seen}, {span}."
