"""Messages as STIX ``note`` objects: the original text and its English gloss.

A note's ``content`` is the message as written (victims' data masked unless revealed),
then a separator line, then jianghu's gloss of it (each jargon term and indicator followed
by its English meaning in brackets; the gloss always masks victims' data). The
``abstract`` says in English what the message is: the summary of the offer it is a
sighting of, or its intent and categories. ``object_refs`` point at the channel, the
author's user-account and actor, the indicators found in it and the actors it exposes,
vouches for or confirms a deposit of (jianghu's reputation evidence).

The text is hostile. It is only ever a JSON string here; escaping it for HTML, a terminal
or a spreadsheet is the job of whoever shows it.
"""

from __future__ import annotations

from jianghu.analysis.gloss import gloss
from jianghu.export.stix_common import Context, StixObject, stix_id
from jianghu.faces.masking import mask_text
from jianghu.store.selection import MessageRecord

GLOSS_SEPARATOR = "\n\n--- English gloss (jianghu) ---\n"


def note_content(ctx: Context, message: MessageRecord) -> str:
    entities = [e.to_entity() for e in ctx.selection.entities.get(message.id, [])]
    text = message.text if ctx.reveal else mask_text(message.text, entities)
    return text + GLOSS_SEPARATOR + gloss(message.text).annotated


def _mentions(ctx: Context) -> dict[int, set[str]]:
    """message id -> the exported actors whose reputation evidence it is."""
    out: dict[int, set[str]] = {}
    for actor_id, actor in ctx.selection.actors.items():
        for mention in actor.profile.get("mentions", []):
            out.setdefault(int(mention["message_id"]), set()).add(ctx.actors[actor_id])
    return out


def _abstract(ctx: Context, message: MessageRecord) -> str:
    offer = ctx.selection.offers.get(message.offer_id) if message.offer_id else None
    if offer is not None:
        return offer.summary
    cats = ", ".join(message.categories) or "none"
    return f"Intent: {message.intent or 'unknown'}; categories: {cats}."


def note_objects(ctx: Context) -> list[StixObject]:
    mentions = _mentions(ctx)
    out = []
    for m in ctx.selection.messages:
        channel = ctx.selection.channels[m.channel_id]
        sid = stix_id("note", m.platform, channel.key, m.message_id)
        note = ctx.sdo("note", sid, m.posted_at, m.edited_at or m.posted_at)
        refs = [ctx.channels[m.channel_id]]
        if m.author_id is not None and m.author_id in ctx.accounts:
            refs.append(ctx.accounts[m.author_id])
        if m.actor_id is not None and m.actor_id in ctx.actors:
            refs.append(ctx.actors[m.actor_id])
        refs.extend(ctx.indicators.get(m.id, []))
        refs.extend(sorted(mentions.get(m.id, set()) - set(refs)))
        note.update(
            abstract=ctx.shown(_abstract(ctx, m)),
            content=note_content(ctx, m),
            object_refs=refs,
            external_references=[
                {
                    "source_name": "jianghu",
                    "external_id": f"{m.platform}:{channel.key}:{m.message_id}",
                }
            ],
        )
        if m.categories:
            note["labels"] = sorted(m.categories)
        out.append(note)
    return out
