"""Step 1 of :mod:`jianghu.analysis.normalize`: fold characters, keeping offsets exact.

NFKC (full-width → half-width), Latin case folding, traditional → simplified with the
character table of :mod:`jianghu.analysis.fold` (the same OpenCC table, not a second one),
invisible characters become a placeholder, a few pictographs become private-use markers
(✈ → :data:`PLANE`, 🐧 → :data:`PENGUIN`, ➕ → +) and every other emoji or pictographic
symbol becomes the placeholder too; step 2 drops placeholders and reads the markers.

Two ways to the same result. Most messages hold only characters that fold to exactly one
character whatever surrounds them; those take the fast path, where each character that
changes is replaced by its precomputed fold (a few ``str.replace`` calls, or one
``str.translate`` when there are many) and the rest is case-folded. Anything else (marks
and jamo that compose with a neighbour, characters that fold to several, astral letters)
takes the careful path, which folds run by run and character by character and defines
what the fast path must reproduce.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import msgspec

from jianghu.analysis.fold import t2s_table

PLACEHOLDER = "\ufffc"  # an emoji or invisible character between the steps; never survives
# Pictographs read as words. Step 1 turns them into private-use markers (one character for
# one, so offsets stay aligned); step 2 turns a marker into a platform name in a contact
# context and into its literal reading (飞机, 企鹅) elsewhere.
PLANE, PENGUIN = "\ue000", "\ue001"

_INVISIBLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x20E3, 0x20E3),
    (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF9, 0xFFFB),
    (0xE0000, 0xE007F), (0xE0100, 0xE01EF),
)  # fmt: skip
# Pictographs and decorative symbols: arrows, technical, box drawing, geometric shapes,
# dingbats, misc symbols, CJK symbol marks and the emoji planes.
_PICTOGRAPHS = (
    (0x2190, 0x21FF), (0x2300, 0x23FF), (0x2500, 0x27BF), (0x2900, 0x297F), (0x2B00, 0x2BFF),
    (0x3030, 0x3030), (0x303D, 0x303D), (0x3297, 0x3297), (0x3299, 0x3299), (0x1F000, 0x1FAFF),
)  # fmt: skip
_MARKERS = {"✈": PLANE, "🛩": PLANE, "🐧": PENGUIN, "➕": "+", "✚": "+"}
_ASTRAL_OTHER = "\U00010000-\U0001efff\U0001fb00-\U0010ffff"  # astral, not emoji: rare
_EMOJI_PLANE = range(0x1F000, 0x1FB00)  # the only astral characters of the fast path
# Hangul vowels and final consonants, which composition joins to the syllable before them
# by rule rather than through the decomposition table.
_HANGUL_VT = (*range(0x1161, 0x1176), *range(0x11A8, 0x11C3))


def _in(code: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= code <= hi for lo, hi in ranges)


@functools.cache
def _fold_char(ch: str) -> str:
    """The reference fold of one character (step 1 applies it to whole runs at once)."""
    code = ord(ch)
    if _in(code, _INVISIBLE):
        return PLACEHOLDER
    if ch in _MARKERS:
        return _MARKERS[ch]
    out = ch
    for _ in range(4):  # to a fixed point: NFKC output may itself be upper case
        nxt = unicodedata.normalize("NFKC", out).casefold().translate(t2s_table())
        if nxt == out:
            break
        out = nxt
    if len(out) == 1 and _in(ord(out), _PICTOGRAPHS):
        return PLACEHOLDER
    return out


def _fold_once(ch: str) -> str:
    """What :func:`_fold_run` does to one character (without its tables)."""
    out = unicodedata.normalize("NFKC", _MARKERS.get(ch, ch)).casefold()
    pic = _PICTOGRAPHS + _INVISIBLE
    out = "".join(PLACEHOLDER if _in(ord(c), pic) and c not in _MARKERS else c for c in out)
    return out.translate(t2s_table())


def _char_class(codes: list[int]) -> str:
    """A regex character class for a sorted list of code points, as ranges."""
    parts: list[str] = []
    i = 0
    while i < len(codes):
        j = i
        while j + 1 < len(codes) and codes[j + 1] == codes[j] + 1:
            j += 1
        lo, hi = re.escape(chr(codes[i])), re.escape(chr(codes[j]))
        parts.append(lo if i == j else f"{lo}-{hi}")
        i = j + 1
    return "[" + "".join(parts) + "]"


class _T2S(dict[int, int]):
    """The OpenCC character table for ``str.translate``, learning identity entries as it
    meets characters: a miss costs an exception inside ``translate``, a hit does not."""

    def __missing__(self, code: int) -> int:
        self[code] = code
        return code


class _Tables(msgspec.Struct, frozen=True):
    uneven: re.Pattern[str]  # characters that fold to several (or merge with the next)
    compat: re.Pattern[str]  # runs of characters that NFKC changes (full-width forms …)
    pictographs: re.Pattern[str]  # emoji, symbols and invisible characters
    traditional: re.Pattern[str]
    t2s: dict[int, int]


@functools.cache
def _tables() -> _Tables:
    # Character classes of the Basic Multilingual Plane only: the regex engine tests those
    # with a bitmap; astral characters get their own small ranges.
    uneven = []
    for code in range(0x80, 0x10000):
        ch = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue
        if _in(code, _INVISIBLE):
            continue  # one placeholder each, removed in step 2
        if unicodedata.category(ch).startswith("M") or 0x1100 <= code <= 0x11FF:
            uneven.append(code)  # combining marks and jamo compose with their neighbour
        elif len(_fold_char(ch)) != 1 or _fold_once(ch) != _fold_char(ch):
            uneven.append(code)  # or where one pass of _fold_run is not the full fold
    picto = [c for lo, hi in _PICTOGRAPHS + _INVISIBLE for c in range(lo, hi + 1) if c < 0x10000]
    picto = sorted(set(picto) - {ord(c) for c in _MARKERS})
    compat = [
        c
        for c in range(0x80, 0x10000)
        if not 0xD800 <= c <= 0xDFFF and unicodedata.normalize("NFKC", chr(c)) != chr(c)
    ]
    t2s = t2s_table()
    trad = sorted(c for c in t2s if c < 0x10000)
    return _Tables(
        re.compile(f"{_char_class(uneven)}|[{_ASTRAL_OTHER}]"),
        re.compile(_char_class(compat) + "+"),
        re.compile(f"{_char_class(picto)}|[\U0001f000-\U0001faff\U000e0000-\U000e01ef]"),
        re.compile(_char_class(trad)),
        _T2S({c: ord(v) for c, v in t2s.items()}),
    )


def _nfkc(m: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", m.group())


def _fold_run(text: str, tables: _Tables) -> str:
    """Fold a run without uneven characters: every step maps one character to one."""
    for ch, marker in _MARKERS.items():
        if ch in text:
            text = text.replace(ch, marker)
    if tables.compat.search(text):  # NFKC of the whole text is several times slower
        text = tables.compat.sub(_nfkc, text)
    text = text.casefold()
    if tables.pictographs.search(text):
        text = tables.pictographs.sub(PLACEHOLDER, text)
    if tables.traditional.search(text):
        text = text.translate(tables.t2s)
    return text


def _fold_careful(text: str) -> tuple[str, list[int] | None]:
    """Step 1, run by run. Offsets are None when they are the identity.

    Where NFKC composes inside a run (ｶﾞ → ガ), the run keeps one offset per original
    character, so the offsets run past the text: a flaw of the implementation this one
    must match exactly, which step 2 cuts back to the text as the original did.
    """
    tables = _tables()
    if tables.uneven.search(text) is None:
        return _fold_run(text, tables), None
    out: list[str] = []
    offsets: list[int] = []
    last = 0
    for m in tables.uneven.finditer(text):
        start = m.start()
        out.append(_fold_run(text[last:start], tables))
        offsets.extend(range(last, start))
        folded = "".join(_fold_char(c) for c in m.group())
        out.append(folded)
        offsets.extend([start] * len(folded))
        last = m.end()
    out.append(_fold_run(text[last:], tables))
    offsets.extend(range(last, len(text)))
    return "".join(out), offsets


# --- the fast path ----------------------------------------------------------------------


class _Fast(msgspec.Struct, frozen=True):
    # The characters the fast path changes and those it must leave to the careful path, in
    # one class so that one scan finds both.
    notable: re.Pattern[str]
    folds: dict[str, str]  # the fold of each notable character the fast path can fold
    table: dict[int, int]  # the same, for str.translate


def _joins_previous() -> frozenset[int]:
    """Code points that canonical composition may join to the character before them: the
    second of a canonical pair, and the Hangul vowels and final consonants."""
    seconds = set(_HANGUL_VT)
    for code in range(0x30000):  # every canonical decomposition lies below U+30000
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            seconds.add(int(parts[1], 16))
    return frozenset(seconds)


def _context_free(ch: str, folded: str, joins: frozenset[int], t2s: dict[int, str]) -> bool:
    """Whether ``ch`` folds to ``folded`` (one character that folding leaves alone) in
    every run, whatever its neighbours."""
    nfkc = unicodedata.normalize("NFKC", ch)
    # NFKC of a run composes across characters only through a mark or a character that
    # joins the one before it (ｶﾞ → ガ, ㄱㅏ → 가); reordering needs marks too.
    parts = unicodedata.normalize("NFKD", ch) if nfkc != ch else ""
    if any(unicodedata.combining(c) or ord(c) in joins for c in parts):
        return False
    # The traditional step runs only for a run with a traditional character of the Basic
    # Multilingual Plane, so an astral one from NFKC (U+FA6C → U+242EE) depends on them.
    if any(ord(c) >= 0x10000 and ord(c) in t2s for c in nfkc.casefold()):
        return False
    return len(folded) == 1 and folded.casefold() == folded


@functools.cache
def _fast() -> _Fast:
    """Tables of the fast path, from the careful path's own fold of each character.

    The careful path folds a run with steps that each map one character to one
    character, except NFKC of a run and the traditional step (see :func:`_context_free`).
    For a run of characters that neither can involve, folding the run is folding each of
    its characters, which is what the fast path does; a run with any other character (or
    an uneven one) takes the careful path.
    """
    tables = _tables()
    t2s = t2s_table()
    joins = _joins_previous()
    candidates = {ord(c) for c in _MARKERS} | set(_EMOJI_PLANE) | set(t2s)
    candidates |= {
        code
        for code in range(0x80, 0x10000)
        if unicodedata.normalize("NFKC", chr(code)) != chr(code)
        or chr(code).casefold() != chr(code)
        or tables.pictographs.match(chr(code))
    }  # every other character folds to itself, wherever it stands
    careful: set[str] = set()
    folds: dict[str, str] = {}
    for code in sorted(candidates):
        ch = chr(code)
        if 0xD800 <= code <= 0xDFFF or tables.uneven.match(ch):
            continue
        folded = _fold_run(ch, tables)
        if not _context_free(ch, folded, joins, t2s):
            careful.add(ch)
        elif folded != ch.casefold():  # the rest is left to str.casefold
            folds[ch] = folded
    # A fold that is itself changed by folding would depend on the order of replacements.
    careful |= {ch for ch, folded in folds.items() if folded in folds}
    folds = {ch: folded for ch, folded in folds.items() if ch not in careful}
    uneven = [c for c in range(0x80, 0x10000) if tables.uneven.match(chr(c))]
    notable = sorted({ord(c) for c in careful | folds.keys()} | set(uneven))
    bmp = _char_class([c for c in notable if c < 0x10000])
    astral = _char_class([c for c in notable if c >= 0x10000])
    return _Fast(
        re.compile(bmp[:-1] + astral[1:-1] + _ASTRAL_OTHER + "]"),
        folds,
        _T2S({ord(ch): ord(folded) for ch, folded in folds.items()}),
    )


_FEW = 48  # up to this many distinct characters to change, str.replace beats str.translate


def fold_characters(text: str) -> tuple[str, list[int] | None]:
    """Step 1: the folded text and its offsets, None when they are the identity (always,
    but where a character folds to several or composes with its neighbour)."""
    if text.isascii():
        return text.lower(), None
    fast = _fast()
    distinct = set(fast.notable.findall(text))
    if not distinct:
        return text.casefold(), None
    if len(distinct) > _FEW:
        if not fast.folds.keys() >= distinct:  # an uneven or careful character
            return _fold_careful(text)
        return text.translate(fast.table).casefold(), None
    folded = text
    for ch in distinct:
        to = fast.folds.get(ch)
        if to is None:  # an uneven or careful character
            return _fold_careful(text)
        folded = folded.replace(ch, to)
    return folded.casefold(), None
