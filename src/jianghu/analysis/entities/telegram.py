"""Telegram usernames and invite links.

Username rules (Telegram's): 5–32 characters of ``[A-Za-z0-9_]``, starting with a letter,
no trailing underscore and no double underscore. Usernames are case-insensitive, so the
normalized form is lower case; invite codes are case-sensitive and keep their case.
"""

from __future__ import annotations

import re

from jianghu.analysis.entities.model import Entity
from jianghu.analysis.entities.scan import Scan, first_not_after

# (first_not_after: an @ not glued to a word, written for the regex skip-ahead.)
_AT = re.compile(
    first_not_after("@", r"[A-Za-z0-9_.@+\-]")
    + r"([A-Za-z0-9_]{2,40})(?![A-Za-z0-9_@.\-]*\.[A-Za-z])"
)
# "https://" and "www." optional, "t" or "telegram", ".me" or ".dog", not glued to a word
# or a path on the left. Written as the first character (h, w or t, for the regex engine's
# skip-ahead, see scan.first_not_after), then by that character the rest of the scheme or
# host: the same branches in the same order as (?:https?://)?(?:www\.)?(?:t|telegram).
_LINK = re.compile(
    first_not_after("[hHwWtT]", "[A-Za-z0-9_./]")
    + r"(?:(?<=[hH])(?i:ttps?)://(?i:www\.)?(?i:t|telegram)|(?<=[wW])(?i:ww\.)(?i:t|telegram)"
    r"|(?<=[tT])(?i:elegram)??)(?i:\.(?:me|dog))/"
    r"(?:(?P<invite>(?:\+|(?i:joinchat)/)[A-Za-z0-9_\-]{10,40})"
    r"|(?:s/)?(?P<name>[A-Za-z0-9_]{2,40}))(?![A-Za-z0-9_\-])"
)
_RESOLVE = re.compile(r"(?i:tg://resolve\?domain=)(?P<name>[A-Za-z0-9_]{2,40})")
_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,30}[A-Za-z0-9]")
# t.me paths that are site functions, not usernames.
_RESERVED = frozenset({"share", "addstickers", "addemoji", "proxy", "socks", "iv", "login",
                       "setlanguage", "addtheme", "c", "bg", "contact", "addlist",
                       "boost"})  # fmt: skip


def username_ok(name: str) -> bool:
    return _USERNAME.fullmatch(name) is not None and "__" not in name


def handle(text: str, start: int, end: int, name: str) -> Entity:
    valid = username_ok(name)
    return Entity("telegram_handle", text[start:end], name.lower(), start, end, valid)


def find_telegram(scan: Scan) -> list[Entity]:
    out: list[Entity] = []
    text, norm, low = scan.text, scan.norm, scan.low
    if "@" in norm:
        for m in _AT.finditer(norm):
            out.append(handle(text, m.start(), m.end(), m.group(1)))
    if ".me/" in low or ".dog/" in low:
        for m in _LINK.finditer(norm):
            start, end = m.span()
            if m.group("invite"):
                code = m.group("invite")
                code = code[1:] if code.startswith("+") else code.split("/", 1)[1]
                out.append(
                    Entity("telegram_invite", text[start:end], "https://t.me/+" + code,
                           start, end, True, {"code": code})
                )  # fmt: skip
            elif m.group("name").lower() not in _RESERVED:
                out.append(handle(text, start, end, m.group("name")))
    if "tg://" in low:
        for m in _RESOLVE.finditer(norm):
            out.append(handle(text, m.start(), m.end(), m.group("name")))
    return out
