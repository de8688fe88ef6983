"""An actor's link graph as the API and the pages show it: the actor, its accounts,
channels, contacts and wallets, and the other actors one hop away, with why each edge
is there; victims' data masked, nothing FastAPI-specific.

Every string here may have been written by a criminal. Graph labels are display text
already (links defanged, control characters made visible) because the browser draws
them as they come.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from jianghu.analysis.entities import CONTACT_TYPES, WALLET_TYPES
from jianghu.analysis.entities.masking import MASKED_TYPES
from jianghu.faces.masking import mask_found
from jianghu.intel.reputation import mention_kind
from jianghu.store.actors import ActorRow, actor_of_account, get_actor, identifier_mentions
from jianghu.store.base import Store
from jianghu.web.render import shown
from jianghu.web.views_actors import link_why, masked

MAX_NODES = 200
IDENTIFIER_TYPES = (*CONTACT_TYPES, *WALLET_TYPES)


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
        # The profile keeps channel names only: the node opens a search of that channel.
        if g.node(f"channel:{n}", "channel", name, f"/search?channel={quote(name, safe='')}"):
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
