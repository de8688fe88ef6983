"""Who repeats which post. An *offer* is one template in the hands of one persona; every
time it is posted (in any chat, on any day) one of a few variants of it is used, which is
how the same ad turns up cross-posted with small changes."""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass

from .ads_tech import TECH_SOURCES
from .ads_trade import TRADE_SOURCES
from .cast import Persona
from .phrasebook import DM_SCRIPT, Template, parse_templates

SELLS_PER_MARKET = 3  # a seller keeps a handful of ads per trade, not every template
DM_OFFSET = 100_000  # offer indices of the private-chat lines, apart from the ads


@dataclass(frozen=True, slots=True)
class Offer:
    index: int  # stable id; seeds the offer's facts and its variants
    template: Template
    poster: Persona | None  # None: any member of the chat may post it
    subject: Persona  # whose handle, WeChat, TRON address fill the contact slots
    scam: Persona  # whom a scam exposure is about


@functools.cache
def all_templates() -> tuple[Template, ...]:
    sources = {**TRADE_SOURCES, **TECH_SOURCES}
    return tuple(t for market, text in sources.items() for t in parse_templates(market, text))


def _by_market_intent() -> dict[tuple[str, str], list[Template]]:
    table: dict[tuple[str, str], list[Template]] = {}
    for tpl in all_templates():
        table.setdefault((tpl.market, tpl.intent), []).append(tpl)
    return table


def build_offers(rng: random.Random, personas: list[Persona]) -> list[Offer]:
    table = _by_market_intent()
    shady = [p for p in personas if p.shady]
    sellers = [p for p in personas if p.role == "seller"]
    offers: list[Offer] = []

    def add(tpl: Template, poster: Persona | None, subject: Persona, scam: Persona) -> None:
        offers.append(Offer(len(offers), tpl, poster, subject, scam))

    unused = {id(t) for t in all_templates() if t.intent == "sell"}
    for persona in personas:
        intents = ("sell", "recruit") if persona.role == "seller" else ("buy",)
        for market in persona.markets:
            for intent in intents:
                pool = table.get((market, intent), [])
                if intent == "sell" and len(pool) > SELLS_PER_MARKET:
                    pool = rng.sample(pool, SELLS_PER_MARKET)
                for tpl in pool:
                    add(tpl, persona, persona, rng.choice(shady))
                    unused.discard(id(tpl))
    # Every sell template gets at least one seller, so every trade's wording shows up.
    for tpl in all_templates():
        if id(tpl) in unused:
            seller = rng.choice([p for p in sellers if tpl.market in p.markets])
            add(tpl, seller, seller, rng.choice(shady))
            if market == "escrow_guarantee" and persona.role == "seller":
                for tpl in table.get((market, "other"), []):
                    add(tpl, persona, persona, rng.choice(shady))
    # Questions, warnings and exposures come from anyone; each exposure template is used
    # against every shady persona, so the same operator is exposed in several words.
    for (market, intent), pool in table.items():
        if intent != "other" or market == "escrow_guarantee":
            continue
        for tpl in pool:
            targets = shady if market == "scam_report" else [rng.choice(shady)]
            for target in targets:
                add(tpl, None, rng.choice(sellers), target)
    return offers


def dm_offers(seller: Persona) -> list[tuple[str, Offer]]:
    """The private chat's script as (speaker, offer) pairs; speaker is ``me`` or ``seller``."""
    return [
        (speaker, Offer(DM_OFFSET + i, Template("dm", "other", line), None, seller, seller))
        for i, (speaker, line) in enumerate(DM_SCRIPT)
    ]
