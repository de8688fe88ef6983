"""Offers, actors and their link graph as the API and the pages show them: plain data
read from the store, victims' data masked, nothing FastAPI-specific.

Every string here may have been written by a criminal; the API returns it as data and
the templates escape it. Graph labels are display text already (links defanged, control
characters made visible) because the browser draws them as they come.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

from jianghu.analysis.classify.linear import INTENTS
from jianghu.analysis.entities import CONTACT_TYPES, WALLET_TYPES, Entity, mask
from jianghu.analysis.entities.masking import MASKED_TYPES
from jianghu.analysis.lexicon import CATEGORIES
from jianghu.errors import QueryError
from jianghu.faces.cli_common import check_choice, parse_when
from jianghu.faces.masking import mask_found
from jianghu.intel.actor_build import build_actors
from jianghu.intel.reputation import mention_kind
from jianghu.report.model import Chart
from jianghu.store.actors import (
    ActorRow,
    actor_of_account,
    get_actor,
    identifier_mentions,
    list_actors,
    record_decision,
)
from jianghu.store.base import Store
from jianghu.store.offers import OfferFilters, OfferRow, get_offer, list_offers, offer_sightings
from jianghu.web.paging import page
from jianghu.web.render import shown

OFFER_INTENTS = tuple(i for i in INTENTS if i != "other")
SORTS = ("activity", "reputation")
# The store lists actors most active first; another order is sorted here, over at most
# this many of them.
SORT_WINDOW = 10_000
MAX_NODES = 200
MAX_WEEKS = 260  # a timeline of five years; older weeks are left off
IDENTIFIER_TYPES = (*CONTACT_TYPES, *WALLET_TYPES)


def masked(kind: str, value: str) -> str:
    """An identifier as every face shows it: victims' data (phones, cards …) masked."""
    if kind not in MASKED_TYPES:
        return value
    return mask(Entity(kind, value, value, 0, len(value)))


def _masked_key(key: str) -> str:
    kind, sep, value = key.partition(":")
    return f"{kind}:{masked(kind, value)}" if sep else key


