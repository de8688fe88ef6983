"""Channels, accounts and actors as STIX objects.

- A channel is an ``identity`` of class ``group``: the people who post there. It is what
  each message note points at for "where", and STIX has no chat-room object.
- An account is a ``user-account`` SCO (stix2 derives its UUIDv5 from account type, user
  id and login, as the specification says).
- An actor is a ``threat-actor`` (type ``criminal``) when it advertises (an offer to sell,
  buy or recruit) or has been exposed as a scammer, and an ``identity`` of class
  ``individual`` otherwise (buyers, victims, escrow staff who only vouch or accuse). Its
  accounts are ``related-to`` it.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from jianghu.export.stix_common import Context, StixObject, load_stix2, stix_id, timestamp
from jianghu.store.actors import ActorRow
from jianghu.store.selection import AccountRecord, ChannelRecord

# Mentions of an actor's identifiers that count against it (see intel.reputation).
EXPOSURE_KINDS = frozenset({"exposure", "verdict"})


def channel_objects(ctx: Context) -> list[StixObject]:
    seen: dict[int, list[datetime]] = {}
    for m in ctx.selection.messages:
        seen.setdefault(m.channel_id, []).append(m.posted_at)
    out = []
    for cid, channel in sorted(ctx.selection.channels.items()):
        times = seen.get(cid)
        if not times:
            continue
        sid = stix_id("identity", "channel", channel.platform, channel.key)
        ctx.channels[cid] = sid
        obj = ctx.sdo("identity", sid, min(times), max(times))
        obj.update(
            name=ctx.shown(channel.name or channel.key),
            identity_class="group",
            description=_channel_description(channel),
        )
        out.append(obj)
    return out


def _channel_description(channel: ChannelRecord) -> str:
    return (
        f"{channel.platform.capitalize()} {channel.kind.replace('_', ' ')} "
        f"(platform id {channel.platform_id}, jianghu key {channel.key}): a place where the "
        "exported messages were posted."
    )


def account_type(platform: str) -> str:
    """The platform as an open-vocabulary value: lower case, words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", platform.lower()).strip("-") or "unknown"


def account_objects(ctx: Context) -> list[StixObject]:
    stix2 = load_stix2()
    out = []
    for aid, account in sorted(ctx.selection.accounts.items()):
        props = _account_props(ctx, account)
        # stix2 computes the SCO's UUIDv5 from its id-contributing properties.
        sco = stix2.v21.UserAccount(**props, allow_custom=False)
        ctx.accounts[aid] = str(sco.id)
        out.append({"type": "user-account", "spec_version": "2.1", "id": str(sco.id), **props})
    return out


def _account_props(ctx: Context, account: AccountRecord) -> dict[str, Any]:
    props: dict[str, Any] = {
        "account_type": account_type(account.platform),
        "user_id": ctx.shown(account.platform_id or account.key),
    }
    if account.handle:
        props["account_login"] = ctx.shown(account.handle)
    if account.display_name:
        props["display_name"] = ctx.shown(account.display_name)
    props["object_marking_refs"] = [ctx.marking_ref]
    return props


def _accounts(actor: ActorRow) -> list[dict[str, Any]]:
    accounts: list[dict[str, Any]] = actor.profile.get("accounts", [])
    return accounts


def is_threat_actor(actor: ActorRow) -> bool:
    """Advertises (an offer to sell, buy or recruit) or was exposed by others."""
    exposed = any(m.get("kind") in EXPOSURE_KINDS for m in actor.profile.get("mentions", []))
    return int(actor.profile.get("offers", 0)) > 0 or exposed


def actor_key(actor: ActorRow) -> tuple[str, ...]:
    """The actor's stable key: its first account by (platform, key). The store's actor
    number changes when actors are rebuilt; an account stays with its actor unless an
    analyst splits it off."""
    accounts = sorted((str(a["platform"]), str(a["key"])) for a in _accounts(actor))
    return accounts[0] if accounts else ("name", actor.name)


