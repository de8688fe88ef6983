"""The demo's ads as labelled text: what the template-generated part of the classifier's
training data is made of (see ``analysis/data/classify/DATASHEET.md``).

The demo writes posts from templates that each carry a market and an intent; here the
same rendering (reposted variants, emoji, obfuscation, traditional characters) yields
``(text, categories, intent)`` instead of a Telegram export.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import orjson

from . import phrasebook as pb
from .cast import build_personas
from .offers import build_offers
from .render import Rendered, chatter, render_offer

# Scam exposures in the templates name goods ({item}) and escrow groups, which makes them
# multi-label in ways the template does not record: they are left out rather than
# taught with a wrong label.
_SKIPPED_MARKETS = ("scam_report", "dm")
_CATEGORY = {"card_cn": "card_fraud", "card_intl": "card_fraud"}


def _plain(rendered: Rendered) -> str:
    value = rendered.fields.split(b'"text": ', 1)[1].split(b',\n      "text_entities": ', 1)[0]
    parsed = orjson.loads(value)
    if isinstance(parsed, str):
        return parsed
    return "".join(p if isinstance(p, str) else str(p.get("text", "")) for p in parsed)


def labelled_posts(
    seed: int, variants: int, chatter_count: int
) -> Iterator[tuple[str, str, tuple[str, ...], str]]:
    """(group, text, categories, intent): ``variants`` renderings of every ad template's
    offers and ``chatter_count`` lines of small talk (no category). Posts rendered from the
    same offer share a group, so a train/held-out split never separates them."""
    world = random.Random(f"{seed}/world")
    personas = build_personas(world, {pb.ME_USER_ID})
    for offer in build_offers(world, personas):
        market = offer.template.market
        if market in _SKIPPED_MARKETS:
            continue
        cats = (_CATEGORY.get(market, market),)
        for variant in range(variants):
            text = _plain(render_offer(offer, seed, variant))
            yield f"demo-offer-{offer.index}", text, cats, offer.template.intent
    rng = random.Random(f"{seed}/chatter")
    for i in range(chatter_count):
        yield f"demo-chat-{i}", _plain(chatter(rng)), (), "other"
