"""English glosses for a message, and the lexicon's coverage of spelling variants.

:func:`gloss` is what ``jianghu gloss`` prints: the message as written, each recognised
term followed by its meaning in brackets (``出[selling] 料[stolen data: …]``), plus the
terms themselves with their spans in the original text. It is a pure function; the CLI
adds colour, escaping and ``--json``.

:func:`evaluate_lexicon` measures how many of the labelled variants in
``data/lexicon_eval.jsonl`` (traditional, spaced, emoji-split, full-width, homophone and
abbreviated forms of known terms, kept apart from the lexicon files) are recognised as the
right term, overall and per kind of variant.
"""

from __future__ import annotations

import json
from collections import Counter
from importlib.resources import files

import msgspec

from jianghu.analysis.entities import Entity, extract_entities, mask
from jianghu.analysis.entities.masking import MASKED_TYPES
from jianghu.analysis.lexicon import Lexicon, TermHit, load_lexicon
from jianghu.analysis.normalize import normalize

_ENTITY_LABELS = {
    "telegram_handle": "Telegram contact",
    "telegram_invite": "Telegram invite link",
    "qq": "QQ number",
    "wechat": "WeChat id",
    "email": "e-mail address",
    "phone": "phone number",
    "card_number": "payment card number",
    "card_bin": "card number prefix (BIN)",
    "cn_id": "Chinese resident ID number",
    "btc_address": "Bitcoin wallet",
    "eth_address": "Ethereum wallet",
    "tron_address": "TRON wallet",
    "xmr_address": "Monero wallet",
    "ltc_address": "Litecoin wallet",
    "usdt": "USDT",
    "url": "link (never opened)",
    "domain": "domain",
    "onion": "Tor onion service",
    "ipv4": "IP address",
    "ipv6": "IP address",
    "cve": "vulnerability id",
    "md5": "file hash",
    "sha1": "file hash",
    "sha256": "file hash",
    "price": "price",
    "quantity": "quantity",
}


class Glossed(msgspec.Struct, frozen=True):
    """One annotated stretch of the original text: a jargon term or an indicator."""

    start: int
    end: int
    shown: str  # the stretch as shown: victims' data masked, everything else as written
    label: str


class GlossResult(msgspec.Struct, frozen=True):
    """A message with its terms and indicators annotated in English."""

    text: str  # the message as written
    annotated: str  # the message with ``[gloss]`` after each term and indicator
    terms: list[TermHit]  # spans index ``text``
    entities: list[Entity]  # as found (not masked): faces mask them
    spans: list[Glossed]  # what ``annotated`` shows, in order, without overlaps


def entity_label(entity: Entity) -> str:
    label = _ENTITY_LABELS.get(entity.type, entity.type)
    a = entity.attrs
    if entity.type == "contact" and a.get("platform"):
        return f"{a['platform']} contact"
    if entity.type == "price" and a.get("amount"):
        unit = f" per {a['unit']}" if a.get("unit") else ""
        return f"price: {a['amount']} {a.get('currency', '')}{unit}".replace("  ", " ")
    if entity.type == "usdt" and a.get("chain"):
        return f"USDT on {a['chain']}"
    if entity.type == "card_number" and a.get("scheme"):
        return f"payment card number ({a['scheme']})"
    return label


def gloss(text: str, lexicon: Lexicon | None = None, with_entities: bool = True) -> GlossResult:
    """Annotate every recognised term and indicator of ``text`` in English.

    Where a term and an indicator overlap (the U of "100U" and the price 100U) the longer
    stretch is annotated. Victims' data (cards, ID and phone numbers) is shown masked.
    """
    lexicon = lexicon or load_lexicon()
    hits = lexicon.match(normalize(text))
    entities = extract_entities(text) if with_entities else []
    candidates = [(h.start, h.end, text[h.start : h.end], _label(h)) for h in hits]
    for e in entities:
        shown = mask(e) if e.type in MASKED_TYPES else text[e.start : e.end]
        candidates.append((e.start, e.end, shown, entity_label(e)))
    candidates.sort(key=lambda c: (c[0], c[0] - c[1]))
    spans: list[Glossed] = []
    pieces: list[str] = []
    last = 0
    for start, end, shown, label in candidates:
        if start < last:  # an earlier, longer stretch already covers this one
            continue
        pieces.append(text[last:start])
        pieces.append(f"{shown}[{label}]")
        spans.append(Glossed(start, end, shown, label))
        last = end
    pieces.append(text[last:])
    return GlossResult(text, "".join(pieces), hits, entities, spans)


def _label(hit: TermHit) -> str:
    if hit.kind == "contact_platform":
        return f"{hit.gloss} contact"
    if hit.attack_id:
        return f"{hit.gloss}; ATT&CK {hit.attack_id}"
    return hit.gloss


class VariantMiss(msgspec.Struct, frozen=True):
    text: str
    expected: str
    variant: str
    found: list[str]  # canonical terms recognised instead


class LexiconEvaluation(msgspec.Struct, frozen=True):
    """Coverage of the labelled spelling variants."""

    total: int
    recognised: int
    by_variant: dict[str, tuple[int, int]]  # variant kind -> (recognised, total)
    misses: list[VariantMiss]

    @property
    def coverage(self) -> float:
        return self.recognised / self.total if self.total else 0.0


def evaluate_lexicon(lexicon: Lexicon | None = None) -> LexiconEvaluation:
    """Recognition of ``data/lexicon_eval.jsonl``: a row counts when a hit has the
    expected head term (and the expected category, when the row gives one)."""
    lexicon = lexicon or load_lexicon()
    path = files("jianghu.analysis") / "data" / "lexicon_eval.jsonl"
    totals: Counter[str] = Counter()
    good: Counter[str] = Counter()
    misses: list[VariantMiss] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        hits = lexicon.match(normalize(row["text"]), all_senses=True)
        category = row.get("category")
        ok = any(
            h.canonical == row["canonical"] and (category is None or h.category == category)
            for h in hits
        )
        totals[row["variant"]] += 1
        if ok:
            good[row["variant"]] += 1
        else:
            found = [h.canonical for h in hits]
            misses.append(VariantMiss(row["text"], row["canonical"], row["variant"], found))
    by_variant = {v: (good[v], totals[v]) for v in sorted(totals)}
    return LexiconEvaluation(sum(totals.values()), sum(good.values()), by_variant, misses)