def actor_objects(ctx: Context) -> list[StixObject]:
    out: list[StixObject] = []
    for aid, actor in sorted(ctx.selection.actors.items()):
        kind = "threat-actor" if is_threat_actor(actor) else "identity"
        sid = stix_id(kind, "actor", *actor_key(actor))
        ctx.actors[aid] = sid
        obj = ctx.sdo(kind, sid, actor.first_seen, actor.last_seen)
        obj["name"] = ctx.shown(actor.name)
        obj["description"] = ctx.shown(actor_description(actor))
        aliases = _aliases(ctx, actor, obj["name"])
        if kind == "threat-actor":
            obj.update(threat_actor_types=["criminal"], first_seen=obj["created"])
            obj["last_seen"] = obj["modified"]
            if aliases:
                obj["aliases"] = aliases
        else:
            obj["identity_class"] = "individual"
        if actor.categories:
            obj["labels"] = sorted(actor.categories)
        obj["external_references"] = [{"source_name": "jianghu", "external_id": f"actor:{aid}"}]
        out.append(obj)
        out.extend(_account_links(ctx, actor, sid))
    return out


def _aliases(ctx: Context, actor: ActorRow, name: str) -> list[str]:
    """Every display name and @handle its accounts used, and the Telegram handles it gave
    as its own contact; the actor's name itself is not an alias of it."""
    names: set[str] = set()
    for account in _accounts(actor):
        names.update(str(n["name"]) for n in account.get("names", []) if n.get("name"))
        if account.get("display_name"):
            names.add(str(account["display_name"]))
        if account.get("handle"):
            names.add(f"@{account['handle']}")
    for ident in actor.profile.get("identifiers", []):
        if ident.get("type") == "telegram_handle":
            names.add(f"@{ident['value']}")
    return sorted({ctx.shown(n) for n in names} - {name})


def actor_description(actor: ActorRow) -> str:
    lines = [
        f"Reputation {actor.reputation} on jianghu's 0-100 scale (50 = no evidence either "
        f"way); {actor.messages} message(s) from {len(_accounts(actor))} "
        f"account(s), first seen {timestamp(actor.first_seen)}, last seen "
        f"{timestamp(actor.last_seen)}.",
    ]
    if actor.factors:
        lines.append("Reputation factors: " + "; ".join(_factor(f) for f in actor.factors) + ".")
    if actor.categories:
        lines.append("Categories: " + ", ".join(actor.categories) + ".")
    items = actor.profile.get("items") or {}
    if items:
        lines.append("Offers: " + "; ".join(_item(k, v) for k, v in sorted(items.items())) + ".")
    for flag in actor.profile.get("flags", []):
        lines.append(f"Flag ({flag.get('kind')}): {flag.get('detail')}.")
    return "\n".join(lines)


def _factor(f: dict[str, Any]) -> str:
    return f"{f['name']} {float(f['points']):+.1f} ({f.get('detail', '')})"


def _item(name: str, item: dict[str, Any]) -> str:
    low, high = item.get("min_usd"), item.get("max_usd")
    price = f", ${low:.2f}-${high:.2f}" if low is not None and high is not None else ""
    return f"{name} ({item.get('offers', 0)} offer(s){price})"


def _account_links(ctx: Context, actor: ActorRow, actor_ref: str) -> list[StixObject]:
    """``user-account --related-to--> actor`` for its accounts in the export, with the
    evidence that joined them (jianghu's links carry message ids)."""
    out = []
    for account_id in sorted(actor.account_ids):
        ref = ctx.accounts.get(account_id)
        if ref is None:  # an account of the actor that posted nothing selected
            continue
        kinds = sorted(
            {str(k["kind"]) for k in actor.profile.get("links", []) if account_id in k["accounts"]}
        )
        why = f"; linked to its other accounts by {', '.join(kinds)}" if kinds else ""
        out.append(
            ctx.relationship(
                "related-to",
                ref,
                actor_ref,
                (actor.first_seen, actor.last_seen),
                f"Account used by this actor{why}.",
            )
        )
    return out
