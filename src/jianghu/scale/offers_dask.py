"""Offers on a Dask cluster: the same offer table as ``intel.offers.build_offers``.

1. Each worker reads one slice of message ids (``slices_dask``), normalises its offer
   messages and makes their skeletons; for each distinct skeleton of the slice it keeps a
   128-bit digest, the id of its first message, the MinHash signature and the band keys.
   The signatures stay on the worker; the driver gets the rest, numpy arrays without a
   text (``SkeletonSlice``).
2. The driver merges identical skeletons across slices by digest, then runs the same
   ``minhash.link_similar`` as one process would: buckets from the band keys, the
   signature check, union-find. It asks the workers for the signatures of skeletons in a
   bucket worth checking, and for no others.
3. Groups go back to the workers in batches; each reads its members and their indicators
   and assembles their offers (``intel.offers.assemble_groups``). The driver writes them
   as the batches arrive, in one transaction (``replace_offers`` reads them as they come).

The driver holds, per offer message, its id and its group (numpy integers), and per
distinct skeleton its digest, first id and band keys: no text, no indicator. Two skeletons
are taken for one when their 128-bit blake2b digests are equal, as one process takes
equal strings.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from jianghu.intel.minhash import (
    BANDS,
    HASHES,
    band_keys,
    first_of_each,
    link_similar,
    signatures,
)
from jianghu.intel.offer_fields import Rates, load_rates
from jianghu.intel.offers import (
    OfferBuildReport,
    Step,
    assemble_groups,
    normalized_texts,
    skeletons_of,
)
from jianghu.scale.cluster import worker_store
from jianghu.scale.slices_dask import IDS_PER_TASK, id_slices, results
from jianghu.store.offers import OfferRow, candidates, replace_offers

if TYPE_CHECKING:
    from distributed import Client, Future

Ints = npt.NDArray[np.int64]
Words = npt.NDArray[np.uint64]

MEMBERS_PER_TASK = 5_000  # offer messages a worker assembles in one task (whole groups)
_SIGNATURE_CHUNK = 256  # texts hashed at once on a worker: a batch is shingles × HASHES


@dataclass(frozen=True)
class SkeletonSlice:
    """One slice's offer messages as the grouping needs them."""

    ids: Ints  # offer messages, in id order
    distinct: Ints  # each message's skeleton: a row of the arrays below
    digests: Words  # (rows, 2): blake2b-128 of each distinct skeleton
    first_ids: Ints  # id of its first message in the slice
    keys: Words  # (rows, BANDS) band keys
    signatures: Words  # (rows, HASHES); left on the worker (empty in the driver's copy)


def skeleton_slice(url: str, after: int, upto: int) -> SkeletonSlice:
    """Worker: the offer messages of ``after < id <= upto``, reduced to skeleton rows."""
    rows = list(candidates(worker_store(url), after=after, upto=upto))
    skeletons = skeletons_of(rows, normalized_texts(rows))
    rep, unique = first_of_each(skeletons)
    row_of = {text_index: row for row, text_index in enumerate(unique)}
    texts = [skeletons[i] for i in unique]
    digests = b"".join(
        hashlib.blake2b(t.encode("utf-8", "surrogatepass"), digest_size=16).digest() for t in texts
    )
    sig = signatures(texts, chunk=_SIGNATURE_CHUNK)
    ids = np.array([c.id for c in rows], dtype=np.int64)
    return SkeletonSlice(
        ids=ids,
        distinct=np.array([row_of[r] for r in rep], dtype=np.int64),
        digests=np.frombuffer(digests, dtype="<u8").astype(np.uint64).reshape(-1, 2),
        first_ids=ids[np.array(unique, dtype=np.int64)],
        keys=band_keys(sig),
        signatures=sig,
    )


def without_signatures(part: SkeletonSlice) -> SkeletonSlice:
    return replace(part, signatures=np.zeros((0, HASHES), np.uint64))


def signatures_at(part: SkeletonSlice, rows: Ints) -> Words:
    return part.signatures[rows]


@dataclass(frozen=True)
class Distinct:
    """The distinct skeletons of all slices, in the order of their first message."""

    first_ids: Ints
    keys: Words  # (distinct, BANDS)
    slice_of: Ints  # the slice holding its signature
    row_of: Ints  # and the row there
    of_message: Ints  # for every offer message (slices concatenated): its distinct skeleton


