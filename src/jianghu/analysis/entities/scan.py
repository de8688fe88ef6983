"""The per-message view every finder reads, built once per message.

Finders match on ``norm``: the original text with full-width ASCII (０-９, Ａ-Ｚ, ＠ …)
and the ideographic space mapped to ASCII one character for one character, so every
offset into ``norm`` is an offset into the original and values are sliced from the
original text, case preserved. ``low`` is ``norm`` lower-cased (also length-preserving),
for cue words and cheap ``in`` gates.
"""

from __future__ import annotations

import functools
import re

from jianghu.analysis.fold import fold_with_map

_FULLWIDTH = {chr(cp): chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)} | {"\u3000": " "}
_FULLWIDTH_CHAR = re.compile("[\uff01-\uff5e\u3000]")
# Digits with at most one space or dash between any two, as long as they run.
_DIGIT_RUN = re.compile(r"[0-9](?:[ \-]?[0-9])*+")
# Chinese numerals as people spell out numbers to dodge filters (幺 is "one" on the phone).
CN_DIGITS = str.maketrans("零〇一二三四五六七八九幺洞两", "00123456789102")


class Scan:
    """The original text, its ASCII-mapped form and the cheap facts the gates need.

    ``digit_run`` is the length of the longest run of ASCII digits with at most one space
    or dash between any two (0 without digits): every card, ID or phone number lies in one
    such run, so their finders skip texts whose runs are all too short."""

    __slots__ = ("digit_run", "has_digit", "low", "norm", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        # A substitution per full-width character, not str.translate: most messages have
        # a few (Chinese ，and ：), and translate pays a dict lookup for every character.
        norm = _FULLWIDTH_CHAR.sub(_to_ascii, text)
        self.norm = norm
        low = norm.lower()
        if len(low) != len(norm):  # a few letters (İ) lower-case to two code points
            low = "".join(c if len(c.lower()) != 1 else c.lower() for c in norm)
        self.low = low
        runs = _DIGIT_RUN.findall(norm)
        self.has_digit = bool(runs)
        self.digit_run = max(map(len, runs)) if runs else 0

    def before(self, start: int, width: int) -> str:
        """Lower-cased text just before ``start``, for cue words."""
        return self.low[max(0, start - width) : start]

    def after(self, end: int, width: int) -> str:
        return self.low[end : end + width]


def _to_ascii(m: re.Match[str]) -> str:
    return _FULLWIDTH[m.group()]


def folded_digits(text: str, start: int, width: int) -> tuple[str, list[int]]:
    """The window ``text[start:start+width]`` folded (NFKC, case, simplified) with Chinese
    numerals turned into digits, and for each folded character its original offset.

    Used after a cue word only, where 一二三… or ①②③ spell out an account number."""
    folded, origin = _folded_window(text[start : start + width])
    return folded, [start + o for o in origin]


# Folding goes character by character through Unicode tables; reposts bring the same
# windows back.
@functools.lru_cache(maxsize=4096)
def _folded_window(window: str) -> tuple[str, tuple[int, ...]]:
    folded, origin = fold_with_map(window)
    return folded.translate(CN_DIGITS), tuple(origin)


def first_not_after(first: str, glue: str) -> str:
    """Regex for one ``first`` character not preceded by a ``glue`` character.

    It means ``(?<!glue)first``, written the other way round: a pattern that starts with
    a lookbehind makes the regex engine run the whole pattern at every position of the
    text, while one that starts with a character class lets it skip ahead to the
    characters a match can start with (several times faster on long messages). Looking
    back over two characters from after ``first`` checks the same character as the
    lookbehind in front would. Both arguments match exactly one character (a literal or
    a class), so that the lookbehind has its fixed width."""
    return f"{first}(?<!{glue}{first})"


def ascii_boundary(text: str, start: int, end: int) -> bool:
    """True when the span is not glued to ASCII letters or digits on either side."""
    if start > 0 and text[start - 1].isascii() and text[start - 1].isalnum():
        return False
    return not (end < len(text) and text[end].isascii() and text[end].isalnum())
