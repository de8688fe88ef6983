"""Snippets: the part of a message around its search hits, with the hits marked."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from jianghu.analysis.fold import fold_with_map
from jianghu.analysis.search_terms import Clause, clause_pattern


@dataclass(frozen=True)
class Snippet:
    text: str  # an excerpt of the original text, ellipses added where it was cut
    spans: tuple[tuple[int, int], ...]  # highlighted [start, end) offsets into ``text``


def hit_spans(text: str, clauses: Sequence[Clause]) -> list[tuple[int, int]]:
    """Spans of the original text where the query's clauses match, merged and sorted."""
    if not clauses:
        return []
    folded, origin = fold_with_map(text)
    pattern = re.compile("|".join(f"(?:{clause_pattern(c)})" for c in clauses))
    spans: list[tuple[int, int]] = []
    for m in pattern.finditer(folded):
        if m.end() > m.start():
            spans.append((origin[m.start()], origin[m.end() - 1] + 1))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def make_snippet(text: str, clauses: Sequence[Clause], width: int = 90) -> Snippet:
    """Up to ``width`` characters centred on the first hit, on one line."""
    flat = text.replace("\r", " ").replace("\n", " ")
    spans = hit_spans(flat, clauses)
    if len(flat) <= width:
        return Snippet(flat, tuple(spans))
    first = spans[0][0] if spans else 0
    start = max(0, min(first - width // 3, len(flat) - width))
    end = start + width
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(flat) else ""
    shift = len(prefix) - start
    kept = tuple(
        (max(s, start) + shift, min(e, end) + shift) for s, e in spans if e > start and s < end
    )
    return Snippet(prefix + flat[start:end] + suffix, kept)
