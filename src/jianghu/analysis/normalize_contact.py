"""Step 2 of :mod:`jianghu.analysis.normalize`, first half: the contact rules.

Contact-platform nicknames become 微信, qq or telegram (unambiguous forms always, ambiguous
ones in a contact context) and numbers written in Chinese numerals become digits; see the
module docstring of :mod:`jianghu.analysis.normalize` for the rules. One regular
expression finds every candidate; Python code decides each one from its context.
"""

from __future__ import annotations

import re

from jianghu.analysis.normalize_fold import PENGUIN, PLACEHOLDER, PLANE

SEP = " \t.\\-_*|/~·•‧・`^" + PLACEHOLDER
GAP = f"[{re.escape(SEP)}]"
ZH_DIGITS = "〇零一二三四五六七八九幺"
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
    ("q", "qq", True), (PENGUIN, "qq", True),
    ("telegram", "telegram", False), ("纸飞机", "telegram", True),
    ("小飞机", "telegram", True), ("飞机", "telegram", True), ("电报", "telegram", True),
    ("tg", "telegram", True), (PLANE, "telegram", True),
)  # fmt: skip
_NICK = {form: (canon, needs) for form, canon, needs in _NICKNAMES}
# Where each character of a canonical name points in a nickname written plainly: spread
# over the nickname's characters (vx → 微 at v, 信 at x; 扣扣 → q, q).
_SPREAD = {
    form: tuple(k * len(form) // len(canon) for k in range(len(canon)))
    for form, canon, _ in _NICKNAMES
}
_LITERAL = {PLANE: "飞机", PENGUIN: "企鹅"}
_PRE_CUES = ("加", "+", "私", "联系", "联络", "咨询", "添加", "扫码", "备用", "客服", "认准",
             "官方", "找我")  # fmt: skip
_POST_CUES = (":", "=", "@", "号", "群", "id", "账号", "频道", "t.me", "私聊", "联系")
_NUMBER_CUES = ("qq", "微信", "telegram", "号", "码", "电话", "手机", "tel", "联系", "加",
                "+", "@", "id", ":", *_NICK)  # fmt: skip
_HANDLE = re.compile(r"[a-z0-9_]*[0-9_][a-z0-9_]*")
_LONG_DIGITS = re.compile(f"[0-9{ZH_DIGITS}]{{5,}}")
_LATIN_WORD = re.compile(r"[a-z0-9_]")


def _nick_pattern(form: str) -> str:
    if form.isascii():  # Latin forms: for the start boundary see _build_contact_rules
        return re.escape(form) + "(?![a-z])"
    return f"{GAP}*".join(re.escape(c) for c in form)


def _build_contact_rules() -> re.Pattern[str]:
    # Every alternative starts with a literal character, so that the regex engine skips
    # ahead with a first-character set instead of trying every rule at every position.
    nicks = sorted(_NICK, key=len, reverse=True)
    alts = [f"\\+{GAP}*(?:{'|'.join(_nick_pattern(f) for f in nicks)})"]
    # A nickname starting with a Latin letter is no nickname inside a Latin word ("vip",
    # "abcq"): _nickname would turn the match down, so the regex does not make it (the
    # look-behind follows the first letter, so that the alternative still starts with it).
    alts += [
        _nick_pattern(f).replace(f[0], f"{f[0]}(?<![a-z0-9_]{f[0]})", 1)
        if f[0].isascii()
        else _nick_pattern(f)
        for f in nicks
    ]
    # Numerals, with separators only between two Chinese numerals (a gap the next pass
    # would close anyway: 一二三_四五六七 is one number).
    unit = f"(?:[0-9{ZH_DIGITS}]|(?<=[{ZH_DIGITS}]){GAP}+(?=[{ZH_DIGITS}]))"
    alts += [f"{re.escape(d)}{unit}{{4,}}" for d in ZH_DIGITS]
    return re.compile("|".join(alts))


CONTACT_RULES = _build_contact_rules()
_SEPS = re.compile(f"{GAP}+")  # dropped from context windows


# A contact verb ending the 12 characters before a match, read as _skip_back reads them:
# separators inside it ignored, and separators, ":" and "=" after it. (No cue ends with ":"
# or "=" or holds a separator, so this is _skip_back(s, pos).endswith(_PRE_CUES).)
_PRE_CUE = re.compile(
    "(?:"
    + "|".join(f"{GAP}*".join(map(re.escape, cue)) for cue in _PRE_CUES)
    + f")[{re.escape(SEP)}:=]*\\Z"
)


def _has_pre_cue(s: str, pos: int) -> bool:
    return _PRE_CUE.search(s, max(0, pos - 12), pos) is not None


def _skip_back(s: str, pos: int) -> str:
    # Separators are dropped from the window, so that a later gap removal (联 系 → 联系)
    # cannot change the decision: that is what keeps normalising idempotent.
    return _SEPS.sub("", s[max(0, pos - 12) : pos]).rstrip(":=")


# What the text after a match can start with, separators skipped, to hold a handle cue, a
# number or a handle: when it starts with anything else (Han text, most often), there is
# no cue to read.
_POST_START = re.compile(f"{GAP}*[:=@号群账频私联0-9a-z{ZH_DIGITS}]")


def _has_post_cue(s: str, end: int) -> bool:
    if _POST_START.match(s, end, end + 24) is None:
        return False
    rest = _SEPS.sub("", s[end : end + 24])
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
    found = s[start:end]
    entry = _NICK.get(found)
    if entry is None:  # a "+" or a separator in it
        return _marked_nickname(s, start, end)
    if start > 0 and found[0].isascii() and _LATIN_WORD.match(s[start - 1]):
        return None  # inside a Latin word: "vip", "abcq"
    canon, needs = entry
    if needs and not (_has_pre_cue(s, start) or _has_post_cue(s, end)):
        literal = _LITERAL.get(found)
        return None if literal is None else (literal, [start] * len(literal))
    return canon, list(map(start.__add__, _SPREAD[found]))


def _marked_nickname(s: str, start: int, end: int) -> tuple[str, list[int]] | None:
    """:func:`_nickname` of a match with a "+" before it or separators inside."""
    plus = s[start] == "+"
    if not plus and start > 0 and s[start].isascii() and _LATIN_WORD.match(s[start - 1]):
        return None  # inside a Latin word: "vip", "abcq"
    body = start + 1 if plus else start
    while plus and s[body] in SEP:
        body += 1
    kept = [i for i in range(body, end) if s[i] not in SEP]
    form = "".join(s[i] for i in kept)
    canon, needs = _NICK[form]
    split = len(kept) != end - body
    in_context = plus or split or not needs
    if not (in_context or _has_pre_cue(s, start) or _has_post_cue(s, end)):
        literal = _LITERAL.get(form)
        return None if literal is None else (literal, [start] * len(literal))
    out = ("加" if plus else "") + canon
    offsets = [start] if plus else []
    offsets += [kept[k * len(kept) // len(canon)] for k in range(len(canon))]
    return out, offsets


def _numerals(s: str, start: int, end: int, after_nick: int) -> tuple[str, list[int]] | None:
    # after_nick: end of the last rewritten nickname, whose numbers these may be
    at_nick = after_nick >= 0 and not s[after_nick:start].strip(SEP + ":=")
    kept = [i for i in range(start, end) if s[i] not in SEP]
    if len(kept) < 5:
        return None
    if len(kept) < 7 and not at_nick and not _skip_back(s, start).endswith(_NUMBER_CUES):
        return None
    return "".join(_DIGIT_OF.get(s[i], s[i]) for i in kept), kept


# Platform names as written: rewriting them gives them back, so they are only noted as the
# nickname that a following number may belong to (what _nickname would decide).
_AS_WRITTEN = frozenset(form for form, canon, _ in _NICKNAMES if form == canon)


def apply_contact_rules(
    s: str, offsets: list[int] | None, pos: int = 0
) -> tuple[str, list[int]] | None:
    """Nicknames and numerals: new text and its offsets (``offsets`` maps ``s``, None
    for the identity); None when nothing changed. No rule matches before ``pos``."""
    out: list[str] = []
    kept: list[int] = []
    last = 0
    nick_end = -1
    for m in CONTACT_RULES.finditer(s, pos):
        start, end = m.span()
        found = m.group()
        if found in _AS_WRITTEN:
            if not (start > 0 and found.isascii() and _LATIN_WORD.match(s[start - 1])):
                nick_end = end
            continue
        if found[0] in _DIGIT_OF:
            done = _numerals(s, start, end, nick_end)
        else:
            done = _nickname(s, start, end)
            if done is not None:
                nick_end = end
        if done is None or done[0] == found:
            continue
        out += (s[last:start], done[0])
        if offsets is None:
            kept += identity(last, start)
            kept += done[1]
        else:
            kept += offsets[last:start]
            kept += map(offsets.__getitem__, done[1])
        last = end
    if not out:
        return None
    out.append(s[last:])
    # Offsets can run past s (where NFKC composed inside a run, ｶﾞ → ガ): cut them at s.
    kept += identity(last, len(s)) if offsets is None else offsets[last : len(s)]
    return "".join(out), kept


_IDS = list(range(4096))  # slices of it are cheaper than new lists of new int objects


def identity(start: int, end: int) -> list[int]:
    """``list(range(start, end))``."""
    return _IDS[start:end] if end <= len(_IDS) else list(range(start, end))
