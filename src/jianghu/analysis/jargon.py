"""Jargon discovery: unknown n-grams that behave like underground vocabulary.

Segmentation-free, because word segmenters split exactly the words we look for (四件套 →
四/件/套). Every message is normalised; its CJK runs give 2–4 character n-grams and its
Latin text tokens of 2–8 letters. Known lexicon forms of two or more characters (any
sense, ordinary words too) are masked first, so neither a known term, nor a fragment of
one, nor a superstring that only adds a character to one is ever counted.

A message is *offer-like* when it has a lexicon hit of kind offer, trade term or intent,
a contact-platform hit, or a price, contact or handle entity. A candidate scores high when

* it is used in many distinct offer-like messages (frequency),
* more often in offer-like messages than in ordinary chat (smoothed log rate ratio),
* near known jargon or an offer cue (within ``window`` characters),
* its edges are word edges: high branching entropy on both sides (四件 is always followed
  by 套, so it is a fragment of 四件套), and
* it is cohesive: every split of it has a high pointwise mutual information (的找 is two
  words that happen to meet).

Identical messages are counted once: a seller reposting one ad a hundred times does not
make its words a hundred times more of a trade vocabulary.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import ahocorasick  # no type stubs: mypy override in pyproject.toml
import msgspec

from jianghu.analysis.entities import extract_entities
from jianghu.analysis.lexicon import Lexicon
from jianghu.analysis.normalize import Normalized, normalize

OFFER_KINDS = frozenset({"offer", "trade_term", "intent", "contact_platform"})
OFFER_ENTITIES = frozenset(
    {"price", "telegram_handle", "telegram_invite", "qq", "wechat", "phone", "contact", "email"}
)
# Characters that never make a term on their own; a candidate made only of them is chat.
FUNCTION_CHARS = frozenset("的了是在我你他她它们这那个么吗呢吧啊呀就都也还和与及或而有不没很要")
# Particles attach to any word, so an n-gram that starts or ends with one is a phrase piece.
EDGE_PARTICLES = frozenset("的了吗呢吧啊呀么哦哈嘛")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_ENTITY_HINT = re.compile(r"[0-9a-z@]")
_LATIN = re.compile(r"(?<![a-z0-9])[a-z]{2,8}(?![a-z0-9])")


@dataclass(frozen=True)
class MinerParams:
    """Knobs of the miner. Set by hand, then checked on TUMCC with seed 1 only (nearby
    values moved recall@50 by one term of 40); seed 0 is kept for reporting."""

    min_docs: int = 3  # distinct messages a candidate must appear in
    window: int = 4  # characters between a candidate and a cue that still count as near
    prior: float = 0.5  # additive smoothing of the offer / ordinary rates
    entropy_scale: float = 1.0  # nats of branching entropy that make an edge convincing
    cohesion_scale: float = 2.0  # nats of minimum-split PMI that make an n-gram cohesive


DEFAULT_PARAMS = MinerParams()


class Candidate(msgspec.Struct, frozen=True):
    """A ranked unknown term with the evidence for it."""

    term: str
    score: float
    count: int  # occurrences in distinct messages
    offer_docs: int
    other_docs: int
    near: float  # share of occurrences near a known term or an offer cue
    log_odds: float
    entropy: float  # the lower of left and right branching entropy (nats)
    cohesion: float  # the lowest PMI over the splits of the term (nats)
    examples: tuple[str, ...] = ()


@dataclass
class _Doc:
    original: str
    text: str
    offsets: list[int]
    offer: bool


@dataclass
class NgramStats:
    """Counts over a corpus; rank them with :func:`rank` or :func:`rank_by_frequency`."""

    docs: list[_Doc] = field(default_factory=list)
    grams: Counter[str] = field(default_factory=Counter)  # 1–5-grams, every occurrence
    offer_docs: Counter[str] = field(default_factory=Counter)
    other_docs: Counter[str] = field(default_factory=Counter)
    near: Counter[str] = field(default_factory=Counter)
    left_edge: Counter[str] = field(default_factory=Counter)
    right_edge: Counter[str] = field(default_factory=Counter)
    known: frozenset[str] = frozenset()
    chars: int = 0  # CJK characters counted: the normaliser of the PMI
    total_offer: int = 0
    total_other: int = 0


def known_forms(lexicon: Lexicon) -> frozenset[str]:
    """Every normalised form of every sense, ordinary words included."""
    forms = {normalize(f).text.strip() for s in lexicon.senses for f in (s.term, *s.variants)}
    return frozenset(f for f in forms if f)


def _mask_automaton(forms: Iterable[str]) -> Any:
    automaton: Any = ahocorasick.Automaton()
    for form in forms:
        # Latin forms only ever meet Latin tokens, which are compared whole (CS is not CSS).
        if len(form) >= 2 and not form.isascii():
            automaton.add_word(form, len(form))
    if len(automaton):
        automaton.make_automaton()
    return automaton


def count_ngrams(texts: Iterable[str], lexicon: Lexicon, params: MinerParams) -> NgramStats:
    """One pass over the messages: n-gram counts, offer/ordinary document counts, cues."""
    stats = NgramStats(known=known_forms(lexicon))
    masker = _mask_automaton(stats.known)
    seen: set[str] = set()
    for original in texts:
        norm = normalize(original or "")
        if not norm.text.strip() or norm.text in seen:
            continue
        seen.add(norm.text)
        cues, entities, offer = _cue_spans(original, norm, lexicon)
        doc = _Doc(original, norm.text, norm.offsets, offer)
        stats.docs.append(doc)
        if offer:
            stats.total_offer += 1
        else:
            stats.total_other += 1
        _count_doc(stats, doc, cues + entities, entities, masker, params.window)
    return stats


Span = tuple[int, int]


def _cue_spans(
    original: str, norm: Normalized, lexicon: Lexicon
) -> tuple[list[Span], list[Span], bool]:
    """Spans (in the normalised text) of known jargon and of offer entities, and whether
    the message is offer-like."""
    terms: list[Span] = []
    entities: list[Span] = []
    offer = False
    offsets = norm.offsets
    for hit in lexicon.match(norm):
        terms.append((bisect_left(offsets, hit.start), bisect_left(offsets, hit.end)))
        offer = offer or hit.kind in OFFER_KINDS
    if _ENTITY_HINT.search(norm.text):  # every offer entity has a Latin letter, digit or @
        for entity in extract_entities(original):
            if entity.type in OFFER_ENTITIES:
                offer = True
                entities.append(
                    (bisect_left(offsets, entity.start), bisect_left(offsets, entity.end))
                )
    return terms, entities, offer


def _count_doc(
    stats: NgramStats,
    doc: _Doc,
    cues: list[Span],
    entities: list[Span],
    masker: Any,
    window: int,
) -> None:
    text = doc.text
    near = bytearray(len(text) + 1)
    for start, end in cues:
        for i in range(max(0, start - window), min(len(text), end + window)):
            near[i] = 1
    masked = bytearray(len(text))
    if len(masker):
        for end, length in masker.iter(text):
            masked[end - length + 1 : end + 1] = b"\x01" * length
    for start, end in entities:  # a handle or an address is not vocabulary
        masked[start:end] = b"\x01" * (end - start)
    present: set[str] = set()
    grams = stats.grams
    for run in _HAN.finditer(text):
        for seg_start, seg in _unmasked(run.start(), run.group(), masked):
            size = len(seg)
            for n in range(1, 6):
                for i in range(size - n + 1):
                    gram = seg[i : i + n]
                    grams[gram] += 1
                    if n == 1:
                        stats.chars += 1
                    if n < 2 or n > 4:
                        continue
                    present.add(gram)
                    if near[seg_start + i] or near[seg_start + i + n - 1]:
                        stats.near[gram] += 1
                    if i == 0:
                        stats.left_edge[gram] += 1
                    if i + n == size:
                        stats.right_edge[gram] += 1
    for token in _LATIN.finditer(text):
        if masked[token.start()]:
            continue
        word = token.group()
        grams[word] += 1
        present.add(word)
        if near[token.start()] or near[token.end() - 1]:
            stats.near[word] += 1
    (stats.offer_docs if doc.offer else stats.other_docs).update(present)


def _unmasked(start: int, run: str, masked: bytearray) -> Iterable[tuple[int, str]]:
    """The pieces of a CJK run that no known form covers, with their start offsets."""
    piece = start
    for i in range(start, start + len(run) + 1):
        if i == start + len(run) or masked[i]:
            if i > piece:
                yield piece, run[piece - start : i - start]
            piece = i + 1


def _eligible(stats: NgramStats, gram: str, min_docs: int) -> bool:
    if gram in stats.known or all(ch in FUNCTION_CHARS for ch in gram):
        return False
    if gram[0] in EDGE_PARTICLES or gram[-1] in EDGE_PARTICLES:
        return False
    return stats.offer_docs[gram] + stats.other_docs[gram] >= min_docs


def _entropies(stats: NgramStats, grams: set[str]) -> dict[str, tuple[float, float]]:
    """Left and right branching entropy of each gram; an edge of a CJK run counts as a
    different neighbour every time (a boundary is maximally unpredictable)."""
    left: defaultdict[str, Counter[str]] = defaultdict(Counter)
    right: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for gram, count in stats.grams.items():
        if 3 <= len(gram) <= 5:
            if gram[:-1] in grams:
                right[gram[:-1]][gram[-1]] += count
            if gram[1:] in grams:
                left[gram[1:]][gram[0]] += count
    out: dict[str, tuple[float, float]] = {}
    for gram in grams:
        if not _HAN.fullmatch(gram):
            out[gram] = (math.inf, math.inf)  # a Latin token is a whole word by construction
            continue
        total = stats.grams[gram]
        out[gram] = (
            _entropy(left[gram], stats.left_edge[gram], total),
            _entropy(right[gram], stats.right_edge[gram], total),
        )
    return out


def _entropy(neighbours: Counter[str], edges: int, total: int) -> float:
    if total <= 0:
        return 0.0
    value = sum(-(c / total) * math.log(c / total) for c in neighbours.values())
    return value + edges * math.log(total) / total


def _cohesion(stats: NgramStats, gram: str) -> float:
    if not _HAN.fullmatch(gram):
        return math.inf
    joint = stats.grams[gram] * max(1, stats.chars)
    return min(
        math.log(joint / (stats.grams[gram[:k]] * stats.grams[gram[k:]]))
        for k in range(1, len(gram))
    )


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _gate(value: float, scale: float) -> float:
    """0 at (or below) 0, approaching 1 as ``value`` grows past ``scale``."""
    return 1.0 if math.isinf(value) else 1.0 - math.exp(-max(0.0, value) / scale)


def rank(stats: NgramStats, params: MinerParams = DEFAULT_PARAMS) -> list[Candidate]:
    """Every eligible n-gram, best jargon candidate first (no examples yet)."""
    pool = {
        g for g in (*stats.offer_docs, *stats.other_docs) if _eligible(stats, g, params.min_docs)
    }
    edges = _entropies(stats, pool)
    offer_total, other_total, p = stats.total_offer, stats.total_other, params.prior
    out: list[Candidate] = []
    for gram in pool:
        a, b = stats.offer_docs[gram], stats.other_docs[gram]
        log_odds = math.log((a + p) / (offer_total + 2 * p)) - math.log(
            (b + p) / (other_total + 2 * p)
        )
        entropy = min(edges[gram])
        cohesion = _cohesion(stats, gram)
        near = stats.near[gram] / max(1, stats.grams[gram])
        score = (
            math.log1p(a)
            * _sigmoid(log_odds)
            * (1.0 + near)
            / 2.0
            * _gate(entropy, params.entropy_scale)
            * _gate(cohesion, params.cohesion_scale)
        )
        out.append(
            Candidate(gram, round(score, 4), a + b, a, b, round(near, 3), round(log_odds, 3),
                      _finite(entropy), _finite(cohesion))
        )  # fmt: skip
    out.sort(key=lambda c: (-c.score, -c.count, c.term))
    return out


def rank_by_frequency(stats: NgramStats, params: MinerParams = DEFAULT_PARAMS) -> list[Candidate]:
    """The plain baseline: eligible n-grams (same known-term and function-word filters)
    by the number of distinct messages they appear in."""
    pool = [
        g for g in {*stats.offer_docs, *stats.other_docs} if _eligible(stats, g, params.min_docs)
    ]
    out = [
        Candidate(g, float(stats.offer_docs[g] + stats.other_docs[g]),
                  stats.offer_docs[g] + stats.other_docs[g], stats.offer_docs[g],
                  stats.other_docs[g], 0.0, 0.0, 0.0, 0.0)
        for g in pool
    ]  # fmt: skip
    out.sort(key=lambda c: (-c.count, c.term))
    return out


def _finite(value: float) -> float:
    return round(value, 3) if math.isfinite(value) else 99.0


def with_examples(
    stats: NgramStats, candidates: Iterable[Candidate], per_term: int = 3, width: int = 12
) -> list[Candidate]:
    """The candidates with up to ``per_term`` short windows of original text around a
    use, offer-like messages first."""
    wanted = list(candidates)
    found: dict[str, list[str]] = {c.term: [] for c in wanted}
    for doc in sorted(stats.docs, key=lambda d: not d.offer):
        for term, examples in found.items():
            if len(examples) >= per_term:
                continue
            at = doc.text.find(term)
            if at < 0:
                continue
            start, end = doc.offsets[at], doc.offsets[at + len(term) - 1] + 1
            window = doc.original[max(0, start - width) : end + width]
            snippet = " ".join(window.split())
            if snippet not in examples:
                examples.append(snippet)
        if all(len(e) >= per_term for e in found.values()):
            break
    return [msgspec.structs.replace(c, examples=tuple(found[c.term])) for c in wanted]


def mine(
    texts: Iterable[str], lexicon: Lexicon, limit: int = 50, params: MinerParams = DEFAULT_PARAMS
) -> list[Candidate]:
    """The ``limit`` best unknown jargon candidates in ``texts``, with example contexts."""
    stats = count_ngrams(texts, lexicon, params)
    return with_examples(stats, rank(stats, params)[:limit])
