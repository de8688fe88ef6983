"""What the message routes show, assembled from the store (no FastAPI here).

A message is shown with victims' data masked and, on pages, links defanged. Both are
rewrites of the stored text that change its length (a masked card is shorter than the
card as written), so every span shown beside the text (jargon terms, indicators) is
moved into the rewritten text by :class:`~jianghu.web.views_text.Rewritten`, never
re-found in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from jianghu.analysis.classify import explain, feature_input
from jianghu.analysis.classify.features import FeatureInput
from jianghu.analysis.entities.masking import MASKED_TYPES
from jianghu.analysis.gloss import entity_label
from jianghu.analysis.lexicon import TermHit
from jianghu.faces.masking import mask_entity, mask_found
from jianghu.report.safe import shown_text
from jianghu.store.actors import actor_of_account, get_actor
from jianghu.store.base import Store, StoredAnalysis, StoredEntity
from jianghu.store.offers import get_offer, offer_sightings
from jianghu.web.segments import Piece, pieces
from jianghu.web.views_text import (
    LINKLIKE,
    Rewritten,
    defanged_link,
    masked_part,
    openable,
    rewrite,
)

# The lexicon ranks a term's senses by cues anywhere in the text, so its cost grows with
# terms x length; a hostile 100,000-character message would hold a request for minutes.
# Evidence covers this much of the text (a Telegram message is at most 4,096).
EVIDENCE_CHARS = 8_000
SIGHTINGS_SHOWN = 50
LINK_TYPES = ("url", "telegram_invite", "onion")


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
