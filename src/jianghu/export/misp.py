"""MISP export: a selection of the store as MISP events, and an optional push to MISP.

Mapping (docs/exports-misp.md has the full table and the reasons):

    jianghu record            MISP
    ------------------------  ------------------------------------------------------------
    selection / actor / offer one event (``per``): info is an English title, date and
                              timestamp those of its last message, tlp + dark-web tags
    message                   ``chat-message`` object: content (masked text) with the
                              English gloss as its comment, message-id, chat-id,
                              timestamp, protocol, language, user-account-id
    account on Telegram       ``telegram-account`` (id, username, first_name)
    account elsewhere         ``user-account`` (user-id, username, display-name)
    actor                     ``threat-actor`` attribute; reputation in its comment
    offer                     ``annotation`` object (summary) that summarizes its messages
    card number / masked PAN  ``credit-card``: cc-number masked 6+4 unless full_cards, iin
    wallet                    ``coin-address``: address + symbol BTC/ETH/TRX/XMR/LTC
    phone                     ``phone-number``, only with reveal (masked, it matches nothing)
    url, Telegram invite      ``url``;  domain, onion, public IP: ``domain-ip``
    @handle                   ``telegram-account`` (username)
    e-mail / QQ / WeChat      ``email`` attribute / ``text`` attributes (Social network)
    CVE, hashes               ``vulnerability``, ``md5``/``sha1``/``sha256`` attributes
    Chinese ID number         never exported as an attribute; masked in text unless reveal

Objects are built with PyMISP's bundled templates in strict mode. The same store gives
the same JSON: uuids are uuid5 of stable keys, timestamps come from the messages.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from jianghu.errors import ConfigError
from jianghu.export.misp_keys import Options, Part, actor_key, message_key
from jianghu.export.misp_push import MispPushError, PushResult, push_events
from jianghu.export.misp_tags import tlp_tag
from jianghu.faces.safe_text import terminal_safe
from jianghu.store.actors import ActorRow
from jianghu.store.offers import OfferRow
from jianghu.store.selection import MessageRecord, Selection

__all__ = ["GROUPINGS", "MispPushError", "PushResult", "misp_events", "push_events"]

GROUPINGS = ("export", "actor", "offer")
INSTALL_HINT = "the MISP export needs PyMISP: pip install 'jianghu[export]'"


def misp_events(
    selection: Selection,
    *,
    per: str = "export",
    reveal: bool = False,
    full_cards: bool = False,
    tlp: str = "amber",
) -> list[dict[str, Any]]:
    """MISP events (JSON-ready dicts, each ``{"Event": {...}}``) for the selection: one for
    the whole export, or one per actor or per offer in it. An empty selection gives none.

    ``reveal`` shows phone and ID numbers in message text and exports phone numbers;
    ``full_cards`` shows whole card numbers (in text and as cc-number). The caller logs a
    reveal (``Store.log_reveal``); this function has no store.
    """
    if per not in GROUPINGS:
        raise ValueError(f"per={per!r}: expected one of {', '.join(GROUPINGS)}")
    tlp_tag(tlp)  # refuse a bad level before any work
    try:
        from jianghu.export.misp_event import EventBuilder
    except ImportError as exc:
        if (exc.name or "").split(".")[0] != "pymisp":
            raise
        raise ConfigError(INSTALL_HINT) from exc
    options = Options(reveal=reveal, full_cards=full_cards, tlp=tlp)
    return [EventBuilder(selection, part, options).build() for part in _parts(selection, per)]


def _parts(selection: Selection, per: str) -> list[Part]:
    if not selection.messages:
        return []
    if per == "export":
        msgs = selection.messages
        return [Part(_export_key(selection), _export_title(selection), msgs,
                     _actors_of(selection, msgs), _offers_of(selection, msgs))]  # fmt: skip
    by_actor: dict[int, list[MessageRecord]] = defaultdict(list)
    by_offer: dict[int, list[MessageRecord]] = defaultdict(list)
    for m in selection.messages:
        if m.actor_id is not None:
            by_actor[m.actor_id].append(m)
        if m.offer_id is not None:
            by_offer[m.offer_id].append(m)
    parts = []
    if per == "actor":
        for actor_id, actor in sorted(selection.actors.items()):
            if msgs := by_actor.get(actor_id, []):
                title = f"jianghu: {_name(actor.name)} — {_count(len(msgs), 'message')}, "
                title += f"reputation {actor.reputation}"
                parts.append(Part(actor_key(selection, actor), title, msgs, [actor],
                                  _offers_of(selection, msgs)))  # fmt: skip
        return parts
    for offer_id, offer in sorted(selection.offers.items()):
        if msgs := by_offer.get(offer_id, []):
            # an offer by its first sighting: offer ids change each time offers are rebuilt
            parts.append(Part("offer:" + message_key(selection, msgs[0]),
                              f"jianghu offer: {offer.summary}", msgs,
                              _actors_of(selection, msgs), [offer]))  # fmt: skip
    return parts


def _export_key(selection: Selection) -> str:
    """The whole export by the messages in it: the same messages, the same event."""
    keys = "\n".join(message_key(selection, m) for m in selection.messages)
    return "export:" + hashlib.sha256(keys.encode()).hexdigest()


def _export_title(selection: Selection) -> str:
    msgs = selection.messages
    first, last = msgs[0].posted_at, msgs[-1].posted_at
    channels = len({m.channel_id for m in msgs})
    title = f"jianghu: {_count(len(msgs), 'message')} from {_count(channels, 'channel')}, "
    title += f"{first:%Y-%m-%d} to {last:%Y-%m-%d}"
    if selection.filters.category:
        title += f", category {selection.filters.category}"
    return title


def _actors_of(selection: Selection, msgs: Iterable[MessageRecord]) -> list[ActorRow]:
    ids = {m.actor_id for m in msgs if m.actor_id is not None}
    return [selection.actors[i] for i in sorted(ids) if i in selection.actors]


def _offers_of(selection: Selection, msgs: Iterable[MessageRecord]) -> list[OfferRow]:
    ids = {m.offer_id for m in msgs if m.offer_id is not None}
    return [selection.offers[i] for i in sorted(ids) if i in selection.offers]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _name(name: str) -> str:
    """A name criminals chose, on one line with control characters made visible."""
    shown = terminal_safe(name, keep_newlines=False)
    return shown if len(shown) <= 60 else shown[:59] + "…"
