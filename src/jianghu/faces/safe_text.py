"""Make hostile text harmless on a terminal.

Message text, names and links are written by criminals. Before anything reaches a
terminal, control characters (which start ANSI escape sequences, OSC 8 hyperlinks,
cursor moves, title changes) and bidirectional overrides (which reorder what the analyst
sees, "Trojan Source") are replaced by visible escapes. Rich markup is never parsed from
such text: the CLI passes it to Rich as ``Text`` objects, which are not markup.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

# C0 except tab and newline, DEL, C1, bidi embeddings/overrides/isolates, and the line
# and paragraph separators that some terminals treat as newlines.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str, keep_newlines: bool = True) -> str:
    """``text`` with every character that could control a terminal made visible."""
    out = _UNSAFE.sub(_visible, text)
    if not keep_newlines:
        out = out.replace("\n", " ")
    return out


# orjson escapes only C0 characters in JSON. These are escaped as \uXXXX as well, so JSON
# printed to a terminal or opened in a viewer cannot be reordered or controlled by the
# text in it; it still decodes to the same strings. They can only stand inside JSON
# strings, since JSON's own syntax is ASCII.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_safe(text: str) -> str:
    """Serialised JSON with C1 controls, DEL, bidi controls and line separators escaped."""
    return text if text.isascii() and "\x7f" not in text else _JSON_UNSAFE.sub(_json_escape, text)


def json_text(value: Any, indent: bool = False) -> str:
    """``value`` as JSON that is safe to show (:func:`json_safe`): every JSON the faces
    print or export is written here."""
    option = orjson.OPT_NON_STR_KEYS | (orjson.OPT_INDENT_2 if indent else 0)
    try:
        text = orjson.dumps(value, option=option).decode()
    except TypeError:
        # An integer beyond 64 bits (an id given so in annotate's or extract's input):
        # orjson cannot write it; the json module can, exactly.
        text = json.dumps(
            value, ensure_ascii=False, indent=2 if indent else None,
            separators=None if indent else (",", ":"),
        )  # fmt: skip
    return json_safe(text)
