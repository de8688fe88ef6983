"""The specification of :mod:`jianghu.analysis.normalize`: the implementation it had before
it was made fast, kept verbatim (imported by the tests only). The fast one must give the
same text and the same offsets for every input (tests/analysis/test_normalize_equivalence).
One change was made to both on purpose afterwards: a handle after a nickname stops where
"qq" begins, as it did where "telegram" begins (``_has_post_cue``: idempotence).

Normalise message text for matching, keeping a map back to the original characters.

Sellers write 薇❤信, ＶＸ：ａｂｃ, 加 扣 扣 一二三四五六 or 飛機@abc to get past keyword
filters. Every later stage (lexicon, entities, classifier) matches the normalised text and
reports spans in the text the analyst sees through :attr:`Normalized.offsets`.

Two steps:

1. **Character folding**, one character at a time so offsets stay exact: NFKC (full-width
   → half-width), Latin case folding, traditional → simplified with the character table of
   :mod:`jianghu.analysis.fold` (the same OpenCC table, not a second one), invisible
   characters removed (zero-width, bidi controls, variation selectors, soft hyphen, tags),
   a few pictographs read as words (✈ → 飞机, 🐧 → 企鹅, ➕ → +) and every other emoji or
   pictographic symbol replaced by a placeholder that step 2 drops.
2. **Evasion rules**, in two regular-expression passes (contact rules, then gaps). Context
   windows ignore separators, so removing a gap never changes a contact decision, and
   rewrites only produce forms the rules leave alone: that is what makes normalising
   idempotent (a Hypothesis property test holds it to that).

   * separators (spaces, ``. - _ * | / \\ ~ · •``, emoji, invisible characters) between
     two Han characters are removed (微 信, 微-信 → 微信), and emoji everywhere. Prose
     punctuation (，。、！ …) is not a separator, so sentences never merge; an ellipsis
     (...) is kept too;
   * contact-platform nicknames become 微信, qq or telegram. Unambiguous forms (vx, 薇信,
     扣扣, v信 …) always do; ambiguous ones (威, 薇, v, q, wx, 企鹅, 飞机, tg, 电报 …) only in
     a contact context: preceded by a contact verb (加 + 私 联系 咨询 添加 扫码 客服 …),
     followed by a handle cue (``: = @``, 号, 群, id, 账号, 频道, t.me, a run of five or more
     digits, an id such as ``abc_123``) or written split (威❤信). So 威胁 and
     坐飞机去北京 stay as they are, while 加威, 飞机@abc and 企鹅：12345 are rewritten; a
     ``+`` or ``➕`` before a nickname becomes 加 (+V → 加微信);
   * numbers written in Chinese numerals (一二三四五六, 幺 for 1, mixed with digits) become
     digits when five or more follow a contact or number cue (qq, 微信, 号, 电话, :, …) or
     when seven or more stand anywhere (a phone or QQ number).
"""

from __future__ import annotations

import functools
import re
import unicodedata

import msgspec

from jianghu.analysis.fold import t2s_table

_PLACEHOLDER = "\ufffc"  # an emoji or invisible character between the steps; never survives
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
# Pictographs read as words. Step 1 turns them into private-use markers (one character for
# one, so offsets stay aligned); step 2 turns a marker into a platform name in a contact
# context and into its literal reading (飞机, 企鹅) elsewhere.
_PLANE, _PENGUIN = "\ue000", "\ue001"
_MARKERS = {"✈": _PLANE, "🛩": _PLANE, "🐧": _PENGUIN, "➕": "+", "✚": "+"}
_ASTRAL_OTHER = "\U00010000-\U0001efff\U0001fb00-\U0010ffff"  # astral, not emoji: rare


