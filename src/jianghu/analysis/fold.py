"""Fold text for matching: compatibility forms, case, and traditional → simplified.

Traditional and simplified spellings must find each other (查詢 finds 查询). The
conversion table comes from OpenCC's own ``t2s`` conversion, taken character by
character so that folding never changes a string's length in CJK text: a hit in the
folded text is a hit at the same place in the original. The table is built on first use.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")

# Unified ideographs, extension A, compatibility ideographs and the supplementary planes'
# extensions B-F: everything OpenCC's character tables touch.
_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2EBEF))


@functools.cache
def t2s_table() -> dict[int, str]:
    """Map each traditional character to its simplified form, built from OpenCC t2s."""
    converter = _converter()
    chars = [chr(c) for lo, hi in _CJK_RANGES for c in range(lo, hi + 1)]
    # One call over newline-separated characters: OpenCC converts phrases, and a newline
    # keeps each character its own phrase.
    converted = converter.convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # defensive: fall back to one call per character
        converted = [converter.convert(ch) for ch in chars]
    return {ord(a): b for a, b in zip(chars, converted, strict=True) if a != b and len(b) == 1}


def to_simplified(text: str) -> str:
    """Traditional → simplified, character by character (length-preserving)."""
    return text.translate(t2s_table())


@functools.cache
def _converter() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def fold(text: str) -> str:
    """The form text is indexed and searched in: NFKC, case-folded, simplified.

    Uses OpenCC's converter directly (C++, and several times faster than a Python
    character table on this path); :func:`fold_with_map` folds the same way character
    by character where offsets matter.
    """
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    text = text.casefold()
    if text.isascii():
        return text
    try:
        return str(_converter().convert(text))
    except UnicodeEncodeError:
        # Lone surrogates (JSON escapes such as "\ud800" in a hostile message) cannot
        # cross into OpenCC's C++; they match nothing anyway, so they become U+FFFD.
        return str(_converter().convert(_SURROGATE.sub("\ufffd", text)))


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """Fold character by character, returning the folded text and, for each folded
    character, the index of the original character it came from (for highlighting)."""
    table = t2s_table()
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        folded = unicodedata.normalize("NFKC", ch).casefold().translate(table)
        out.append(folded)
        origin.extend([i] * len(folded))
    return "".join(out), origin
