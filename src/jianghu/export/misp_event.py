"""One MISP event, built with PyMISP from a part of a selection.

Every uuid is a uuid5 of the event's uuid and a stable key (so the same store exports the
same JSON, and an indicator shared by two events is two MISP objects, as MISP wants
uuids unique on an instance), and every timestamp comes from the messages, never from
the clock: PyMISP drops the timestamp of anything marked edited, so each attribute is
created with its uuid, timestamp and tags in one call and the event and objects force
theirs.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from pymisp import MISPAttribute, MISPEvent, MISPObject

from jianghu.analysis.entities import mask
from jianghu.analysis.entities.masking import MASKED_TYPES
from jianghu.analysis.gloss import gloss
from jianghu.export.misp_indicators import SEEN_TEMPLATES, Indicator, indicator
from jianghu.export.misp_keys import (
    NAMESPACE,
    Options,
    Part,
    account_keys,
    actor_key,
    child_uuid,
    message_key,
    utc,
)
from jianghu.export.misp_tags import dark_web_tags, tlp_tag
from jianghu.faces.masking import mask_text
from jianghu.store.actors import ActorRow
from jianghu.store.base import StoredEntity
from jianghu.store.offers import OfferRow
from jianghu.store.selection import AccountRecord, MessageRecord, Selection

_PROTOCOLS = {"telegram": "Telegram", "discord": "Discord", "whatsapp": "WhatsApp"}
_THREAT_LEVEL_UNDEFINED = 4  # what the market means to the analyst's organisation is theirs
_ANALYSIS_INITIAL = 0  # machine-made: an analyst has not reviewed it yet
_DISTRIBUTION_ORG_ONLY = 0  # shared only when an analyst decides to
_INHERIT = 5  # objects take the event's distribution


def hidden_types(options: Options) -> frozenset[str]:
    """Victims' data masked in message text: phones and ID numbers unless ``reveal``,
    card numbers unless ``full_cards``."""
    hidden = set() if options.reveal else set(MASKED_TYPES)
    if not options.full_cards:
        hidden.add("card_number")
    return frozenset(hidden)


def english_gloss(text: str, entities: Iterable[StoredEntity], memo: dict[str, str]) -> str:
    """The English gloss, victims' data always masked: gloss masks what it finds itself,
    and what the store found is masked again in case the two ever disagree. Reposts repeat
    a text exactly, so ``memo`` glosses each text once."""
    annotated = memo.get(text) or memo.setdefault(text, gloss(text).annotated)
    for e in entities:
        if e.type in MASKED_TYPES and e.value:
            annotated = annotated.replace(e.value, mask(e.to_entity()))
    return annotated


class EventBuilder:
    def __init__(self, selection: Selection, part: Part, options: Options) -> None:
        self.selection = selection
        self.part = part
        self.options = options
        self.uuid = child_uuid(NAMESPACE, part.key)
        self.event = MISPEvent(force_timestamps=True)
        self.actor_uuids: dict[int, str] = {}
        self.account_uuids: dict[int, str] = {}
        self.message_uuids: dict[int, str] = {}
        self.refs: set[str] = set()
        self.glosses: dict[str, str] = {}
        # each account's, actor's and offer's messages in this event, in time order
        self.by_author = _group(part.messages, lambda m: m.author_id)
        self.by_actor = _group(part.messages, lambda m: m.actor_id)
        self.by_offer = _group(part.messages, lambda m: m.offer_id)
        self.accounts = self._accounts()
        self.account_keys = account_keys(self.accounts)
        self.account_key_set = set(self.account_keys.values())

    def build(self) -> dict[str, Any]:
        self._header()
        for actor in self.part.actors:
            self._actor(actor)
        for account in self.accounts:
            self._account(account)
        found = self._indicators()
        for m in self.part.messages:
            self._message(m, found.get(m.id, []))
        for ind, seen in self._mentions(found).values():
            self._indicator(ind, seen)
        for offer in self.part.offers:
            self._offer(offer)
        return {"Event": json.loads(self.event.to_json())}

    # ---- records --------------------------------------------------------------------------
    def _header(self) -> None:
        last = utc(self.part.messages[-1].posted_at)
        ev = self.event
        ev.uuid = self.uuid
        ev.info = self.part.info
        ev.set_date(last.date())
        ev.timestamp = last
        ev.published = False
        ev.distribution = _DISTRIBUTION_ORG_ONLY
        ev.threat_level_id = _THREAT_LEVEL_UNDEFINED
        ev.analysis = _ANALYSIS_INITIAL
        tags = {t for m in self.part.messages for t in dark_web_tags(m)}
        for tag in [tlp_tag(self.options.tlp), *sorted(tags)]:
            ev.add_tag(tag)

    def _actor(self, actor: ActorRow) -> None:
        mine = self.by_actor.get(actor.id)
        when = utc(mine[-1].posted_at if mine else actor.last_seen)
        attr = self.event.add_attribute(
            "threat-actor",
            actor.name,
            uuid=child_uuid(self.uuid, actor_key(self.selection, actor)),
            timestamp=when,
            category="Attribution",
            comment=_actor_comment(actor),
        )
        assert isinstance(attr, MISPAttribute)  # one value gives one attribute
        self.actor_uuids[actor.id] = attr.uuid

    def _accounts(self) -> list[AccountRecord]:
        found = [a for i in self.by_author if (a := self.selection.accounts.get(i)) is not None]
        return sorted(found, key=lambda a: (a.platform, a.key))

    def _account(self, account: AccountRecord) -> None:
        mine = self.by_author[account.id]
        when = utc(mine[-1].posted_at)
        platform = _PROTOCOLS.get(account.platform, account.platform)
        names = ", ".join(account.names) or "none"
        comment = f"{platform} account that posted {len(mine)} message(s); names seen: {names}"
        if account.platform == "telegram":
            obj = self._object("telegram-account", self.account_keys[account.id], when, comment)
            self._add(obj, "id", _telegram_id(account.platform_id or account.key), when)
            self._add(obj, "username", (account.handle or "").lstrip("@"), when)
            self._add(obj, "first_name", account.display_name, when)
        else:
            obj = self._object("user-account", self.account_keys[account.id], when, comment)
            self._add(obj, "user-id", account.platform_id or account.key, when)
            self._add(obj, "username", account.handle, when)
            self._add(obj, "display-name", account.display_name, when)
            self._add(obj, "account-type", account.platform, when)
        actor = next((m.actor_id for m in mine if m.actor_id in self.actor_uuids), None)
        if actor is not None:
            self._refer(obj, self.actor_uuids[actor], "belongs-to", when)
        self.account_uuids[account.id] = obj.uuid

    def _indicators(self) -> dict[int, list[Indicator]]:
        """Each message's exported indicators, in text order, without repeats."""
        out: dict[int, list[Indicator]] = {}
        for m in self.part.messages:
            inds: dict[str, Indicator] = {}
            for e in sorted(self.selection.entities.get(m.id, []), key=lambda e: e.start):
                ind = indicator(e, reveal=self.options.reveal, full_cards=self.options.full_cards)
                if ind is not None:
                    inds.setdefault(ind.key, ind)
            out[m.id] = list(inds.values())
        return out

    def _mentions(
        self, found: dict[int, list[Indicator]]
    ) -> dict[str, tuple[Indicator, list[datetime]]]:
        """Each indicator (by key: the first one found stands for the others) with the
        times of the messages that mention it."""
        seen: dict[str, tuple[Indicator, list[datetime]]] = {}
        for m in self.part.messages:
            for ind in found.get(m.id, []):
                seen.setdefault(ind.key, (ind, []))[1].append(utc(m.posted_at))
        return seen

    def _message(self, m: MessageRecord, inds: list[Indicator]) -> None:
        when = utc(m.posted_at)
        entities = self.selection.entities.get(m.id, [])
        obj = self._object("chat-message", message_key(self.selection, m), when, self._about(m))
        channel = self.selection.channels.get(m.channel_id)
        author = self.selection.accounts.get(m.author_id) if m.author_id is not None else None
        self._add(obj, "message-id", m.message_id, when)
        self._add(obj, "timestamp", when, when)
        self._add(obj, "protocol", _PROTOCOLS.get(m.platform, m.platform), when)
        self._add(obj, "chat-id", channel.platform_id if channel else None, when)
        self._add(obj, "user-account-id", author.platform_id if author else None, when)
        self._add(obj, "reply-to-message-id", m.reply_to, when)
        self._add(obj, "language", m.language, when)
        hidden = hidden_types(self.options)
        text = mask_text(m.text, [e.to_entity() for e in entities if e.type in hidden])
        tags = [{"name": t} for t in dark_web_tags(m)]
        gloss_text = english_gloss(m.text, entities, self.glosses)
        self._add(obj, "content", text, when, comment=f"English gloss: {gloss_text}", Tag=tags)
        if m.author_id in self.account_uuids:
            self._refer(obj, self.account_uuids[m.author_id], "authored-by", when)
        for ind in inds:
            self._refer(obj, child_uuid(self.uuid, ind.key), "mentions", when)
        self.message_uuids[m.id] = obj.uuid

    def _indicator(self, ind: Indicator, seen: list[datetime]) -> None:
        first, last = min(seen), max(seen)
        comment = f"{ind.label}, in {len(seen)} message(s)"
        extra: dict[str, Any] = {"to_ids": False, "disable_correlation": True} if ind.masked else {}
        if ind.template is None:  # MISP has no object for it: a plain attribute
            [(misp_type, value)] = ind.values
            self.event.add_attribute(misp_type, value, uuid=child_uuid(self.uuid, ind.key),
                                     timestamp=last, category=ind.category, comment=comment,
                                     first_seen=first, last_seen=last)  # fmt: skip
            return
        if ind.key in self.account_key_set:
            return  # the poster's own handle: already the account's object
        obj = self._object(ind.template, ind.key, last, comment)
        for relation, value in ind.values:
            self._add(obj, relation, value, last, **(extra if relation == "cc-number" else {}))
        if ind.template in SEEN_TEMPLATES:
            self._add(obj, "first-seen", first, last)
            self._add(obj, "last-seen", last, last)

    def _offer(self, offer: OfferRow) -> None:
        mine = self.by_offer.get(offer.id)
        if not mine:
            return
        when = utc(mine[-1].posted_at)
        key = "offer:" + message_key(self.selection, mine[0])
        obj = self._object("annotation", key, when, "jianghu offer (near-duplicate ads as one)")
        categories = ", ".join(offer.categories) or "none"
        self._add(obj, "text", f"{offer.summary} Categories: {categories}.", when)
        self._add(obj, "type", "Annotation", when)
        self._add(obj, "format", "text", when)
        for m in mine:
            self._refer(obj, self.message_uuids[m.id], "summarizes", when)

    # ---- PyMISP plumbing ------------------------------------------------------------------
    def _object(self, template: str, key: str, when: datetime, comment: str) -> MISPObject:
        obj = MISPObject(template, strict=True, standalone=False, force_timestamps=True)
        obj.uuid = child_uuid(self.uuid, key)
        obj.timestamp = when
        obj.comment = comment
        obj.distribution = _INHERIT
        self.event.add_object(obj)
        return obj

    def _add(
        self, obj: MISPObject, relation: str, value: Any, when: datetime, **extra: Any
    ) -> None:
        if value is None or value == "":
            return
        shown = value.isoformat() if isinstance(value, datetime) else str(value)
        key = f"{relation}={shown}"
        obj.add_attribute(relation, value=value, uuid=child_uuid(obj.uuid, key), timestamp=when,
                          **extra)  # fmt: skip

    def _refer(self, obj: MISPObject, target: str, relationship: str, when: datetime) -> None:
        ref_uuid = child_uuid(obj.uuid, f"{relationship}>{target}")
        if ref_uuid in self.refs:
            return
        self.refs.add(ref_uuid)
        obj.add_reference(target, relationship, uuid=ref_uuid, timestamp=when)

    def _about(self, m: MessageRecord) -> str:
        channel = self.selection.channels.get(m.channel_id)
        where = f"{channel.kind} {channel.name or channel.platform_id!r}" if channel else "chat"
        about = f"{_PROTOCOLS.get(m.platform, m.platform)} message in {where}; "
        about += f"intent {m.intent or 'unknown'}; categories {', '.join(m.categories) or 'none'}"
        if m.forwarded_from:
            about += f"; forwarded from {m.forwarded_from}"
        return about


def _group(
    messages: Iterable[MessageRecord], key: Callable[[MessageRecord], int | None]
) -> dict[int, list[MessageRecord]]:
    out: dict[int, list[MessageRecord]] = defaultdict(list)
    for m in messages:
        k = key(m)
        if k is not None:
            out[k].append(m)
    return dict(out)


def _telegram_id(platform_id: str) -> str:
    """Telegram's numeric user id: exports write it as ``user123``."""
    rest = platform_id.removeprefix("user")
    return rest if rest.isdigit() else platform_id


def _actor_comment(actor: ActorRow) -> str:
    flags = sorted({str(f.get("kind")) for f in actor.profile.get("flags", [])})
    factors = ", ".join(f"{f.get('name')} {float(f.get('points', 0)):+g}" for f in actor.factors)
    return (
        f"jianghu actor {actor.id}: reputation {actor.reputation}/100 ({factors or 'no factors'}); "
        f"{actor.messages} message(s), {utc(actor.first_seen):%Y-%m-%d} to "
        f"{utc(actor.last_seen):%Y-%m-%d}; categories {', '.join(actor.categories) or 'none'}; "
        f"flags {', '.join(flags) or 'none'}"
    )
