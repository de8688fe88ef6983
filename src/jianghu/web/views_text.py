"""Stored text as the pages and the API show it: victims' data masked and, on pages,
links defanged.

Both are rewrites of the stored text that change its length (a masked card is shorter
than the card as written), so every span shown beside the text (jargon terms,
indicators) is moved into the rewritten text by :class:`Rewritten`, never re-found in it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from jianghu.analysis.entities import mask
from jianghu.analysis.entities.masking import MASKED_TYPES
from jianghu.faces.safe_text import terminal_safe
from jianghu.report.safe import defang
from jianghu.store.base import StoredEntity

# Indicators a viewer could turn into a link: their dots are bracketed on pages.
LINKLIKE = frozenset({"url", "domain", "onion", "email", "telegram_invite", "ipv4"})
_OPENABLE = re.compile(r"https?://[^\s]+\Z", re.IGNORECASE)


@dataclass(frozen=True)
class Rewritten:
    """A text with some stretches replaced, and where each replaced stretch went:
    (old start, old end, new start, new end), in order."""

    text: str
    moves: tuple[tuple[int, int, int, int], ...] = ()

    def position(self, pos: int, at_end: bool = False) -> int:
        """Where ``pos`` of the old text is in the new one; inside a replaced stretch,
        that stretch's start (or end, for the end of a span)."""
        shift = 0
        for old_start, old_end, new_start, new_end in self.moves:
            if pos <= old_start:
                break
            if pos < old_end:
                return new_end if at_end else new_start
            shift = new_end - old_end
        return pos + shift

    def overlaps(self, start: int, end: int) -> bool:
        return any(s < end and start < e for s, e, _, _ in self.moves)


def rewrite(text: str, entities: Sequence[StoredEntity], defang_links: bool) -> Rewritten:
    """``text`` with victims' data masked (as faces.masking.mask_text does) and, with
    ``defang_links``, the dots of every link-like indicator bracketed. The longest of
    overlapping indicators wins, so a card's BIN never unmasks the rest of the card, and
    a link keeps the victims' data inside it masked."""
    masked = [e for e in entities if e.type in MASKED_TYPES]
    out: list[str] = []
    moves: list[tuple[int, int, int, int]] = []
    pos = shift = 0
    for e in sorted(entities, key=lambda e: (e.start, -e.end)):
        if e.start < pos or not 0 <= e.start < e.end <= len(text):
            continue
        if e.type in MASKED_TYPES:
            new = mask(e.to_entity())
        elif defang_links and e.type in LINKLIKE and not _straddled(e, masked):
            new = masked_part(text, e.start, e.end, masked).replace(".", "[.]")
        else:
            continue
        out.append(text[pos : e.start])
        out.append(new)
        moves.append((e.start, e.end, e.start + shift, e.start + shift + len(new)))
        shift += len(new) - (e.end - e.start)
        pos = e.end
    out.append(text[pos:])
    return Rewritten("".join(out), tuple(moves))


def _straddled(link: StoredEntity, masked: Sequence[StoredEntity]) -> bool:
    """Victims' data running across the link's edge: the link is left to the page's
    pattern defanging, so that the data is masked whole."""
    return any(
        m.start < link.end and link.start < m.end and not link.start <= m.start < m.end <= link.end
        for m in masked
    )


def masked_part(text: str, start: int, end: int, masked: Sequence[StoredEntity]) -> str:
    """``text[start:end]`` with the victims' data wholly inside it masked."""
    inner = [
        replace(m, start=m.start - start, end=m.end - start)
        for m in masked
        if start <= m.start and m.end <= end
    ]
    return rewrite(text[start:end], inner, False).text


def openable(url: str) -> bool:
    """Only a plain http(s) link may be offered to open (never javascript:, data:, or a
    link hiding control or bidi characters)."""
    return bool(_OPENABLE.match(url)) and terminal_safe(url) == url


def defanged_link(url: str) -> str:
    """A link as a page shows it: no clickable scheme, no live dots, controls visible."""
    return terminal_safe(defang(url.replace(".", "[.]")), keep_newlines=False)
