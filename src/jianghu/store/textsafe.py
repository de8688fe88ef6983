"""Text both backends can hold, made the same documented way on both.

PostgreSQL cannot store NUL in ``text``, and neither backend's driver accepts lone
surrogates (which JSON escapes such as ``"\\ud800"`` can produce). Such characters are
replaced before any text is stored, on both backends alike:

* U+0000 NUL becomes U+2400 SYMBOL FOR NULL (visible, so an analyst sees something was
  there);
* a lone surrogate (U+D800-U+DFFF) becomes U+FFFD REPLACEMENT CHARACTER.

Nothing is lost: the message's raw source record keeps the original escapes, and the
file position points back to the bytes.
"""

from __future__ import annotations

import re

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _replace(match: re.Match[str]) -> str:
    return "\u2400" if match.group() == "\x00" else "\ufffd"


def storable(text: str) -> str:
    """``text`` with the characters no backend can store replaced (see module doc)."""
    if text.isascii() and "\x00" not in text:
        return text
    if _UNSTORABLE.search(text) is None:
        return text
    return _UNSTORABLE.sub(_replace, text)


def storable_or_none(text: str | None) -> str | None:
    return None if text is None else storable(text)
