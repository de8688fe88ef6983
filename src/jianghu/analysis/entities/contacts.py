"""Contacts stated with a cue word: QQ, WeChat, Telegram without @, other messengers and
payment accounts (``contact`` with its platform), and e-mail addresses.

Cue words are matched on the lower-cased text (full-width forms already mapped); the
number after a QQ cue may be spelled with spaces, full-width digits, circled digits or
Chinese numerals, which are undone with ``fold`` on a small window after the cue.
"""

from __future__ import annotations

import re

from jianghu.analysis.entities import network
from jianghu.analysis.entities.model import Entity
from jianghu.analysis.entities.phones import phone_forms, shrink_groups
from jianghu.analysis.entities.scan import Scan, first_not_after, folded_digits
from jianghu.analysis.entities.telegram import handle, username_ok

# Cue words by platform, as regex alternatives. They are compiled into one flat alternation
# in which every alternative starts with a literal character, so that the regex engine
# skips straight to the characters a cue can start with (a named group per platform, or a
# lookbehind in front, would make it try the whole pattern at every position, ten times
# slower). Each alternative ends in an empty group; ``lastindex`` names its platform. The
# "not after a Latin letter" rule is checked in find_cued instead (see _UNBOUNDED).
_CUES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("qq", ("qq", "扣扣", "抠抠", "摳摳", "企鹅", "企鵝", "球球", r"q(?=\s*[:：=])")),
    ("wechat", ("微信", "威信", "薇信", "徽信", "維信", "v信", "vx", "wx", "weixin", "wechat",
                "加v", r"v(?=\s*[:：=])", r"薇(?=\s*[:：=])", r"威(?=\s*[:：=])")),
    ("telegram", ("飞机", "飛機", "电报", "電報", "telegram", r"tg(?![a-z])")),
    ("potato", ("potato", "土豆")),
    ("bat", ("蝙蝠", r"bat(?![a-z])")),
    ("signal", ("signal",)),
    ("session", (r"session(?![a-z])",)),
    ("whatsapp", ("whatsapp", "whats app", r"wa(?=\s*[:：])")),
    ("line", (r"line(?=\s*(?:id)?\s*[:：])",)),
    ("alipay", ("支付宝", "支付寶", "alipay", "zfb")),
)  # fmt: skip
_CUE = re.compile("|".join(f"{alt}()" for _, alts in _CUES for alt in alts))
_CUE_PLATFORM = ("", *(platform for platform, alts in _CUES for _ in alts))
assert _CUE.groups == len(_CUE_PLATFORM) - 1  # no other group may shift the platforms
# Latin cues that must not continue a word (the q of "faq", the tg of "abctg").
_UNBOUNDED = frozenset({"telegram", "potato", "whatsapp", "whats app", "alipay", "v信"})
# Cheap gate: cue searching only runs on text holding one of these; every cue holds one (a
# test checks). One alternation, searched once, instead of 32 ``in`` tests.
_CUE_GATES = ("q", "扣", "抠", "摳", "企", "球", "微", "威", "薇", "徽", "維", "v", "wx",
              "weixin", "wechat", "飞机", "飛機", "电报", "電報", "telegram", "tg", "potato",
              "土豆", "蝙蝠", "bat", "signal", "session", "wa", "whats", "line", "支付",
              "alipay", "zfb")  # fmt: skip
_CUE_GATE = re.compile("|".join(re.escape(g) for g in _CUE_GATES))
# What may stand between the cue and the account: 号, 账号, ID, a colon …
_FILLER = re.compile(r"\s*(?:号码|号|號|账号|帐号|群号|群|(?i:id))?\s*[:：=]?\s*")
# Either one separator between every digit (1 2 3 4 5) or groups of three or more.
_QQ_NUM = re.compile(
    r"[1-9](?:[ \-.][0-9]){4,10}(?![0-9A-Za-z])"
    r"|[1-9][0-9]{2,10}(?:[ \-][0-9]{3,8}){0,2}(?![0-9A-Za-z])"
)
_WECHAT_ID = re.compile(r"[A-Za-z][-_A-Za-z0-9]{5,19}(?![-_A-Za-z0-9@])|1[3-9][0-9]{9}(?![0-9])")
_TG_BARE = re.compile(r"[A-Za-z][A-Za-z0-9_]{4,31}(?![A-Za-z0-9_@.])")
_ACCOUNT = re.compile(
    r"\+?[0-9][0-9 \-]{4,18}[0-9](?![0-9A-Za-z])|[A-Za-z0-9][A-Za-z0-9@._\-]{3,65}"
)
_PHONE_SHAPE = re.compile(r"\+?[0-9][0-9 \-]+")
_EMAIL = re.compile(
    first_not_after("[A-Za-z0-9]", r"[A-Za-z0-9._%+\-]") + r"[A-Za-z0-9._%+\-]{0,63}@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9\-])"
)
# Every e-mail address holds this (most "@" are Telegram handles after a space): a gate.
_EMAIL_HINT = re.compile(r"[A-Za-z0-9._%+\-]@[A-Za-z0-9]")
_SPLIT = str.maketrans("", "", " -.")