class Normalized(msgspec.Struct, frozen=True):
    """Normalised text and, for each of its characters, the index of the original
    character it came from (non-decreasing, always inside the original)."""

    text: str
    offsets: list[int]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map the span ``[start, end)`` of :attr:`text` to a span of the original text."""
        if not self.offsets:
            return (0, 0)
        if end <= start:
            pos = self.offsets[start] if start < len(self.offsets) else self.offsets[-1] + 1
            return (pos, pos)
        return (self.offsets[start], self.offsets[end - 1] + 1)


def _in(code: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= code <= hi for lo, hi in ranges)


@functools.cache
def _fold_char(ch: str) -> str:
    """The reference fold of one character (step 1 applies it to whole runs at once)."""
    code = ord(ch)
    if _in(code, _INVISIBLE):
        return _PLACEHOLDER
    if ch in _MARKERS:
        return _MARKERS[ch]
    out = ch
    for _ in range(4):  # to a fixed point: NFKC output may itself be upper case
        nxt = unicodedata.normalize("NFKC", out).casefold().translate(t2s_table())
        if nxt == out:
            break
        out = nxt
    if len(out) == 1 and _in(ord(out), _PICTOGRAPHS):
        return _PLACEHOLDER
    return out


def _fold_once(ch: str) -> str:
    """What :func:`_fold_run` does to one character (without its tables)."""
    out = unicodedata.normalize("NFKC", _MARKERS.get(ch, ch)).casefold()
    pic = _PICTOGRAPHS + _INVISIBLE
    out = "".join(_PLACEHOLDER if _in(ord(c), pic) and c not in _MARKERS else c for c in out)
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
        text = tables.pictographs.sub(_PLACEHOLDER, text)
    if tables.traditional.search(text):
        text = text.translate(tables.t2s)
    return text


def _fold(text: str) -> tuple[str, list[int] | None]:
    """Step 1. Offsets are None when they are the identity (the common case)."""
    if text.isascii():
        return text.lower(), None
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


# --- step 2: evasion rules --------------------------------------------------------------

_SEP = " \t.\\-_*|/~·•‧・`^" + _PLACEHOLDER
_GAP = f"[{re.escape(_SEP)}]"
_ZH_DIGITS = "〇零一二三四五六七八九幺"
_DIGIT_OF = {c: str(i) for i, c in enumerate("零一二三四五六七八九")} | {"〇": "0", "幺": "1"}
# (form, canonical, needs context). Canonical forms are listed so that a split 微 信 or a
# +qq is rewritten too; the pictograph markers read literally when the context is absent.
_NICKNAMES = (
    ("微信", "微信", False), ("薇信", "微信", False), ("v信", "微信", False), ("vx", "微信", False),
    ("徽信", "微信", False), ("weixin", "微信", False), ("wechat", "微信", False),
    ("威信", "微信", True), ("维信", "微信", True), ("绿泡泡", "微信", True),
    ("wx", "微信", True), ("薇", "微信", True), ("威", "微信", True), ("微", "微信", True),
    ("v", "微信", True),
    ("qq", "qq", False), ("扣扣", "qq", False), ("抠抠", "qq", False), ("企鹅", "qq", True),
    ("q", "qq", True), (_PENGUIN, "qq", True),
    ("telegram", "telegram", False), ("纸飞机", "telegram", True),
    ("小飞机", "telegram", True), ("飞机", "telegram", True), ("电报", "telegram", True),
    ("tg", "telegram", True), (_PLANE, "telegram", True),
)  # fmt: skip
_NICK = {form: (canon, needs) for form, canon, needs in _NICKNAMES}
_LITERAL = {_PLANE: "飞机", _PENGUIN: "企鹅"}
_PRE_CUES = ("加", "+", "私", "联系", "联络", "咨询", "添加", "扫码", "备用", "客服", "认准",
             "官方", "找我")  # fmt: skip
_POST_CUES = (":", "=", "@", "号", "群", "id", "账号", "频道", "t.me", "私聊", "联系")
_NUMBER_CUES = ("qq", "微信", "telegram", "号", "码", "电话", "手机", "tel", "联系", "加",
                "+", "@", "id", ":", *_NICK)  # fmt: skip
_HANDLE = re.compile(r"[a-z0-9_]*[0-9_][a-z0-9_]*")
_LONG_DIGITS = re.compile(f"[0-9{_ZH_DIGITS}]{{5,}}")
_LATIN_WORD = re.compile(r"[a-z0-9_]")


def _nick_pattern(form: str) -> str:
    if form.isascii():  # Latin forms: the start boundary is checked by the callback
        return re.escape(form) + "(?![a-z])"
    return f"{_GAP}*".join(re.escape(c) for c in form)


def _build_contact_rules() -> re.Pattern[str]:
    # Every alternative starts with a literal character, so that the regex engine skips
    # ahead with a first-character set instead of trying every rule at every position.
    nicks = sorted(_NICK, key=len, reverse=True)
    alts = [f"\\+{_GAP}*(?:{'|'.join(_nick_pattern(f) for f in nicks)})"]
    alts += [_nick_pattern(f) for f in nicks]
    # Numerals, with separators only between two Chinese numerals (a gap the next pass
    # would close anyway: 一二三_四五六七 is one number).
    unit = f"(?:[0-9{_ZH_DIGITS}]|(?<=[{_ZH_DIGITS}]){_GAP}+(?=[{_ZH_DIGITS}]))"
    alts += [f"{re.escape(d)}{unit}{{4,}}" for d in _ZH_DIGITS]
    return re.compile("|".join(alts))


_CONTACT_RULES = _build_contact_rules()
# Han characters for the gap rule: the Basic Multilingual Plane only (a bitmap for the
# regex engine), plus the pictograph markers, which step 2 turns into Han words.
_HAN_GAP = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff" + _PLANE + _PENGUIN
# A run of separators between two Han characters (a single dot only: an ellipsis is prose)
# or a run of placeholders. The look-behind sits after the first separator so that the
# pattern starts with a character class, which the regex engine scans for quickly.
_SEP_NO_DOT = f"[{re.escape(_SEP.replace('.', ''))}]"
_ONE_SEP = f"(?:{_SEP_NO_DOT}|\\.(?!\\.))"
_GAPS = re.compile(
    f"{_ONE_SEP}(?<=[{_HAN_GAP}]{_ONE_SEP}){_ONE_SEP}*(?=[{_HAN_GAP}])|{_PLACEHOLDER}+"
)
_DROP_SEP = str.maketrans("", "", _SEP)


def _skip_back(s: str, pos: int) -> str:
    # Separators are dropped from the window, so that a later gap removal (联 系 → 联系)
    # cannot change the decision: that is what keeps normalising idempotent.
    return s[max(0, pos - 12) : pos].translate(_DROP_SEP).rstrip(":=")


def _has_post_cue(s: str, end: int) -> bool:
    rest = s[end : end + 24].translate(_DROP_SEP)
    if rest.startswith(_POST_CUES) or _LONG_DIGITS.match(rest):
        return True
    handle = _HANDLE.match(rest)
    # Not a platform name: 扣扣12345 becomes qq12345 in this same pass, and the decision
    # must not depend on which of the two this pass happened to see. For the same reason a
    # handle stops where a platform name begins (q0✈ becomes q0telegram, ✈000🐧 becomes
    # 飞机000qq: the second pass must read the handle as "0" and "000", as the first did).
    if handle is None or rest.startswith(("qq", "telegram")):
        return False
    core = handle.group()
    cuts = [c for c in (core.find("telegram"), core.find("qq")) if c >= 0]
    return len(core[: min(cuts)] if cuts else core) >= 5


def _nickname(s: str, start: int, end: int) -> tuple[str, list[int]] | None:
    """Rewrite of a nickname match, or None to keep it as it is."""
    plus = s[start] == "+"
    if not plus and start > 0 and s[start].isascii() and _LATIN_WORD.match(s[start - 1]):
        return None  # inside a Latin word: "vip", "abcq"
    body = start + 1 if plus else start
    while plus and s[body] in _SEP:
        body += 1
    kept = [i for i in range(body, end) if s[i] not in _SEP]
    form = "".join(s[i] for i in kept)
    canon, needs = _NICK[form]
    split = len(kept) != end - body
    in_context = plus or split or not needs
    if not (in_context or _skip_back(s, start).endswith(_PRE_CUES) or _has_post_cue(s, end)):
        literal = _LITERAL.get(form)
        return None if literal is None else (literal, [start] * len(literal))
    out = ("加" if plus else "") + canon
    offsets = [start] if plus else []
    offsets += [kept[k * len(kept) // len(canon)] for k in range(len(canon))]
    return out, offsets


def _numerals(s: str, start: int, end: int, after_nick: int) -> tuple[str, list[int]] | None:
    # after_nick: end of the last rewritten nickname, whose numbers these may be
    at_nick = after_nick >= 0 and not s[after_nick:start].strip(_SEP + ":=")
    kept = [i for i in range(start, end) if s[i] not in _SEP]
    if len(kept) < 5:
        return None
    if len(kept) < 7 and not at_nick and not _skip_back(s, start).endswith(_NUMBER_CUES):
        return None
    return "".join(_DIGIT_OF.get(s[i], s[i]) for i in kept), kept


def _apply_contact_rules(s: str) -> tuple[str, list[int]] | None:
    """Nicknames and numerals: new text and, per character, its index in ``s``; None
    when nothing changed."""
    out: list[str] = []
    offsets: list[int] = []
    last = 0
    nick_end = -1
    for m in _CONTACT_RULES.finditer(s):
        start, end = m.span()
        if s[start] in _DIGIT_OF:
            done = _numerals(s, start, end, nick_end)
        else:
            done = _nickname(s, start, end)
            if done is not None:
                nick_end = end
        if done is None or done[0] == m.group():
            continue
        out.append(s[last:start])
        offsets.extend(range(last, start))
        out.append(done[0])
        offsets.extend(done[1])
        last = end
    if last == 0 and not out:
        return None
    out.append(s[last:])
    offsets.extend(range(last, len(s)))
    return "".join(out), offsets


def _remove_gaps(s: str) -> tuple[str, list[int]] | None:
    """Drop separators between Han characters, and every placeholder."""
    out: list[str] = []
    offsets: list[int] = []
    last = 0
    for m in _GAPS.finditer(s):
        start, end = m.span()
        out.append(s[last:start])
        offsets.extend(range(last, start))
        last = end
    if not out:
        return None
    out.append(s[last:])
    offsets.extend(range(last, len(s)))
    return "".join(out), offsets


def normalize(text: str) -> Normalized:
    """Normalise ``text`` (see the module docstring); pure and idempotent."""
    folded, offsets = _fold(text)
    # Removing a gap can join a nickname ("V🔥X" → "vx") and a nickname can close a gap
    # ("微 vx" → "微 微信"), so the two steps run until neither changes anything: the
    # result is then a fixed point, which is what makes normalising twice a no-op.
    steps = (_apply_contact_rules, _remove_gaps)
    idle = 0
    turn = 0
    while idle < len(steps) and turn < 12:  # a guard; real text settles in 2-4 turns
        done = steps[turn % len(steps)](folded)
        turn += 1
        if done is None:
            idle += 1
            continue
        idle = 1  # the other step must look at the new text once more
        folded, local = done
        offsets = local if offsets is None else list(map(offsets.__getitem__, local))
    return Normalized(folded, list(range(len(folded))) if offsets is None else offsets)
