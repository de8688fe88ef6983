"""Text cut into pieces for a template to mark up: the template escapes each piece, so
highlighting never means building HTML from a criminal's text."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Piece:
    text: str
    mark: bool = False
    title: str = ""  # shown on hover (a term's English gloss)


def pieces(text: str, spans: Iterable[tuple[int, int, str]]) -> list[Piece]:
    """``text`` cut at the (start, end, title) spans, in order, overlaps dropped."""
    out: list[Piece] = []
    pos = 0
    for start, end, title in sorted(spans):
        if start < pos or not 0 <= start < end <= len(text):
            continue
        if start > pos:
            out.append(Piece(text[pos:start]))
        out.append(Piece(text[start:end], True, title))
        pos = end
    if pos < len(text):
        out.append(Piece(text[pos:]))
    return out