def find_emails(scan: Scan) -> list[Entity]:
    out: list[Entity] = []
    if not _EMAIL_HINT.search(scan.norm):
        return out
    for m in _EMAIL.finditer(scan.norm):
        start, end = m.span()
        value = scan.text[start:end]
        domain = m.group().rsplit("@", 1)[1].lower()
        valid = network.registered_domain(domain) is not None
        out.append(Entity("email", value, m.group().lower(), start, end, valid))
    return out


def has_cue(scan: Scan) -> bool:
    return _CUE_GATE.search(scan.low) is not None


def find_cued(scan: Scan) -> list[Entity]:
    out: list[Entity] = []
    low = scan.low
    for m in _CUE.finditer(low):
        cue, at_start = m.group(), m.start()
        if (
            "a" <= cue[0] <= "z"
            and cue not in _UNBOUNDED
            and at_start > 0
            and "a" <= low[at_start - 1] <= "z"
        ):
            continue
        platform = _CUE_PLATFORM[m.lastindex or 0]
        at = _FILLER.match(scan.norm, m.end())
        pos = at.end() if at else m.end()
        if platform == "qq":
            ent = _qq(scan, pos)
        elif platform == "wechat":
            ent = _wechat(scan, pos)
        elif platform == "telegram":
            ent = _telegram(scan, pos)
        else:
            ent = _account(scan, pos, platform)
        if ent is not None:
            out.append(ent)
    return out


def _qq(scan: Scan, pos: int) -> Entity | None:
    m = _QQ_NUM.match(scan.norm, pos)
    if m is not None:
        start, end = m.span()
        number = m.group().translate(_SPLIT)
    else:  # spelled out: ①②③…, 一二三…, mixed widths
        folded, origin = folded_digits(scan.text, pos, 24)
        m = _QQ_NUM.match(folded)
        if m is None:
            return None
        start, end = origin[m.start()], origin[m.end() - 1] + 1
        number = m.group().translate(_SPLIT)
    if not 5 <= len(number) <= 11:
        return None
    return Entity("qq", scan.text[start:end], number, start, end, True)


def _wechat(scan: Scan, pos: int) -> Entity | None:
    m = _WECHAT_ID.match(scan.norm, pos)
    if m is None:
        return None
    start, end = m.span()
    return Entity("wechat", scan.text[start:end], m.group().lower(), start, end, True)


def _telegram(scan: Scan, pos: int) -> Entity | None:
    m = _TG_BARE.match(scan.norm, pos)
    if m is None or not username_ok(m.group()):
        return None
    return handle(scan.text, m.start(), m.end(), m.group())


def _account(scan: Scan, pos: int, platform: str) -> Entity | None:
    m = _ACCOUNT.match(scan.norm, pos)
    if m is None:
        return None
    start, end = m.span()
    raw = m.group().rstrip(".")
    end = start + len(raw)
    normalized = raw
    attrs = {"platform": platform}
    if _PHONE_SHAPE.fullmatch(raw):
        for candidate in shrink_groups(raw):
            forms = phone_forms(candidate, None if raw.startswith("+") else "CN")
            if forms is not None:
                raw, end = candidate, start + len(candidate)
                normalized = forms.plain
                break
        else:
            if platform not in ("bat", "potato"):  # their ids may be plain numbers
                return None
    elif "@" in raw:
        normalized = raw.lower()
    return Entity("contact", scan.text[start:end], normalized, start, end, True, attrs)
