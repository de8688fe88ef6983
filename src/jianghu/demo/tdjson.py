"""Byte-exact pieces of a Telegram Desktop ``result.json``, written the way tdesktop's
``JsonWriter`` writes them (export_output_json.cpp): one space of indentation per nesting
level, ``"key": value`` pairs, empty values left out, no trailing newline.

The generator streams these pieces; nothing here holds more than one message.
Nesting inside a full-account export: root object (1) › ``chats`` object (2) › ``list``
array (3) › chat object (4) › ``messages`` array (5) › message object (6) › ``text`` array
(7) › entity object (8). Each level indents its children by that many spaces.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import NamedTuple

import orjson

ABOUT = (
    "Here is the data you requested. Remember: Telegram is ad free, it doesn't use your data "
    "for ad targeting and doesn't sell it to others. Telegram only keeps the information it "
    "needs to function as a secure and feature-rich cloud service.\n\nCheck out Settings > "
    "Privacy & Security on Telegram's mobile apps for the relevant settings."
)
ABOUT_CHATS = "This page lists all chats from this export."
ABOUT_LEFT_CHATS = (
    "Below are the supergroups and channels from this export that you've left or where you "
    "were banned.\n\nNote that when you leave a channel or supergroup you've created, you have "
    "the option to either delete it, or simply leave (in case you want to rejoin later, or "
    "keep the community alive despite not being a member)."
)
# what a photo or file field holds when media were not exported
FILE_SKIPPED = "(File not included. Change data exporting settings to download.)"

# `date` is the exporting PC's local time without an offset; the demo's PC sits in UTC+8,
# so a reader that trusts `date` over `date_unixtime` is eight hours off, as in real life.
LOCAL_UTC_OFFSET = 8 * 3600

# Characters tdesktop escapes its own way: control characters other than \n \r \t become
# the invalid `\xNN`, U+2028/2029 become `\u2028`/`\u2029`. orjson agrees on everything else.
_TD_SPECIAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\u2028\u2029]")
_SIMPLE_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def js(value: str) -> bytes:
    """A JSON string literal exactly as tdesktop's ``SerializeString`` writes it."""
    if _TD_SPECIAL.search(value) is None:
        return orjson.dumps(value)
    out: list[str] = []
    for ch in value:
        code = ord(ch)
        if ch in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[ch])
        elif code < 0x20:
            out.append(f"\\x{code:02X}")  # not JSON: tdesktop#27571, kept on purpose
        elif code in (0x2028, 0x2029):
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return ('"' + "".join(out) + '"').encode()


class Ent(NamedTuple):
    """One entity of a message text; ``extra`` is e.g. ``("href", b'"https://..."')``."""

    type: str
    text: str
    extra: tuple[str, bytes] | None = None


Part = str | Ent

_ITEM = b"\n       "  # items of a text / text_entities array (nesting 7)
_EKEY = b"\n        "  # keys of an entity object (nesting 8)
_ARRAY_END = b"\n      ]"
_PLAIN_TYPE = _EKEY + b'"type": "plain",' + _EKEY + b'"text": '


def _entity(ent: Ent) -> bytes:
    body = _EKEY + b'"type": ' + js(ent.type) + b"," + _EKEY + b'"text": ' + js(ent.text)
    if ent.extra is not None:
        body += b"," + _EKEY + b'"' + ent.extra[0].encode() + b'": ' + ent.extra[1]
    return b"{" + body + _ITEM + b"}"


def plain_text(parts: list[Part]) -> str:
    return "".join(p if isinstance(p, str) else p.text for p in parts)


def with_trailing_quirk(parts: list[Part]) -> list[Part]:
    """tdesktop measures the text end in UTF-8 bytes but entities in UTF-16 units, so a
    non-ASCII text that ends with an entity gets an extra empty plain run (FORMATS.md 1.5)."""
    if parts and isinstance(parts[-1], Ent) and not plain_text(parts).isascii():
        return [*parts, ""]
    return parts


def text_value(parts: list[Part]) -> bytes:
    """Value of ``text``: a bare string without entities, else an array of runs."""
    if not parts:
        return b'""'
    if len(parts) == 1 and isinstance(parts[0], str):
        return js(parts[0])
    items = [js(p) if isinstance(p, str) else _entity(p) for p in parts]
    return b"[" + b",".join(_ITEM + item for item in items) + _ARRAY_END


