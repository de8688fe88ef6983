"""Actors on a Dask cluster: the same actor tables as ``intel.actor_build.build_actors``.

What grows with the messages is read on the workers, one slice of message ids each
(``slices_dask``), and merged on the driver in slice order, which is message order:

1. the evidence (``EvidenceSlice``): contacts and wallets posted as one's own (telegram
   handles are checked against their message's text there, so no text leaves the worker),
   shared ads, forwards, each account's activity and its deposit claims;
2. after linking, the mentions of the identifiers the actors own: a worker reads its
   slice's mentions with their texts, keeps what each says of its subject
   (``reputation.mention_kind``) and returns that without the text. This was the largest
   thing a single process held (every mention with its text).

Linking, scoring and writing run on the driver with the single-process code
(``actors_from_evidence``): linking needs every use of every identifier at once, and the
rest (accounts, names, offers per author, channels) grows with accounts and offers, not
with messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from jianghu.intel.actor_build import (
    ActorBuildReport,
    Evidence,
    Identifier,
    Mentions,
    MentionsOf,
    Step,
    actors_from_evidence,
    add_mentions,
    merge_activity,
)
from jianghu.intel.actors import Use
from jianghu.scale.cluster import worker_store
from jianghu.scale.slices_dask import IDS_PER_TASK, id_slices, results
from jianghu.store.actors import (
    AccountActivity,
    activity,
    deposit_claims,
    forward_uses,
    identifier_mentions_between,
    identifier_uses,
    offer_uses,
)

if TYPE_CHECKING:
    from distributed import Client, Future


@dataclass(frozen=True)
class EvidenceSlice:
    own: list[Use]
    offers: list[Use]
    forwards: list[Use]
    activity: dict[int, AccountActivity]
    claims: dict[int, list[int]]


def evidence_slice(url: str, after: int, upto: int) -> EvidenceSlice:
    """Worker: the evidence in the messages ``after < id <= upto``."""
    store = worker_store(url)
    return EvidenceSlice(
        own=identifier_uses(store, after, upto),
        offers=offer_uses(store, after, upto),
        forwards=forward_uses(store, after, upto),
        activity=activity(store, after, upto),
        claims=deposit_claims(store, after, upto),
    )


def merge_evidence(parts: Iterable[EvidenceSlice]) -> Evidence:
    """The slices' evidence (in slice order) as one process reads it: lists concatenated,
    each account's activity merged in that order (its tables keep first-seen order). A
    slice is folded in as it comes, so the driver never holds every slice's activity."""
    merged = Evidence([], [], [], {}, {})
    for part in parts:
        merged.own.extend(part.own)
        merged.offers.extend(part.offers)
        merged.forwards.extend(part.forwards)
        for account, act in part.activity.items():
            before = merged.activity.get(account)
            merged.activity[account] = act if before is None else merge_activity([before, act])
        for account, ids in part.claims.items():
            merged.claims.setdefault(account, []).extend(ids)
    return merged


def mention_slice(url: str, wanted: frozenset[Identifier], after: int, upto: int) -> Mentions:
    """Worker: the mentions of ``wanted`` identifiers in ``after < id <= upto`` that say
    something of their subject, in message order, without their texts."""
    return add_mentions(identifier_mentions_between(worker_store(url), wanted, after, upto), {})


def _mentions_on(client: Client, url: str, slices: list[tuple[int, int]]) -> MentionsOf:
    def mentions_of(owned: list[Identifier]) -> Mentions:
        if not owned:
            return {}
        # Sent to the cluster once; each task fetches it from the worker that holds it.
        wanted: Future[frozenset[Identifier]] = client.submit(frozenset, owned, pure=False)
        pending = [client.submit(mention_slice, url, wanted, a, b, pure=False) for a, b in slices]
        out: Mentions = {}
        for part in results(pending):
            for key, found in part.items():
                out.setdefault(key, []).extend(found)
        return out

    return mentions_of


def build_actors_dask(
    client: Client,
    store_url: str,
    step: Step | None = None,
    *,
    ids_per_task: int = IDS_PER_TASK,
) -> ActorBuildReport:
    """Rebuild the actor tables of the PostgreSQL store at ``store_url`` with the cluster
    of ``client``: the same tables as ``build_actors`` (see the module docstring)."""
    from jianghu.store import open_store

    say = step or (lambda _: None)
    with open_store(store_url) as store:
        slices = id_slices(store, ids_per_task)
        say(f"reading evidence in {len(slices)} slices of messages on the cluster")
        pending = [client.submit(evidence_slice, store_url, a, b, pure=False) for a, b in slices]
        evidence = merge_evidence(results(pending))
        return actors_from_evidence(store, evidence, _mentions_on(client, store_url, slices), say)
