"""Indicators: wallets, domains, URLs, e-mail addresses and (revealed) phone numbers.

STIX 2.1 has no SCO for a cryptocurrency wallet or a phone number, and OASIS has published
no extension for either; their patterns use custom object types with the ``x-`` prefix
(``x-cryptocurrency-wallet:address``, ``x-phone-number:value``), which the specification
allows in patterns and the OASIS validator accepts without a warning. The rest use core
SCOs (``domain-name``, ``url``, ``email-addr``).

A phone number is victims' data: masked it would be no indicator, so phone indicators
exist only when the analyst reveals. Card and ID numbers never become indicators.

An indicator ``indicates`` the threat actor that gave it as its own in a trade ad (sell
or recruit, not forwarded, not an exposure, as the actor linker reads own contacts); for
an actor exported as an identity the relationship is ``related-to``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from jianghu.export.stix_common import Context, StixObject, pattern_literal, stix_id
from jianghu.store.selection import MessageRecord

# entity type -> (pattern object path, what the indicator is called)
PATTERNS: dict[str, tuple[str, str]] = {
    "btc_address": ("x-cryptocurrency-wallet:address", "Bitcoin wallet"),
    "eth_address": ("x-cryptocurrency-wallet:address", "Ethereum wallet"),
    "tron_address": ("x-cryptocurrency-wallet:address", "TRON wallet"),
    "xmr_address": ("x-cryptocurrency-wallet:address", "Monero wallet"),
    "ltc_address": ("x-cryptocurrency-wallet:address", "Litecoin wallet"),
    "domain": ("domain-name:value", "Domain"),
    "onion": ("domain-name:value", "Tor onion service"),
    "url": ("url:value", "URL"),
    "email": ("email-addr:value", "E-mail address"),
    "phone": ("x-phone-number:value", "Phone number"),
}
REVEAL_ONLY = frozenset({"phone"})
# Whose contact a message gives: sellers and recruiters post their own; a buyer's request
# often names the seller it wants (jianghu.store.actors reads own contacts the same way).
OWN_INTENTS = frozenset({"sell", "recruit"})


def pattern(entity_type: str, value: str) -> str:
    path, _ = PATTERNS[entity_type]
    return f"[{path} = {pattern_literal(value)}]"


@dataclass
class _Sightings:
    entity_type: str
    value: str
    times: list[datetime] = field(default_factory=list)
    channels: set[int] = field(default_factory=set)
    own: dict[int, list[datetime]] = field(default_factory=dict)  # actor id -> own ads


def _own(message: MessageRecord) -> bool:
    return (
        message.intent in OWN_INTENTS
        and message.forwarded_from is None
        and "scam_report" not in message.categories
    )


def _sightings(ctx: Context) -> dict[str, _Sightings]:
    """Indicator patterns of the selection with where and when each was seen."""
    found: dict[str, _Sightings] = {}
    for m in ctx.selection.messages:
        for e in ctx.selection.entities.get(m.id, []):
            if e.type not in PATTERNS or (e.type in REVEAL_ONLY and not ctx.reveal):
                continue
            key = pattern(e.type, e.normalized)
            s = found.setdefault(key, _Sightings(e.type, e.normalized))
            s.times.append(m.posted_at)
            s.channels.add(m.channel_id)
            if m.actor_id is not None and _own(m):
                s.own.setdefault(m.actor_id, []).append(m.posted_at)
            refs = ctx.indicators.setdefault(m.id, [])
            sid = stix_id("indicator", key)
            if sid not in refs:
                refs.append(sid)
    return found


def indicator_objects(ctx: Context) -> list[StixObject]:
    out: list[StixObject] = []
    for key, s in sorted(_sightings(ctx).items()):
        sid = stix_id("indicator", key)
        first, last = min(s.times), max(s.times)
        obj = ctx.sdo("indicator", sid, first, last)
        label = PATTERNS[s.entity_type][1]
        owners = [a for a in sorted(s.own) if a in ctx.actors]
        obj.update(
            name=f"{label} {s.value}",
            description=_description(ctx, s, label, owners),
            indicator_types=["malicious-activity", "attribution"]
            if owners
            else ["malicious-activity"],
            pattern=key,
            pattern_type="stix",
            pattern_version="2.1",
            valid_from=obj["created"],
        )
        out.append(obj)
        out.extend(_owner_links(ctx, s, sid, owners))
    return out


def _description(ctx: Context, s: _Sightings, label: str, owners: list[int]) -> str:
    text = (
        f"{label} seen in {len(s.times)} message(s) in {len(s.channels)} channel(s) of the "
        f"export, first {min(s.times).date()}, last {max(s.times).date()}."
    )
    if owners:
        names = ", ".join(ctx.shown(ctx.selection.actors[a].name) for a in owners)
        text += f" Given as their own in trade ads by: {names}."
    return text


def _owner_links(ctx: Context, s: _Sightings, sid: str, owners: list[int]) -> list[StixObject]:
    out = []
    for actor_id in owners:
        target = ctx.actors[actor_id]
        kind = "indicates" if target.startswith("threat-actor--") else "related-to"
        times = s.own[actor_id]
        out.append(
            ctx.relationship(
                kind,
                sid,
                target,
                (min(times), max(times)),
                f"Given as the actor's own in {len(times)} trade ad(s) (sell or recruit).",
            )
        )
    return out