def merge_distinct(parts: list[SkeletonSlice]) -> Distinct:
    """Identical skeletons across slices as one, kept where they were seen first."""
    if not parts:
        empty = np.zeros(0, np.int64)
        return Distinct(empty, np.zeros((0, BANDS), np.uint64), empty, empty, empty)
    digests = np.concatenate([p.digests for p in parts])
    firsts = np.concatenate([p.first_ids for p in parts])
    owner = np.concatenate([np.full(len(p.first_ids), i, np.int64) for i, p in enumerate(parts)])
    row = np.concatenate([np.arange(len(p.first_ids), dtype=np.int64) for p in parts])
    # By digest, then first id: the first row of each digest is where it was seen first.
    order = np.lexsort((firsts, digests[:, 1], digests[:, 0]))
    ranked = digests[order]
    starts = np.r_[True, (ranked[1:] != ranked[:-1]).any(axis=1)]
    digest_of_row = np.empty(len(order), np.int64)  # numbered in digest order, for now
    digest_of_row[order] = np.cumsum(starts) - 1
    chosen = order[starts]
    # Numbered by first message, so that union-find's smallest root is the earliest one.
    by_first = np.argsort(firsts[chosen], kind="stable")
    rank = np.empty(len(chosen), np.int64)
    rank[by_first] = np.arange(len(chosen))
    chosen = chosen[by_first]
    offsets = np.cumsum([0, *(len(p.first_ids) for p in parts)])
    of_message = np.concatenate(
        [rank[digest_of_row[offsets[i] + p.distinct]] for i, p in enumerate(parts)]
    )
    keys = np.concatenate([p.keys for p in parts])
    return Distinct(firsts[chosen], keys[chosen], owner[chosen], row[chosen], of_message)


def _fetch_signatures(
    client: Client, held: list[Future[SkeletonSlice]], distinct: Distinct, wanted: Ints
) -> Words:
    """The signatures of the ``wanted`` distinct skeletons, from the workers holding them."""
    out = np.zeros((len(wanted), HASHES), np.uint64)
    slices = distinct.slice_of[wanted]
    asked = []
    for s in np.unique(slices).tolist():
        at = np.flatnonzero(slices == s)
        rows = distinct.row_of[wanted[at]]
        asked.append((at, client.submit(signatures_at, held[s], rows, pure=False)))
    for at, future in asked:
        out[at] = future.result()
    return out


def group_ids(
    client: Client, url: str, slices: list[tuple[int, int]], say: Step
) -> tuple[Ints, Ints]:
    """Every offer message's id and its group's id (the group's smallest message id)."""
    say(f"skeletons of {len(slices)} slices of messages on the cluster")
    held = [client.submit(skeleton_slice, url, a, b, pure=False) for a, b in slices]
    parts = list(results([client.submit(without_signatures, h) for h in held]))
    distinct = merge_distinct(parts)
    say(f"grouping {len(distinct.first_ids)} distinct skeletons")
    roots = link_similar(
        distinct.keys, lambda wanted: _fetch_signatures(client, held, distinct, wanted)
    )
    group_of_distinct = distinct.first_ids[np.array(roots, dtype=np.int64)]
    ids = np.concatenate([p.ids for p in parts]) if parts else np.zeros(0, np.int64)
    return ids, group_of_distinct[distinct.of_message]


def batches(ids: Ints, groups: Ints, members_per_task: int) -> list[list[list[int]]]:
    """Whole groups (each its member ids, ascending), about ``members_per_task`` members
    to a batch."""
    if not len(ids):
        return []
    order = np.lexsort((ids, groups))
    ids, groups = ids[order], groups[order]
    bounds = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1], True]).tolist()
    out: list[list[list[int]]] = []
    current: list[list[int]] = []
    size = 0
    for start, end in itertools.pairwise(bounds):
        current.append(ids[start:end].tolist())
        size += end - start
        if size >= members_per_task:
            out.append(current)
            current, size = [], 0
    if current:
        out.append(current)
    return out


def assemble_batch(url: str, groups: list[list[int]], rates: Rates) -> list[OfferRow]:
    """Worker: the offers of these groups, from the members and indicators it reads."""
    return assemble_groups(worker_store(url), groups, rates)


def build_offers_dask(
    client: Client,
    store_url: str,
    rates: Rates | None = None,
    step: Step | None = None,
    *,
    ids_per_task: int = IDS_PER_TASK,
    members_per_task: int = MEMBERS_PER_TASK,
) -> OfferBuildReport:
    """Rebuild the offer table of the PostgreSQL store at ``store_url`` on the cluster of
    ``client``: the same table as ``build_offers`` (see the module docstring)."""
    from jianghu.store import open_store

    rates = rates or load_rates()
    say = step or (lambda _: None)
    with open_store(store_url) as store:
        ids, groups = group_ids(client, store_url, id_slices(store, ids_per_task), say)
        report = OfferBuildReport(candidates=len(ids), rates_date=rates.date)
        work = batches(ids, groups, members_per_task)
        del ids, groups
        say(f"assembling offers in {len(work)} tasks on the cluster")
        pending = [client.submit(assemble_batch, store_url, b, rates, pure=False) for b in work]
        del work
        made: Iterator[list[OfferRow]] = results(pending)
        offers = itertools.chain.from_iterable(made)
        replace_offers(store, report.counted(offers))
    return report
