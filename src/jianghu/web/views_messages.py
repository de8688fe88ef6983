"""What the message and channel routes show, assembled from the store (no FastAPI here).

A message is shown with victims' data masked and, on pages, links defanged. Both are
rewrites of the stored text that change its length (a masked card is shorter than the
card as written), so every span shown beside the text (jargon terms, indicators) is
moved into the rewritten text by :class:`Rewritten`, never re-found in it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import orjson

from jianghu.analysis.classify import explain, feature_input
from jianghu.analysis.classify.features import FeatureInput
from jianghu.analysis.entities import mask
from jianghu.analysis.entities.masking import MASKED_TYPES
from jianghu.analysis.gloss import entity_label
from jianghu.analysis.lexicon import TermHit
from jianghu.faces.masking import mask_entity, mask_found
from jianghu.faces.safe_text import terminal_safe
from jianghu.report.safe import defang, shown_text
from jianghu.store.actors import actor_of_account, get_actor
from jianghu.store.base import Store, StoredAnalysis, StoredEntity
from jianghu.store.offers import get_offer, offer_sightings
from jianghu.web.paging import page
from jianghu.web.segments import Piece, pieces

# The lexicon ranks a term's senses by cues anywhere in the text, so its cost grows with
# terms x length; a hostile 100,000-character message would hold a request for minutes.
# Evidence covers this much of the text (a Telegram message is at most 4,096).
EVIDENCE_CHARS = 8_000
SIGHTINGS_SHOWN = 50
SNIPPET_CHARS = 240
# Indicators a viewer could turn into a link: their dots are bracketed on pages.
LINKLIKE = frozenset({"url", "domain", "onion", "email", "telegram_invite", "ipv4"})
LINK_TYPES = ("url", "telegram_invite", "onion")
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


# ---- one message -----------------------------------------------------------------------
_MESSAGE_SQL = (
    "SELECT m.id, m.platform, m.kind, m.message_id, m.channel_id, c.platform_id, c.name, "
    "c.kind, m.author_id, a.platform_id, a.display_name, a.handle, m.posted_at, m.edited_at, "
    "m.text, m.entities, m.reply_to, m.forwarded_from, m.media_kind, m.action "
    "FROM messages m JOIN channels c ON c.id = m.channel_id "
    "LEFT JOIN authors a ON a.id = m.author_id WHERE m.id = ?"
)


@dataclass
class MessageDetail:
    """A message as the API returns it (``data``) and what only the page needs."""

    data: dict[str, Any]
    pieces: list[Piece] = field(default_factory=list)  # masked, defanged, terms marked
    entities: list[dict[str, Any]] = field(default_factory=list)  # rows as the page lists them
    evidence_cut: bool = False  # the text is longer than the evidence covers


def _author(store: Store, author_id: int | None, ref: Sequence[Any]) -> dict[str, Any] | None:
    if author_id is None:
        return None
    names = store._all(
        "SELECT name FROM author_names WHERE author_id = ? ORDER BY first_seen, name", (author_id,)
    )
    platform_id, display_name, handle = ref
    return {
        "id": author_id,
        "platform_id": platform_id,
        "display_name": display_name,
        "handle": handle,
        "names": [str(n[0]) for n in names],  # every name it was seen under, oldest first
    }


def _actor(store: Store, author_id: int | None) -> dict[str, Any] | None:
    actor_id = None if author_id is None else actor_of_account(store, author_id)
    actor = None if actor_id is None else get_actor(store, actor_id)
    if actor is None:
        return None
    return {"id": actor.id, "name": actor.name, "reputation": actor.reputation}


def message_links(
    text: str, entities: Sequence[StoredEntity], stored_json: str
) -> list[dict[str, Any]]:
    """Links the text holds and the targets of its text links (a Telegram text link
    shows one thing and points elsewhere). ``url`` is the target as a value to copy,
    ``openable`` only for plain http(s); a link holding victims' data is masked like
    the text and offered neither to copy nor to open until revealed."""
    masked = [e for e in entities if e.type in MASKED_TYPES]
    found = [
        (e.value, masked_part(text, e.start, e.end, masked), "text")
        for e in entities
        if e.type in LINK_TYPES
    ]
    try:
        marked = orjson.loads(stored_json or "[]")
    except orjson.JSONDecodeError:  # written by the store; a bad row still shows the rest
        marked = []
    hrefs = [str(m["href"]) for m in marked if isinstance(m, dict) and m.get("href")]
    found += [(h, mask_found(h), "text_link") for h in hrefs]
    seen: set[str] = set()
    out = []
    for url, shown, where in found:
        if url in seen:
            continue
        seen.add(url)
        hidden = shown != url
        out.append(
            {
                "url": shown,
                "shown": defanged_link(shown),
                "source": where,
                "masked": hidden,
                "openable": not hidden and openable(url),
            }
        )
    return out


def _offer(store: Store, message_id: int) -> dict[str, Any] | None:
    row = store._one("SELECT offer_id FROM offer_sightings WHERE message_id = ?", (message_id,))
    offer = None if row is None else get_offer(store, int(row[0]))
    if offer is None:
        return None
    seen = offer_sightings(store, offer.id)
    return {
        "id": offer.id,
        "summary": offer.summary,
        "categories": list(offer.categories),
        "intent": offer.intent,
        "item": offer.item,
        "regions": list(offer.regions),
        "price_usd": offer.price_usd,
        "price_unit": offer.price_unit,
        "first_seen": offer.first_seen.isoformat(),
        "last_seen": offer.last_seen.isoformat(),
        "sightings_total": offer.sightings,
        "sightings": [
            {"message_id": i, "channel": ch, "author": who, "posted_at": at.isoformat()}
            for i, ch, who, at in seen[:SIGHTINGS_SHOWN]
        ],
    }


def _term_json(h: TermHit, text: str, shown: Rewritten) -> dict[str, Any]:
    return {
        "term": text[h.start : h.end],  # as written (the lexicon matched a normalised form)
        "canonical": h.canonical,
        "kind": h.kind,
        "category": h.category,
        "gloss": h.gloss,
        "score": h.score,
        "start": shown.position(h.start),
        "end": shown.position(h.end, at_end=True),
    }


def _entity_json(e: StoredEntity, shown: Rewritten) -> dict[str, Any]:
    m = mask_entity(e.to_entity())
    return {
        "type": m.type,
        "value": m.value,
        "normalized": m.normalized,
        "label": entity_label(m),
        "masked": e.type in MASKED_TYPES,
        "attrs": m.attrs,
        "start": shown.position(e.start),
        "end": shown.position(e.end, at_end=True),
    }


def _entity_row(e: StoredEntity) -> dict[str, Any]:
    """An indicator as the page lists it: masked, and a link-like one defanged whole
    (the page's own defanging knows only common top-level domains)."""
    m = mask_entity(e.to_entity())
    linklike = e.type in LINKLIKE
    return {
        "label": entity_label(m),
        "value": defanged_link(m.value) if linklike else m.value,
        "masked": e.type in MASKED_TYPES,
        "attrs": {k: defanged_link(v) if linklike else v for k, v in sorted(m.attrs.items())},
    }


def _analysis_json(a: StoredAnalysis | None, item: FeatureInput) -> dict[str, Any]:
    """Language, intent, categories with scores, and per output the lexicon terms and
    the model features behind it (as ``jianghu annotate --explain`` gives them)."""
    if a is None:  # a service event, or a message not analysed yet
        return {"language": None, "intent": None, "categories": [], "scores": {}, "model": None}
    cats = [
        {
            "category": c,
            "score": a.scores.get(c, 0.0),
            "terms": sorted({h.canonical for h in item.terms if h.category == c}),
            "features": _features(item, c),
        }
        for c in a.categories
    ]
    return {
        "language": a.language,
        "intent": a.intent,
        "intent_features": _features(item, a.intent),
        "categories": cats,
        "scores": a.scores,
        "model": {
            "lexicon": a.lexicon_version,
            "model": a.model_version,
            "analysed_at": a.analysed_at.isoformat(),
        },
    }


def _features(item: FeatureInput, output: str) -> list[dict[str, Any]]:
    return [{"feature": c.feature, "weight": c.weight} for c in explain(item, output)]


def message_detail(store: Store, message_id: int) -> MessageDetail | None:
    """Everything about one stored message, victims' data masked; None if unknown."""
    r = store._one(_MESSAGE_SQL, (message_id,))
    if r is None:
        return None
    text: str = r[14]
    ents = store.entities_of([message_id]).get(message_id, [])
    masked, on_page = rewrite(text, ents, False), rewrite(text, ents, True)
    covered = text[:EVIDENCE_CHARS]
    item = feature_input(covered, entities=[e.to_entity() for e in ents if e.end <= len(covered)])
    # A term inside a masked number or a link would split what must be shown whole.
    terms = [h for h in item.terms if not on_page.overlaps(h.start, h.end)]
    data = {
        "id": int(r[0]),
        "platform": r[1],
        "kind": r[2],
        "message_id": r[3],
        "channel": {"id": int(r[4]), "platform_id": r[5], "name": r[6], "kind": r[7]},
        "author": _author(store, r[8], r[9:12]),
        "actor": _actor(store, r[8]),
        "posted_at": store._read_ts(r[12]).isoformat(),
        "edited_at": None if r[13] is None else store._read_ts(r[13]).isoformat(),
        "reply_to": r[16],
        "forwarded_from": r[17],
        "media_kind": r[18],
        "action": r[19],
        "text": masked.text,
        "masked": any(e.type in MASKED_TYPES for e in ents),
        "terms": [_term_json(h, text, masked) for h in terms],
        "entities": [_entity_json(e, masked) for e in ents],
        "links": message_links(text, ents, r[15]),
        **_analysis_json(store.analyses_of([message_id]).get(message_id), item),
        "offer": _offer(store, message_id),
    }
    spans = [(on_page.position(h.start), on_page.position(h.end, True), h.gloss) for h in terms]
    rows = [_entity_row(e) for e in ents]
    return MessageDetail(data, pieces(on_page.text, spans), rows, len(text) > EVIDENCE_CHARS)


def revealed_text(store: Store, message_id: int) -> str | None:
    """The message unmasked, still defanged with controls visible (it goes back into
    the page); None if unknown."""
    row = store._one("SELECT text FROM messages WHERE id = ?", (message_id,))
    if row is None:
        return None
    ents = store.entities_of([message_id]).get(message_id, [])
    return shown_text(str(row[0]), ents, reveal=True)


# ---- channels --------------------------------------------------------------------------
_CHANNELS_SQL = (
    "SELECT c.id, c.platform, c.platform_id, c.name, c.kind, count(m.id), "
    "count(s.message_id), min(m.posted_at), max(m.posted_at) FROM channels c "
    "LEFT JOIN messages m ON m.channel_id = c.id AND m.kind = 'message' "
    "LEFT JOIN offer_sightings s ON s.message_id = m.id {where}"
    "GROUP BY c.id, c.platform, c.platform_id, c.name, c.kind "
    "ORDER BY count(m.id) DESC, c.id LIMIT ? OFFSET ?"
)


def _category_counts(store: Store, channel_ids: Sequence[int]) -> dict[int, Counter[str]]:
    out: dict[int, Counter[str]] = defaultdict(Counter)
    if not channel_ids:
        return out
    marks = ", ".join("?" * len(channel_ids))
    for r in store._all(
        "SELECT m.channel_id, mc.category, count(*) FROM message_categories mc "
        f"JOIN messages m ON m.id = mc.message_id WHERE m.channel_id IN ({marks}) "
        "GROUP BY m.channel_id, mc.category",
        list(channel_ids),
    ):
        out[int(r[0])][str(r[1])] = int(r[2])
    return out


def _channel_rows(store: Store, limit: int, offset: int, one: int | None) -> list[dict[str, Any]]:
    where, params = ("WHERE c.id = ? ", [one]) if one is not None else ("", [])
    rows = store._all(_CHANNELS_SQL.format(where=where), [*params, limit, offset])
    counts = _category_counts(store, [int(r[0]) for r in rows])
    return [
        {
            "id": int(r[0]),
            "platform": r[1],
            "platform_id": r[2],
            "name": r[3],
            "kind": r[4],
            "messages": int(r[5]),
            "offer_messages": int(r[6]),
            "first_seen": None if r[7] is None else store._read_ts(r[7]).isoformat(),
            "last_seen": None if r[8] is None else store._read_ts(r[8]).isoformat(),
            "top_categories": [
                {"category": c, "messages": n} for c, n in counts[int(r[0])].most_common(3)
            ],
        }
        for r in rows
    ]


def channel_list(store: Store, limit: int, offset: int) -> dict[str, Any]:
    """One page of channels, busiest first."""
    rows = _channel_rows(store, limit + 1, offset, None)
    return page(rows[:limit], limit, offset, len(rows) > limit)


def channel_messages(store: Store, channel_id: int, limit: int, offset: int) -> dict[str, Any]:
    """One page of a channel's messages and events, newest first, text masked and cut."""
    rows = store._all(
        "SELECT m.id, m.kind, m.posted_at, m.text, a.display_name, m.author_id, m.action, "
        "an.intent, an.categories FROM messages m LEFT JOIN authors a ON a.id = m.author_id "
        "LEFT JOIN message_analysis an ON an.message_id = m.id WHERE m.channel_id = ? "
        "ORDER BY m.posted_at DESC, m.id DESC LIMIT ? OFFSET ?",
        (channel_id, limit + 1, offset),
    )
    ents = store.entities_of([int(r[0]) for r in rows[:limit]])
    items = [
        {
            "id": int(r[0]),
            "kind": r[1],
            "posted_at": store._read_ts(r[2]).isoformat(),
            "snippet": rewrite(r[3], ents.get(int(r[0]), []), False).text[:SNIPPET_CHARS],
            "author": r[4],
            "author_id": r[5],
            "action": r[6],
            "intent": r[7],
            "categories": [c for c in (r[8] or "").split(",") if c],
        }
        for r in rows[:limit]
    ]
    return page(items, limit, offset, len(rows) > limit)


def channel_detail(store: Store, channel_id: int, limit: int, offset: int) -> dict[str, Any] | None:
    """A channel, its messages per category, and one page of its messages."""
    found = _channel_rows(store, 1, 0, channel_id)
    if not found:
        return None
    counts = _category_counts(store, [channel_id])[channel_id]
    return {
        "channel": found[0],
        "categories": [{"category": c, "messages": n} for c, n in counts.most_common()],
        "messages": channel_messages(store, channel_id, limit, offset),
    }
