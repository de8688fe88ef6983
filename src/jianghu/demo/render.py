"""From template to post: slots filled, one variant's cosmetic changes applied (emoji,
nudged price, line order, filter-dodging spellings, traditional characters), entities
detected the way Telegram detects them, and both text fields serialised once.

Each offer draws its facts (prices, places, quantities) from one RNG and each variant its
looks from another, so variants of one ad differ only cosmetically.
"""

from __future__ import annotations

import functools
import random
import re
from dataclasses import dataclass
from typing import Any

from . import boilerplate as bp
from . import phrasebook as pb
from .offers import Offer
from .slots import Ctx, compile_template, fill
from .tdjson import Ent, Part, js, plain_text, plain_text_fields, text_fields, with_trailing_quirk


@dataclass(frozen=True, slots=True)
class Rendered:
    """A text ready to write: the serialised ``text`` and ``text_entities`` fields, and the
    length of the plain text (for the summary's mean)."""

    fields: bytes
    length: int


_ENTITIES = re.compile(
    r"\*\*(?P<bold>[^*\n]+)\*\*"
    r"|\[(?P<label>[^\]\n]+)\]\((?P<href>https?://[^)\s]+)\)"
    r"|`(?P<code>[^`\n]+)`"
    r"|~~(?P<strikethrough>[^~\n]+)~~"
    r"|(?P<link>(?:https?://)?t\.me/[A-Za-z0-9_/]+)"
    r"|(?<![A-Za-z0-9_@.])(?P<mention>@[A-Za-z][A-Za-z0-9_]{4,31})"
    r"|(?<![\w#])(?P<hashtag>#\w+)"
    r"|(?P<phone>\+86 1\d{2} \d{4} \d{4})"
)


def parse_entities(text: str) -> list[Part]:
    parts: list[Part] = []
    pos = 0
    for m in _ENTITIES.finditer(text):
        if m.start() > pos:
            parts.append(text[pos : m.start()])
        kind = m.lastgroup or ""
        if kind == "href":
            parts.append(Ent("text_link", m.group("label"), ("href", js(m.group("href")))))
        else:
            parts.append(Ent(kind, m.group(kind)))
        pos = m.end()
    if pos < len(text):
        parts.append(text[pos:])
    return parts


def finish(text: str) -> Rendered:
    parts = parse_entities(text)
    length = len(plain_text(parts))
    parts = with_trailing_quirk(parts)
    return Rendered(text_fields(parts), length)


@functools.cache
def _converter() -> Any:
    import opencc  # a core dependency; imported on first use, not at import time

    return opencc.OpenCC("s2tw")


def _obfuscate(text: str, style: random.Random) -> str:
    present = [word for word in pb.OBFUSCATIONS if word in text]
    for word in style.sample(present, min(2, len(present))):
        text = text.replace(word, style.choice(pb.OBFUSCATIONS[word]))
    return text


def _vary(lines: list[str], style: random.Random, trad: bool, advert: bool) -> str:
    if advert and len(lines) > 1:
        lines[0] = style.choice(pb.HEAD_DECOR) + lines[0]
        tail = style.choice(pb.TAIL_DECOR)
        if tail:
            lines.append(tail)
    text = "\n".join(lines)
    if style.random() < 0.25:
        text = _obfuscate(text, style)
    if style.random() < (0.85 if trad else 0.1):
        text = str(_converter().convert(text))
    return text


def _extras(offer: Offer, base: random.Random) -> tuple[list[str], list[str]]:
    """The offer's own price list and boilerplate, as templates (drawn from the offer's RNG:
    every repost has them, in the same words)."""
    market, intent = offer.template.market, offer.template.intent
    if intent == "sell":
        menu = bp.MENUS.get(market, ())
        lines = base.sample(menu, min(len(menu), base.randint(2, 5)))
        return lines, base.sample(bp.SELL_EXTRAS, base.randint(2, 5))
    if intent == "recruit":
        return [], base.sample(bp.SELL_EXTRAS, base.randint(2, 4))
    if intent == "buy":
        return [], base.sample(bp.BUY_EXTRAS, base.randint(1, 2))
    if market == "scam_report" and "\n" in offer.template.text:  # reports, not questions
        return [], base.sample(bp.SCAM_EXTRAS, base.randint(1, 3))
    return [], []


_NO_TAILS = ("escrow_guarantee", "dm")  # notices and private chat get no "anyone know?"


def _lines(texts: list[str], ctx: Ctx) -> list[str]:
    return [fill(line, ctx) for text in texts for line in compile_template(text)]


def render_offer(offer: Offer, seed: int, variant: int) -> Rendered:
    base = random.Random(f"{seed}/offer/{offer.index}")
    style = random.Random(f"{seed}/offer/{offer.index}/{variant}")
    palette, dot = style.choice(pb.EMOJI_PALETTES), style.choice(bp.BULLETS)
    ctx = Ctx(base, style, offer.subject, offer.scam, palette, dot)
    # Facts first, in a fixed order, so that every variant draws the same ones from `base`.
    lines = _lines([offer.template.text], ctx)
    menu_texts, boiler_texts = _extras(offer, base)
    menu, boiler = _lines(menu_texts, ctx), _lines(boiler_texts, ctx)
    # Then the looks: a repost shuffles its lines and sometimes loses one.
    if len(lines) >= 4 and style.random() < 0.4:
        body = lines[1:-1]
        style.shuffle(body)
        lines = [lines[0], *body, lines[-1]]
    if style.random() < 0.5:
        style.shuffle(boiler)
    if boiler and style.random() < 0.3:
        boiler.pop(style.randrange(len(boiler)))
    if menu or boiler:
        at = len(lines) - 1 if len(lines) > 1 else len(lines)
        lines[at:at] = menu + boiler
    elif offer.template.intent == "other" and offer.template.market not in _NO_TAILS:
        tail = style.choice(bp.OTHER_TAILS)
        lines[-1] += f" {tail}" if tail else ""
    trad = offer.poster is not None and offer.poster.trad
    advert = offer.template.intent in ("sell", "recruit")
    return finish(_vary(lines, style, trad, advert))


class PostCache:
    """Rendered variants, made on first use: memory stays bounded by offers x variants
    however many messages are written."""

    def __init__(self, seed: int, variants: int) -> None:
        self.seed = seed
        self.variants = variants
        self._store: dict[tuple[int, int], Rendered] = {}

    def get(self, offer: Offer, variant: int) -> Rendered:
        key = (offer.index, variant)
        hit = self._store.get(key)
        if hit is None:
            hit = render_offer(offer, self.seed, variant)
            self._store[key] = hit
        return hit


def chatter(rng: random.Random, long_share: float = 0.2) -> Rendered:
    """Small talk, made fresh each time (it is cheap, and real chat rarely repeats)."""
    roll = rng.random()
    if roll < long_share:
        text = rng.choice(pb.CHATTER_LONG)
    else:
        count = 1 if roll < 0.5 + long_share / 2 else 2 if roll < 0.9 else 3
        text = rng.choice(("，", " ", " ")).join(rng.choice(pb.CHATTER) for _ in range(count))
    text += rng.choice(pb.CHATTER_TAILS)
    return Rendered(plain_text_fields(text), len(text))
