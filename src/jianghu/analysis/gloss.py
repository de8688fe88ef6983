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

from jianghu.analysis.lexicon import Lexicon, TermHit, load_lexicon
from jianghu.analysis.normalize import normalize


class GlossResult(msgspec.Struct, frozen=True):
    """A message with its terms annotated in English."""

    text: str  # the message as written
    annotated: str  # the message with ``[gloss]`` after each recognised term
    terms: list[TermHit]  # spans index ``text``


def gloss(text: str, lexicon: Lexicon | None = None) -> GlossResult:
    """Annotate every recognised term of ``text`` with its English gloss."""
    lexicon = lexicon or load_lexicon()
    hits = lexicon.match(normalize(text))
    pieces: list[str] = []
    last = 0
    for hit in hits:
        if hit.start < last:  # an earlier hit already covers this stretch of the original
            continue
        pieces.append(text[last : hit.end])
        pieces.append(f"[{_label(hit)}]")
        last = hit.end
    pieces.append(text[last:])
    return GlossResult(text, "".join(pieces), hits)


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