# ---- offers -----------------------------------------------------------------------------
def _indicators(found: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    # A masked value is masked from the normalised form: the text as written may split the
    # digits in ways the mask would not hide.
    out = []
    for c in found:
        if c["type"] in MASKED_TYPES:
            c = {**c, "value": masked(c["type"], c["normalized"])}
            c["normalized"] = c["value"]
        out.append(c)
    return out


def offer_json(o: OfferRow) -> dict[str, Any]:
    return {
        "id": o.id,
        "url": f"/offers/{o.id}",
        "categories": list(o.categories),
        "intent": o.intent,
        "item": o.item,
        "regions": list(o.regions),
        "summary": o.summary,
        "price_usd": o.price_usd,
        "price_unit": o.price_unit,
        "quantity": o.quantity,
        "first_seen": o.first_seen.isoformat(),
        "last_seen": o.last_seen.isoformat(),
        "sightings": o.sightings,
        "channels": o.channels,
        "authors": o.authors,
        "contacts": _indicators(o.details.get("contacts", [])),
        "wallets": _indicators(o.details.get("wallets", [])),
    }


@dataclass(frozen=True)
class OfferQuery:
    """The filters of ``jianghu offers``, as the web takes them (text, checked here)."""

    category: str | None = None
    intent: str | None = None
    region: str | None = None
    min_price: float | None = None
    max_price: float | None = None
    since: str | None = None


def offer_page(store: Store, q: OfferQuery, limit: int, offset: int) -> dict[str, Any]:
    check_choice("category", q.category, CATEGORIES)
    check_choice("intent", q.intent, OFFER_INTENTS)
    filters = OfferFilters(
        q.category,
        q.intent,
        q.region,
        q.min_price,
        q.max_price,
        parse_when(q.since, "since"),
        offset + limit + 1,
    )
    found = list_offers(store, filters)
    items = [offer_json(o) for o in found[offset : offset + limit]]
    return page(items, limit, offset, len(found) > offset + limit)


def offer_detail(store: Store, offer_id: int) -> dict[str, Any] | None:
    """One offer, every sighting with its message, and its prices over time."""
    o = get_offer(store, offer_id)
    if o is None:
        return None
    seen = [
        {
            "message_id": m,
            "url": f"/messages/{m}",
            "channel": c,
            "author": a,
            "posted_at": t.isoformat(),
        }
        for m, c, a, t in offer_sightings(store, offer_id)
    ]
    return {
        **offer_json(o),
        "sightings_list": seen,
        "prices": o.details.get("prices", []),
        "rates": o.details.get("rates", {}),
    }


# ---- actors -----------------------------------------------------------------------------
def actor_summary(a: ActorRow) -> dict[str, Any]:
    return {
        "id": a.id,
        "url": f"/actors/{a.id}",
        "name": a.name,
        "reputation": a.reputation,
        "accounts": len(a.account_ids),
        "messages": a.messages,
        "first_seen": a.first_seen.isoformat(),
        "last_seen": a.last_seen.isoformat(),
        "categories": list(a.categories),
    }


def actor_page(
    store: Store,
    category: str | None,
    min_rep: int | None,
    max_rep: int | None,
    sort: str,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    check_choice("category", category, CATEGORIES)
    check_choice("sort", sort, SORTS)
    if sort == "activity":
        found = list_actors(store, category, min_rep, max_rep, offset + limit + 1)
    else:
        found = list_actors(store, category, min_rep, max_rep, SORT_WINDOW)
        found.sort(key=lambda a: (-a.reputation, -a.messages, a.id))
    items = [actor_summary(a) for a in found[offset : offset + limit]]
    out = {**page(items, limit, offset, len(found) > offset + limit), "sort": sort}
    if sort != "activity" and len(found) >= SORT_WINDOW:
        out["note"] = f"sorted among the {SORT_WINDOW} most active actors"
    return out


_LINK_WHY = {
    "offer": "posted the same ad (offer {identifier})",
    "forward": "one forwards the other's messages",
    "analyst_join": "an analyst merged them",
}


def link_why(kind: str, identifier: str) -> str:
    """Why the builder put two accounts together, in words."""
    if kind in _LINK_WHY:
        return _LINK_WHY[kind].format(identifier=identifier)
    return f"both gave {kind.replace('_', ' ')} {identifier} as their own"


def timeline(weeks: dict[str, int]) -> list[dict[str, Any]]:
    """Messages per ISO week, from the first active week to the last, quiet weeks as 0."""
    if not weeks:
        return []
    starts = {_week_start(w): n for w, n in weeks.items()}
    day, last = min(starts), max(starts)
    day = max(day, last - timedelta(weeks=MAX_WEEKS - 1))
    out = []
    while day <= last:
        year, week, _ = day.isocalendar()
        out.append({"week": f"{year}-W{week:02d}", "messages": starts.get(day, 0)})
        day += timedelta(weeks=1)
    return out


def _week_start(key: str) -> date:
    year, week = key.split("-W")
    return date.fromisocalendar(int(year), int(week), 1)


def actor_detail(a: ActorRow) -> dict[str, Any]:
    """An actor's profile with the evidence: reputation factors with their messages, the
    accounts and why they are linked, contacts and wallets (masked), weekly activity."""
    p = a.profile
    links = [
        {
            **x,
            "identifier": _masked_key(f"{x['kind']}:{x['identifier']}").partition(":")[2],
            "why": mask_found(link_why(x["kind"], masked(x["kind"], x["identifier"]))),
        }
        for x in p.get("links", [])
    ]
    flags = [
        {**f, "identifier": _masked_key(f["identifier"]), "detail": mask_found(f["detail"])}
        for f in p.get("flags", [])
    ]
    idents = [{**i, "value": masked(i["type"], i["value"])} for i in p.get("identifiers", [])]
    return {
        **actor_summary(a),
        "graph_url": f"/actors/{a.id}/graph",
        "timeline_url": f"/charts/actors/{a.id}/timeline.svg",
        "factors": [
            {**f, "messages": [f"/messages/{m}" for m in f["message_ids"]]} for f in a.factors
        ],
        "account_list": p.get("accounts", []),
        "links": links,
        "flags": flags,
        "identifiers": idents,
        "timeline": timeline(p.get("activity_by_week", {})),
        "mentions": p.get("mentions", []),
        "channel_names": p.get("channel_names", []),
        "items": p.get("items", {}),
        "regions": p.get("regions", {}),
        "languages": p.get("languages", {}),
        "platforms": p.get("platforms", []),
        "offers": p.get("offers", 0),
    }


def timeline_chart(a: ActorRow) -> Chart:
    # The actor's name stays out of the chart: it is a criminal's text, and matplotlib
    # would read "$…$" in it as mathematics.
    weeks = timeline(a.profile.get("activity_by_week", {}))
    return Chart(
        key=f"actor-{a.id}-timeline",
        title=f"Messages per week, actor {a.id}",
        kind="bar",
        x=[w["week"] for w in weeks],
        series={"messages": [float(w["messages"]) for w in weeks]},
        ylabel="messages",
    )


# ---- analysts' decisions ------------------------------------------------------------------
def unknown_account(store: Store, a: int, b: int) -> int | None:
    """The first of ``a``, ``b`` that belongs to no actor (None: both do)."""
    return next((x for x in (a, b) if actor_of_account(store, x) is None), None)


def decide(store: Store, kind: str, a: int, b: int, who: str, note: str) -> dict[str, Any]:
    """Record an analyst's join or split of two accounts (audit-logged with ``who``), then
    rebuild the actors so it takes effect."""
    if a == b:
        raise QueryError(f"{kind} takes two different accounts")
    record_decision(store, kind, a, b, who, note)
    report = build_actors(store)
    return {
        "decision": kind,
        "accounts": [a, b],
        "who": who,
        "actors": [actor_of_account(store, a), actor_of_account(store, b)],
        "rebuild": report.to_json(),
    }


# ---- the link graph -----------------------------------------------------------------------
@dataclass
class Graph:
    """Nodes and edges, at most ``cap`` nodes; an edge to a node left out is left out."""

    cap: int
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    # (source, target, kind) → evidence message ids, in order (a dict as an ordered set)
    edges: dict[tuple[str, str, str], dict[int, None]] = field(default_factory=dict)
    whys: dict[tuple[str, str, str], str] = field(default_factory=dict)
    omitted: set[str] = field(default_factory=set)

    def node(self, nid: str, kind: str, label: str, url: str | None) -> bool:
        if nid in self.nodes:
            return True
        if len(self.nodes) >= self.cap:
            self.omitted.add(nid)
            return False
        self.nodes[nid] = {"id": nid, "type": kind, "label": shown(label)[:60], "url": url}
        return True

    def edge(
        self, source: str, target: str, kind: str, why: str, messages: Iterable[int] = ()
    ) -> None:
        if source in self.nodes and target in self.nodes:
            key = (source, target, kind)
            self.whys.setdefault(key, why)
            self.edges.setdefault(key, {}).update(dict.fromkeys(messages))

    def to_json(self) -> dict[str, Any]:
        edges = []
        for (source, target, kind), seen in self.edges.items():
            why, ids = self.whys[(source, target, kind)], list(seen)
            if ids:
                why += f" (message{'s' if len(ids) > 1 else ''} {', '.join(map(str, ids[:8]))})"
            edges.append(
                {
                    "source": source,
                    "target": target,
                    "kind": kind,
                    "why": why,
                    "message_ids": ids[:20],
                }
            )
        return {
            "nodes": list(self.nodes.values()),
            "edges": edges,
            "cap": self.cap,
            "truncated": bool(self.omitted),
            "omitted_nodes": len(self.omitted),
        }


def _identifiers(a: ActorRow) -> list[tuple[str, str]]:
    """The contacts and wallets the actor owns, and those that link its accounts."""
    p = a.profile
    found = [(i["type"], i["value"]) for i in p.get("identifiers", [])]
    found += [
        (x["kind"], x["identifier"]) for x in p.get("links", []) if x["kind"] in IDENTIFIER_TYPES
    ]
    return sorted(set(found))


def _ident_node(g: Graph, n: int, kind: str, value: str) -> str:
    # Ids are positional: a phone number must not reach the page, not even hashed.
    nid = f"{'wallet' if kind in WALLET_TYPES else 'contact'}:{n}"
    label = f"@{value}" if kind == "telegram_handle" else f"{kind}: {masked(kind, value)}"
    url = None if kind in MASKED_TYPES else "/search?entity=" + quote(f"{kind}:{value}")
    g.node(nid, nid.partition(":")[0], label, url)
    return nid


_SAYS = {
    "exposure": "exposes it",
    "verdict": "an escrow verdict names it",
    "vouch": "vouches for it",
    "deposit_confirmed": "confirms a deposit of it",
}


def actor_graph(store: Store, a: ActorRow, cap: int = MAX_NODES) -> dict[str, Any]:
    """The actor, its accounts, the channels it posts in, the contacts and wallets it owns,
    and (one hop) the other actors whose messages name one of those."""
    g = Graph(cap)
    center = f"actor:{a.id}"
    g.node(center, "actor", a.name, f"/actors/{a.id}")
    mine = set(a.account_ids)
    for acc in a.profile.get("accounts", []):
        nid = f"account:{acc['id']}"
        g.node(
            nid,
            "account",
            acc["display_name"] or acc["handle"] or acc["key"],
            f"/actors/{a.id}#account-{acc['id']}",
        )
        g.edge(center, nid, "account", "an account of this actor")
    for x in a.profile.get("links", []):
        why = link_why(x["kind"], masked(x["kind"], x["identifier"]))
        s, t = (f"account:{i}" for i in x["accounts"])
        g.edge(s, t, "link", mask_found(why), x["message_ids"])
    idents = _identifiers(a)
    ident_ids = {key: _ident_node(g, n, *key) for n, key in enumerate(idents)}
    for n, name in enumerate(a.profile.get("channel_names", [])):
        if g.node(f"channel:{n}", "channel", name, None):
            g.edge(center, f"channel:{n}", "posts_in", "the actor posts in this channel")
    _one_hop(store, g, a, mine, ident_ids)
    return g.to_json()


def _one_hop(
    store: Store, g: Graph, a: ActorRow, mine: set[int], ident_ids: dict[tuple[str, str], str]
) -> None:
    others: dict[int, ActorRow | None] = {}  # account → its actor, each read once
    for m in identifier_mentions(store, list(ident_ids)):
        target = ident_ids[(m.type, m.normalized)]
        if m.author_id is None:
            continue
        if m.author_id in mine:
            g.edge(f"account:{m.author_id}", target, "posts", "posted it", [m.message_id])
            continue
        if m.author_id not in others:
            other_id = actor_of_account(store, m.author_id)
            others[m.author_id] = None if other_id is None else get_actor(store, other_id)
        other = others[m.author_id]
        if other is None or other.id == a.id:
            continue
        nid = f"actor:{other.id}"
        if g.node(nid, "actor", other.name, f"/actors/{other.id}"):
            kind = mention_kind(m.channel, m.categories, m.text) or "shares"
            g.edge(nid, target, kind, _SAYS.get(kind, "names it too"), [m.message_id])


def related_actors(graph: dict[str, Any], actor_id: int) -> list[dict[str, Any]]:
    """The other actors of a graph, with how they touch this one's contacts and wallets;
    ``shares``: one of them posted it too (a merge candidate, unlike an accuser)."""
    labels = {n["id"]: n["label"] for n in graph["nodes"]}
    out: dict[str, dict[str, Any]] = {}
    for e in graph["edges"]:
        source = e["source"]
        if source.startswith("actor:") and source != f"actor:{actor_id}":
            entry = out.setdefault(
                source,
                {"id": int(source.partition(":")[2]), "name": labels[source], "why": [],
                 "shares": False},
            )  # fmt: skip
            entry["why"].append(f"{labels[e['target']]}: {e['why']}")
            entry["shares"] = entry["shares"] or e["kind"] == "shares"
    return list(out.values())
