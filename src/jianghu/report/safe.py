"""Message text made safe for a report: victims' data masked, links defanged, control
characters made visible; then escaped for the format it goes into.

A report is opened by people who did not collect the data, in browsers and Markdown
viewers that turn links and HTML into live content. So links from messages are
defanged (``hxxps://example[.]com``: nothing clicks through, nothing fetches), and the
escaping is done here once for each format, never by hand at the call sites.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from jianghu.analysis.entities import mask
from jianghu.analysis.entities.masking import MASKED_TYPES
from jianghu.faces.safe_text import terminal_safe
from jianghu.store.base import StoredEntity

# Indicators whose dots would let a viewer turn them into links.
_LINKLIKE = frozenset({"url", "domain", "onion", "email", "telegram_invite", "ipv4"})
_SCHEME = re.compile(r"\b(h)(tt)(ps?)(://)", re.IGNORECASE)
_TG = re.compile(r"\b(t|telegram)\.(me)/", re.IGNORECASE)
_WWW_DOTS = re.compile(r"(?<=\w)\.(?=(?:com|net|org|cn|io|me|cc|xyz|top|vip|ru|onion)\b)")


def _replacement(entity: StoredEntity, text: str, reveal: bool) -> str | None:
    if entity.type in MASKED_TYPES and not reveal:
        return mask(entity.to_entity())
    if entity.type in _LINKLIKE:
        return text[entity.start : entity.end].replace(".", "[.]")
    return None


def defang(text: str, entities: Iterable[StoredEntity] = (), reveal: bool = True) -> str:
    """``text`` with every link and domain made unclickable and, unless ``reveal``,
    victims' data masked.

    The stored indicator spans are rewritten in one pass (a masked card is shorter than
    the card as written, so the spans must not be applied one after another); a pattern
    pass then catches what the extractor did not keep (an invalid domain, a scheme on
    its own)."""
    out: list[str] = []
    pos = 0
    for e in sorted(entities, key=lambda e: (e.start, -e.end)):
        if e.start < pos or not 0 <= e.start < e.end <= len(text):
            continue
        shown = _replacement(e, text, reveal)
        if shown is None:
            continue
        out.append(text[pos : e.start])
        out.append(shown)
        pos = e.end
    out.append(text[pos:])
    joined = "".join(out)
    joined = _SCHEME.sub(lambda m: f"{m[1]}xx{m[3]}{m[4]}", joined)
    joined = _TG.sub(lambda m: f"{m[1]}[.]{m[2]}/", joined)
    return _WWW_DOTS.sub("[.]", joined)


def shown_text(text: str, entities: Iterable[StoredEntity], reveal: bool = False) -> str:
    """The message as a report shows it: masked (unless revealed), defanged, and with
    control characters (ANSI escapes, bidi overrides) made visible."""
    return terminal_safe(defang(text, entities, reveal))


def shown_name(name: str) -> str:
    """A channel or account name as a report shows it: one line, defanged, controls
    made visible (names are written by criminals too)."""
    return terminal_safe(defang(name), keep_newlines=False)


def html_text(text: str) -> str:
    return html.escape(text, quote=True)


# Enough to stop emphasis, code, links, images, tables and strikethrough mid-line; the
# line-start syntax (#, -, >, 1.) cannot arise because cells never start a line.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md_inline(text: str) -> str:
    """A name or short value for a Markdown line or table cell: one line, Markdown
    punctuation backslash-escaped and angle brackets as entities, so no HTML, link or
    emphasis can come out of it."""
    one_line = " ".join(text.split())
    entities = one_line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", entities)


def md_block(text: str) -> str:
    """A message body for Markdown: a fenced block longer than any backtick run in it, so
    nothing inside is read as Markdown or HTML."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"
