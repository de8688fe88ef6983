"""The per-message view every finder reads, built once per message.

Finders match on ``norm``: the original text with full-width ASCII (０-９, Ａ-Ｚ, ＠ …)
and the ideographic space mapped to ASCII one character for one character, so every
offset into ``norm`` is an offset into the original and values are sliced from the
original text, case preserved. ``low`` is ``norm`` lower-cased (also length-preserving),
for cue words and cheap ``in`` gates.
"""

from __future__ import annotations

import re

from jianghu.analysis.fold import fold_with_map

_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_FULLWIDTH_GATE = re.compile("[\uff01-\uff5e\u3000]")
_ASCII_DIGIT = re.compile("[0-9]")
# Chinese numerals as people spell out numbers to dodge filters (幺 is "one" on the phone).
CN_DIGITS = str.maketrans("零〇一二三四五六七八九幺洞两", "00123456789102")


class Scan:
    """The original text, its ASCII-mapped form and the cheap facts the gates need."""

    __slots__ = ("has_digit", "low", "norm", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        norm = text.translate(_FULLWIDTH) if _FULLWIDTH_GATE.search(text) else text
        self.norm = norm
        low = norm.lower()
        if len(low) != len(norm):  # a few letters (İ) lower-case to two code points
            low = "".join(c if len(c.lower()) != 1 else c.lower() for c in norm)
        self.low = low
        self.has_digit = _ASCII_DIGIT.search(norm) is not None

    def before(self, start: int, width: int) -> str:
        """Lower-cased text just before ``start``, for cue words."""
        return self.low[max(0, start - width) : start]

    def after(self, end: int, width: int) -> str:
        return self.low[end : end + width]


def folded_digits(text: str, start: int, width: int) -> tuple[str, list[int]]:
    """The window ``text[start:start+width]`` folded (NFKC, case, simplified) with Chinese
    numerals turned into digits, and for each folded character its original offset.

    Used after a cue word only, where 一二三… or ①②③ spell out an account number."""
    window = text[start : start + width]
    folded, origin = fold_with_map(window)
    folded = folded.translate(CN_DIGITS)
    return folded, [start + o for o in origin]


def ascii_boundary(text: str, start: int, end: int) -> bool:
    """True when the span is not glued to ASCII letters or digits on either side."""
    if start > 0 and text[start - 1].isascii() and text[start - 1].isalnum():
        return False
    return not (end < len(text) and text[end].isascii() and text[end].isalnum())
