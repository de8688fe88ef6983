"""Rediscovery: does the jargon miner find known terms it was not told about?

On a real corpus (TUMCC by default), hide ``k`` known terms from the lexicon, mine with
the rest, and measure how many of the hidden terms rank in the top 50 and 100, against a
plain frequency baseline (the most frequent unknown n-grams after the same known-term
and function-word filters) counted in the same run.

Only terms the miner could find at all are hidden: head terms of 2–4 CJK characters that
the full lexicon recognises as themselves in at least ``min_docs`` distinct lines, and
that are not also a spelling of another term (hiding it would leave it known). The choice
is a seeded random draw, round-robin over categories so that the drug trade, which
dominates TUMCC, does not fill the hidden set.

Parameters of :class:`~jianghu.analysis.jargon.MinerParams` were checked with seed 1;
report numbers with another seed (the default, 0).
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

import msgspec

from jianghu.analysis.jargon import (
    DEFAULT_PARAMS,
    Candidate,
    MinerParams,
    count_ngrams,
    rank,
    rank_by_frequency,
    with_examples,
)
from jianghu.analysis.lexicon import Lexicon
from jianghu.analysis.normalize import normalize
from jianghu.errors import ConfigError

_HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_JOIN = re.compile(r"(?<=[\u3400-\u9fff\uf900-\ufaff]) +(?=[\u3400-\u9fff\uf900-\ufaff])")
CUTOFFS = (50, 100)


class HiddenTerm(msgspec.Struct, frozen=True):
    term: str
    category: str  # the first sense's category, or its kind when it has none
    lines: int  # distinct corpus lines the full lexicon finds it in
    miner_rank: int | None  # 1-based; None when not ranked at all
    baseline_rank: int | None


class RediscoveryReport(msgspec.Struct, frozen=True):
    corpus: str
    lines: int
    unique_lines: int
    offer_like: int
    hide: int
    seed: int
    eligible: int
    hidden: list[HiddenTerm]
    miner_recall: dict[int, float]
    baseline_recall: dict[int, float]
    new_candidates: list[Candidate]
    seconds: float


def load_corpus(path: Path, limit: int | None = None) -> list[str]:
    """The corpus lines with the segmenter's spaces between CJK characters removed."""
    try:
        raw = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read corpus: {exc}") from exc
    lines = [_JOIN.sub("", line).strip() for line in raw]
    lines = [line for line in lines if line]
    return lines[:limit] if limit is not None else lines


def eligible_terms(
    lines: Sequence[str], lexicon: Lexicon, min_docs: int
) -> dict[str, tuple[str, int]]:
    """Term → (category, lines it is found in) of the terms that may be hidden (see the
    module docstring)."""
    heads_of_form: defaultdict[str, set[str]] = defaultdict(set)
    category: dict[str, str] = {}
    for sense in lexicon.senses:
        for form in (sense.term, *sense.variants):
            heads_of_form[normalize(form).text.strip()].add(sense.term)
        if sense.kind != "ordinary":
            category.setdefault(sense.term, sense.category or sense.kind)
    lines_with: Counter[str] = Counter()
    for line in dict.fromkeys(normalize(line).text for line in lines):
        found = {h.canonical for h in lexicon.match(normalize(line)) if h.term == h.canonical}
        lines_with.update(found)
    out: dict[str, tuple[str, int]] = {}
    for term, cat in category.items():
        form = normalize(term).text.strip()
        if not (2 <= len(form) <= 4 and _HAN_RUN.fullmatch(form)):
            continue
        if heads_of_form[form] != {term} or lines_with[term] < min_docs:
            continue
        out[term] = (cat, lines_with[term])
    return out


def choose_hidden(eligible: dict[str, tuple[str, int]], k: int, seed: int) -> list[str]:
    """``k`` terms, drawn round-robin over categories in a seeded random order."""
    rng = random.Random(seed)
    by_category: defaultdict[str, list[str]] = defaultdict(list)
    for term in sorted(eligible):
        by_category[eligible[term][0]].append(term)
    queues = [rng.sample(terms, len(terms)) for _, terms in sorted(by_category.items())]
    rng.shuffle(queues)
    chosen: list[str] = []
    while len(chosen) < k and any(queues):
        for queue in queues:
            if queue and len(chosen) < k:
                chosen.append(queue.pop())
    return chosen


def _rank_of(term: str, ranked: Sequence[Candidate]) -> int | None:
    wanted = {term, normalize(term).text.strip()}
    for position, candidate in enumerate(ranked, 1):
        if candidate.term in wanted:
            return position
    return None


def rediscover(
    lines: Sequence[str],
    lexicon: Lexicon,
    hide: int = 40,
    seed: int = 0,
    min_docs: int = 5,
    params: MinerParams = DEFAULT_PARAMS,
    corpus: str = "",
    new: int = 20,
) -> RediscoveryReport:
    """Hide ``hide`` eligible terms, mine, and score the miner and the baseline."""
    started = time.perf_counter()
    eligible = eligible_terms(lines, lexicon, min_docs)
    if not eligible:
        raise ConfigError(f"{corpus or 'corpus'}: no known term occurs often enough to hide")
    hidden = choose_hidden(eligible, hide, seed)
    reduced = Lexicon([s for s in lexicon.senses if s.term not in set(hidden)])
    stats = count_ngrams(lines, reduced, params)
    mined, baseline = rank(stats, params), rank_by_frequency(stats, params)
    rows = [HiddenTerm(t, *eligible[t], _rank_of(t, mined), _rank_of(t, baseline)) for t in hidden]
    hidden_forms = {f for t in hidden for f in (t, normalize(t).text.strip())}
    fresh = [c for c in mined if c.term not in hidden_forms][:new]
    return RediscoveryReport(
        corpus=corpus,
        lines=len(lines),
        unique_lines=len(stats.docs),
        offer_like=stats.total_offer,
        hide=len(hidden),
        seed=seed,
        eligible=len(eligible),
        hidden=rows,
        miner_recall=_recall(rows, "miner_rank"),
        baseline_recall=_recall(rows, "baseline_rank"),
        new_candidates=with_examples(stats, fresh),
        seconds=round(time.perf_counter() - started, 2),
    )


def _recall(rows: Sequence[HiddenTerm], attribute: str) -> dict[int, float]:
    out: dict[int, float] = {}
    for cutoff in CUTOFFS:
        found = 0
        for row in rows:
            position = getattr(row, attribute)
            found += position is not None and position <= cutoff
        out[cutoff] = round(found / len(rows), 3) if rows else 0.0
    return out
