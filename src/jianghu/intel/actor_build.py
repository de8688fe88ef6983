"""Build actors and their reputation from the store: gather the evidence, link accounts
(``actors``), score (``reputation``), assemble profiles, replace the actor tables.

Run after ``offers build`` (shared ads are evidence). Analysts' joins and splits are read
from the store and applied on every build, so they survive re-analysis.

The evidence that grows with the messages (``Evidence``, and the mentions of owned
identifiers) is read here by ``build_actors``, or by a cluster's workers
(``jianghu.scale.actors_dask``); both hand it to ``actors_from_evidence``.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from jianghu.intel.actors import Flag, Link, Use, link_accounts
from jianghu.intel.reputation import ESCROW_CHANNEL, Facts, Mention, mention_kind, score
from jianghu.store.actors import (
    Account,
    AccountActivity,
    ActorRow,
    MentionRow,
    OfferOfAuthor,
    accounts,
    activity,
    decisions,
    deposit_claims,
    forward_uses,
    identifier_uses,
    iter_identifier_mentions,
    names_over_time,
    offer_price_spreads,
    offer_uses,
    offers_by_author,
    replace_actors,
)
from jianghu.store.base import Store

Step = Callable[[str], None]


@dataclass
class ActorBuildReport:
    accounts: int = 0
    actors: int = 0
    multi_account_actors: int = 0
    links: int = 0
    hubs: int = 0
    lookalikes: int = 0
    reassigned_handles: int = 0

    def to_json(self) -> dict[str, object]:
        return dict(vars(self))


def merge_activity(parts: list[AccountActivity]) -> AccountActivity:
    """One account's (or actor's) activity from its parts, in their order: the tables keep
    the order in which each key was first seen."""
    out = AccountActivity(min(p.first for p in parts), max(p.last for p in parts))
    for p in parts:
        out.messages += p.messages
        out.channels |= p.channels
        for table, into in (
            (p.weeks, out.weeks),
            (p.languages, out.languages),
            (p.categories, out.categories),
        ):
            for k, v in table.items():
                into[k] = into.get(k, 0) + v
    return out


@dataclass
class Evidence:
    """What linking and scoring read that grows with the messages (each list in message
    order): the rest of what a build reads grows with accounts, offers or channels."""

    own: list[Use]  # contacts and wallets posted as one's own
    offers: list[Use]  # ads posted by several accounts
    forwards: list[Use]
    activity: dict[int, AccountActivity]
    claims: dict[int, list[int]]  # account → messages claiming a deposit


Identifier = tuple[str, str]  # (entity type, normalised value)
Mentions = dict[Identifier, list[Mention]]
# The mentions of these owned identifiers by anyone (the builder drops the actor's own).
MentionsOf = Callable[[list[Identifier]], Mentions]


def read_evidence(store: Store) -> Evidence:
    return Evidence(
        own=identifier_uses(store),
        offers=offer_uses(store),
        forwards=forward_uses(store),
        activity=activity(store),
        claims=deposit_claims(store),
    )


def add_mentions(rows: Iterable[MentionRow], into: Mentions) -> Mentions:
    """Mentions by identifier, in the order of ``rows``, with what each says of its
    subject; one that says nothing (``mention_kind`` None) never counts and is left out,
    and so is every text."""
    for m in rows:
        kind = mention_kind(m.channel, m.categories, m.text)
        if kind is not None:
            into.setdefault((m.type, m.normalized), []).append(
                Mention(m.message_id, m.author_id, m.channel, m.posted_at, kind)
            )
    return into


def build_actors(store: Store, step: Step | None = None) -> ActorBuildReport:
    say = step or (lambda _: None)
    say("reading accounts and evidence")
    evidence = read_evidence(store)

    def mentions_of(owned: list[Identifier]) -> Mentions:
        found: Mentions = {}
        for rows in iter_identifier_mentions(store, owned):
            add_mentions(rows, found)
        return found

    return actors_from_evidence(store, evidence, mentions_of, say)


def actors_from_evidence(
    store: Store, evidence: Evidence, mentions_of: MentionsOf, say: Step
) -> ActorBuildReport:
    """Link, score and store the actors (the build after the evidence is gathered, in
    this process or on a cluster)."""
    accs = {a.id: a for a in accounts(store)}
    own = evidence.own
    uses: list[Use] = [*own, *evidence.offers, *evidence.forwards]
    joins, splits = decisions(store)
    say(f"linking {len(accs)} accounts")
    linking = link_accounts(accs, uses, joins, splits)
    members: dict[int, list[int]] = defaultdict(list)
    for acc, actor in linking.actor_of.items():
        if acc in accs:
            members[actor].append(acc)
    hubs = {f.key for f in linking.flags if f.kind == "hub"}
    idents = _owned_identifiers(own, linking.actor_of, hubs)
    say("reading mentions, activity and offers")
    owned = sorted({key for per_actor in idents.values() for key in per_actor})
    mentions_by_id = mentions_of(owned)
    acts = evidence.activity
    channel_names = {
        int(r[0]): str(r[1]) for r in store._all("SELECT id, coalesce(name, key) FROM channels")
    }
    names = names_over_time(store)
    claims = evidence.claims
    offers = offers_by_author(store)
    spreads = offer_price_spreads(store)
    say(f"scoring {len(members)} actors")
    rows = []
    for actor_id, accounts_of in sorted(members.items()):
        parts = [acts[a] for a in accounts_of if a in acts]
        if not parts:
            continue  # an account with no messages of its own (a forward source only)
        act = merge_activity(parts)
        mine = set(accounts_of)
        seen_msgs: set[int] = set()
        mentions: list[Mention] = []
        for key in idents.get(actor_id, {}):
            for m in mentions_by_id.get(key, []):
                if m.author in mine or m.message_id in seen_msgs:
                    continue
                seen_msgs.add(m.message_id)
                mentions.append(m)
        own_offers = [o for a in accounts_of for o in offers.get(a, [])]
        offer_spreads = [spreads[o[0]] for o in own_offers if o[0] in spreads]
        facts = Facts(
            first_seen=act.first,
            last_seen=act.last,
            active_weeks=len(act.weeks),
            channels=len(act.channels),
            claimed_deposits=[i for a in accounts_of for i in claims.get(a, [])],
            mentions=mentions,
            price_spread=statistics.median(offer_spreads) if offer_spreads else None,
            escrow_channels=sum(
                1 for c in act.channels if ESCROW_CHANNEL.search(channel_names.get(c, ""))
            ),
        )
        reputation, factors = score(facts)
        rows.append(
            ActorRow(
                id=actor_id,
                name=_name(accs, acts, accounts_of),
                account_ids=tuple(sorted(accounts_of)),
                reputation=reputation,
                messages=act.messages,
                first_seen=act.first,
                last_seen=act.last,
                categories=tuple(c for c, _ in Counter(act.categories).most_common()),
                profile=_profile(
                    accs,
                    acts,
                    names,
                    accounts_of,
                    act,
                    idents.get(actor_id, {}),
                    own_offers,
                    linking.links,
                    linking.flags,
                    mentions,
                    channel_names,
                ),
                factors=[f.to_json() for f in factors],
            )
        )
    replace_actors(store, rows)
    return ActorBuildReport(
        accounts=len(accs),
        actors=len(rows),
        multi_account_actors=sum(1 for r in rows if len(r.account_ids) > 1),
        links=len(linking.links),
        hubs=len(hubs),
        lookalikes=sum(1 for f in linking.flags if f.kind == "lookalike"),
        reassigned_handles=sum(1 for f in linking.flags if f.kind == "reassigned_handle"),
    )


Owned = dict[int, dict[tuple[str, str], list[Use]]]


def _owned_identifiers(own: list[Use], actor_of: dict[int, int], hubs: set[str]) -> Owned:
    """Each identifier belongs to the actor that posted it most as its own contact: an
    escrow notice or a reseller's repost names a vendor's handle too, and the vendor's
    exposures and vouches must not land on them. A tie belongs to nobody; hubs to nobody."""
    uses: dict[tuple[str, str], dict[int, list[Use]]] = defaultdict(lambda: defaultdict(list))
    for u in own:
        if f"{u.kind}:{u.key}" not in hubs:
            uses[(u.kind, u.key)][actor_of[u.account]].append(u)
    out: Owned = defaultdict(dict)
    for key, by_actor in uses.items():
        ranked = sorted(by_actor.items(), key=lambda kv: -len(kv[1]))
        if len(ranked) > 1 and len(ranked[0][1]) == len(ranked[1][1]):
            continue
        actor, messages = ranked[0]
        out[actor][key] = messages
    return out


def _name(accs: dict[int, Account], acts: dict[int, AccountActivity], ids: list[int]) -> str:
    busiest = max(ids, key=lambda a: (acts[a].messages if a in acts else 0, -a))
    acc = accs[busiest]
    return acc.display_name or acc.handle or acc.key


def _profile(
    accs: dict[int, Account],
    acts: dict[int, AccountActivity],
    names: dict[int, list[Any]],
    ids: list[int],
    act: AccountActivity,
    idents: dict[tuple[str, str], list[Use]],
    own_offers: list[OfferOfAuthor],
    links: list[Link],
    flags: list[Flag],
    mentions: list[Mention],
    channel_names: dict[int, str],
) -> dict[str, Any]:
    mine = set(ids)
    items: dict[str, list[float]] = defaultdict(list)
    regions: Counter[str] = Counter()
    for _, cats, item, where, price, _unit in own_offers:
        key = f"{cats.split(',')[0]}/{item}"
        items.setdefault(key, [])
        if price is not None:
            items[key].append(price)
        regions.update(r for r in where.split(",") if r)
    return {
        "accounts": [
            {
                "id": a,
                "platform": accs[a].platform,
                "key": accs[a].key,
                "display_name": accs[a].display_name,
                "handle": accs[a].handle,
                "messages": acts[a].messages if a in acts else 0,
                "names": [
                    {"name": n, "first_seen": f.isoformat(), "last_seen": la.isoformat()}
                    for n, f, la in names.get(a, [])
                ],
            }
            for a in sorted(ids)
        ],
        "channels": len(act.channels),
        "channel_names": sorted(channel_names.get(c, str(c)) for c in act.channels),
        "platforms": sorted({accs[a].platform for a in ids}),
        "activity_by_week": dict(sorted(act.weeks.items())),
        "languages": act.languages,
        "categories": act.categories,
        "offers": len({o[0] for o in own_offers}),
        "items": {
            k: {
                "offers": len(v) or 1,
                "min_usd": min(v) if v else None,
                "max_usd": max(v) if v else None,
            }
            for k, v in sorted(items.items())
        },
        "regions": dict(regions.most_common()),
        "identifiers": [
            {
                "type": k,
                "value": v,
                "first_seen": min(u.at for u in us).isoformat(),
                "last_seen": max(u.at for u in us).isoformat(),
                "messages": sorted({u.message_id for u in us})[:20],
            }
            for (k, v), us in sorted(idents.items())
        ],
        "links": [
            {
                "accounts": [x.a, x.b],
                "kind": x.kind,
                "identifier": x.key,
                "strength": x.strength,
                "message_ids": x.message_ids[:20],
            }
            for x in links
            if x.a in mine and x.b in mine
        ],
        "flags": [
            {"kind": f.kind, "identifier": f.key, "accounts": f.accounts, "detail": f.detail}
            for f in flags
            if mine & set(f.accounts)
        ],
        "mentions": [
            {
                "message_id": m.message_id,
                "kind": m.kind,
                "channel": m.channel,
                "at": m.at.isoformat(),
            }
            for m in mentions
        ],
    }