def entities_value(parts: list[Part]) -> bytes:
    """Value of ``text_entities``: always objects, plain runs as ``{"type": "plain"}``."""
    if not parts:
        return b"[]"
    items = [
        b"{" + _PLAIN_TYPE + js(p) + _ITEM + b"}" if isinstance(p, str) else _entity(p)
        for p in parts
    ]
    return b"[" + b",".join(_ITEM + item for item in items) + _ARRAY_END


_TEXT_KEY = b'\n      "text": '
_ENTITIES_KEY = b',\n      "text_entities": '


def text_fields(parts: list[Part]) -> bytes:
    """The ``text`` and ``text_entities`` fields of a message, ready to append."""
    return _TEXT_KEY + text_value(parts) + _ENTITIES_KEY + entities_value(parts)


def plain_text_fields(text: str) -> bytes:
    """:func:`text_fields` for a text without entities, serialising the string once."""
    if not text:
        return _TEXT_KEY + b'""' + _ENTITIES_KEY + b"[]"
    lit = js(text)
    entities = (b"[", _ITEM, b"{", _PLAIN_TYPE, lit, _ITEM, b"}", _ARRAY_END)
    return b"".join((_TEXT_KEY, lit, _ENTITIES_KEY, *entities))


def string_list(values: list[str]) -> bytes:
    """An array of strings at message-field level (service ``members``)."""
    return b"[" + b",".join(_ITEM + js(v) for v in values) + _ARRAY_END


def field(key: str) -> bytes:
    """Prefix of one message field; fields are joined with ``,``."""
    return b'\n      "' + key.encode() + b'": '


MESSAGE_CLOSE = b"\n     }"
FIRST_ITEM = b"\n     "
NEXT_ITEM = b",\n     "


def message(fields: list[bytes]) -> bytes:
    return b"{" + b",".join(fields) + MESSAGE_CLOSE


class Clock:
    """Formats epoch seconds as tdesktop's ``date``/``date_unixtime`` pair (or ``edited``…).
    Both halves of the local time are cached: consecutive messages share a day, and a day
    has only 86,400 seconds."""

    def __init__(self, key: str = "date") -> None:
        self._lead = f'\n      "{key}": "'
        self._mid = f'",\n      "{key}_unixtime": "'.encode()
        self._days: dict[int, bytes] = {}
        self._seconds: dict[int, bytes] = {}

    def fields(self, t: int) -> bytes:
        day, sec = divmod(t + LOCAL_UTC_OFFSET, 86400)
        prefix = self._days.get(day)
        if prefix is None:
            date = datetime.fromtimestamp(day * 86400, UTC).strftime("%Y-%m-%dT")
            prefix = self._days[day] = (self._lead + date).encode()
        clock = self._seconds.get(sec)
        if clock is None:
            hours, rest = divmod(sec, 3600)
            clock = f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}".encode() + self._mid
            self._seconds[sec] = clock
        return b'%s%s%d"' % (prefix, clock, t)


# --- the skeleton around the chats -------------------------------------------------------


def root_open() -> bytes:
    return b'{\n "about": ' + js(ABOUT)


def personal_information(
    user_id: int, first_name: str, last_name: str, phone: str, username: str, bio: str
) -> bytes:
    pairs = [
        ("user_id", str(user_id).encode()),
        ("first_name", js(first_name)),
        ("last_name", js(last_name)),
        ("phone_number", js(phone)),
        ("username", js(username)),
        ("bio", js(bio)),
    ]
    body = b",".join(b'\n  "' + k.encode() + b'": ' + v for k, v in pairs)
    return b',\n "personal_information": {' + body + b"\n }"


def section_open(key: str, about: str) -> bytes:
    """Start of ``chats`` or ``left_chats``: ``{"about": …, "list": [``."""
    return b',\n "' + key.encode() + b'": {\n  "about": ' + js(about) + b',\n  "list": ['


def section_close() -> bytes:
    return b"\n  ]\n }"


def chat_open(first: bool, name: str | None, chat_type: str, chat_id: int) -> bytes:
    lead = b"\n   {" if first else b",\n   {"
    name_b = b"null" if name is None else js(name)
    return (
        lead
        + b'\n    "name": '
        + name_b
        + b',\n    "type": '
        + js(chat_type)
        + b',\n    "id": '
        + str(chat_id).encode()
        + b',\n    "messages": ['
    )


def chat_close() -> bytes:
    return b"\n    ]\n   }"


def root_close() -> bytes:
    return b"\n}"
