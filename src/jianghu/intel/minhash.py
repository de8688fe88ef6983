"""Near-duplicate grouping of texts: MinHash signatures over character shingles, LSH
bands for candidates, a signature check for each candidate pair, union-find for groups.

Reposted ads differ by emoji, a price, line order or a contact. The texts compared here
are *skeletons* (see :func:`skeleton`): normalised, digits read as 0, only letters and
Han characters kept, so those edits barely move the shingle set, and identical skeletons
are grouped before any hashing (most reposts are identical). Everything is numpy over a
batch and integer arithmetic, so the same texts give the same groups everywhere.

The steps are separate so that a cluster can run them where the data is
(``jianghu.scale.offers_dask``): ``first_of_each`` (identical skeletons), ``signatures``
and ``band_keys`` (per distinct skeleton, on workers), ``link_similar`` (buckets, the
signature check and union-find, given the keys and a way to fetch the signatures it
needs). ``group_similar`` is all of them in one process. Buckets are found by a 64-bit
key per band and then split by the band's values, so they are the exact buckets of the
values unless two keys collide in a bucket of more than HUB_BUCKET skeletons.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from jianghu.analysis.normalize import normalize

SHINGLE = 3
HASHES = 64
BANDS = 16  # 16 bands of 4 rows: pairs with Jaccard 0.5 meet in some band with p ≈ 0.64,
ROWS = HASHES // BANDS  # 0.6 with p ≈ 0.89, 0.7 with p ≈ 0.99, 0.3 with p ≈ 0.12
SIMILAR = 0.5  # estimated Jaccard (share of equal signature values) of the same ad
HUB_BUCKET = 500  # a band bucket this full is boilerplate shared by unrelated ads
_PRIME = np.uint64((1 << 61) - 1)
_KEEP = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")
# Contacts and wallets: a repost may change them, and two different ads must not look
# alike because they share one (handles with digits or underscores, @names, addresses).
# A run of handle characters, with the @ of a handle: found in linear time. Which runs
# are identifiers is decided in Python (``_identifier_span``): the equivalent single
# regex backtracked quadratically on a long run of letters (100,000 "A"s took minutes).
_RUN = re.compile(r"@?[a-z0-9_]++")
_DIGIT_OR_UNDERSCORE = re.compile(r"[0-9_]")


def _identifier_span(run: str) -> int:
    """How much of ``run`` (handle characters only) is a contact or wallet: all of it for
    a run mixing digits or "_" with letters after them, the leading letters and at least
    four digits for ids like "abc1234", else nothing."""
    first = _DIGIT_OR_UNDERSCORE.search(run)
    if first is None:
        return 0
    if any(ch.isalpha() for ch in run[first.start() :]):
        return len(run)
    letters = first.start()  # the run is letters, then digits and "_" only
    if letters == 0 or run[letters] == "_":
        return 0
    digits = letters
    while digits < len(run) and run[digits].isdigit():
        digits += 1
    return digits if digits - letters >= 4 else 0


def _without_identifiers(text: str) -> str:
    out: list[str] = []
    pos = 0
    for m in _RUN.finditer(text):
        token = m.group()
        start = m.start()
        if token.startswith("@"):
            if len(token) >= 4:  # @ and three handle characters at least
                out.append(text[pos:start] + " ")
                pos = m.end()
                continue
            token, start = token[1:], start + 1
        span = _identifier_span(token)
        if span:
            out.append(text[pos:start] + " ")
            pos = start + span
    out.append(text[pos:])
    return "".join(out)


_DIGITS = re.compile(r"[0-9]+")
_rng = np.random.default_rng(20261130)  # fixed: signatures must not change between runs
_A = _rng.integers(1, (1 << 61) - 1, size=HASHES, dtype=np.uint64)
_B = _rng.integers(0, (1 << 61) - 1, size=HASHES, dtype=np.uint64)


def skeleton(text: str, normalized: str | None = None) -> str:
    """What two reposts of one ad share: normalised letters and Han characters without
    contacts or wallets, every number read as 0, everything else dropped
    (``normalized``: the text's normalised form, when the caller has it already)."""
    folded = normalize(text).text if normalized is None else normalized
    return _DIGITS.sub("0", _KEEP.sub("", _without_identifiers(folded)))


def _shingles(texts: Sequence[str]) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """Hashes of every character shingle of every text, and the text each belongs to."""
    codes_list = []
    owners = []
    for i, text in enumerate(texts):
        padded = text if len(text) >= SHINGLE else text.ljust(SHINGLE, "\x01")
        codes = np.frombuffer(padded.encode("utf-32-le", "surrogatepass"), dtype="<u4")
        codes_list.append(codes.astype(np.uint64))
        owners.append(np.full(len(codes), i, dtype=np.int64))
    if not codes_list:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    codes = np.concatenate(codes_list)
    owner = np.concatenate(owners)
    span = len(codes) - SHINGLE + 1
    with np.errstate(over="ignore"):
        h = np.zeros(span, np.uint64)
        for k in range(SHINGLE):
            h = h * np.uint64(0x100000001B3) + codes[k : k + span]
    keep = owner[:span] == owner[SHINGLE - 1 :]
    return h[keep] % _PRIME, owner[:span][keep]


def signatures(texts: Sequence[str], chunk: int = 4096) -> npt.NDArray[np.uint64]:
    """MinHash signature (HASHES values) of each text's shingle set."""
    out = np.zeros((len(texts), HASHES), np.uint64)
    for start in range(0, len(texts), chunk):
        part = texts[start : start + chunk]
        h, owner = _shingles(part)
        order = np.argsort(owner, kind="stable")
        h, owner = h[order], owner[order]
        starts = np.searchsorted(owner, np.arange(len(part)))
        with np.errstate(over="ignore"):
            # (a*h + b) mod p with 64-bit wrap: a universal family good enough for MinHash.
            permuted = (h[:, None] * _A[None, :] + _B[None, :]) % _PRIME
        out[start : start + len(part)] = np.minimum.reduceat(permuted, starts, axis=0)
    return out


class _UnionFind:
    """Groups of indexes 0..n-1; a group's root is always its smallest member, so the
    groups and their roots do not depend on the order of the unions."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def first_of_each(texts: Sequence[str]) -> tuple[list[int], list[int]]:
    """For each text the index of the first equal text, and the indexes of those first
    texts in order: identical skeletons are one ad before any hashing."""
    first_of: dict[str, int] = {}
    unique: list[int] = []
    rep = []
    for i, text in enumerate(texts):
        j = first_of.setdefault(text, i)
        if j == i:
            unique.append(i)
        rep.append(j)
    return rep, unique


_MIX = np.uint64(0x9E3779B97F4A7C15)


def band_keys(sig: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """One 64-bit key per signature and band (rows: signatures, columns: bands). A band's
    ROWS values are 32 bytes; the key is what a cluster's driver can hold for every
    distinct skeleton. Two bands with one key are compared value by value afterwards
    (``similar_pairs``), so a collision of keys never joins two ads by itself."""
    rows = sig.reshape(len(sig), BANDS, ROWS)
    with np.errstate(over="ignore"):
        h = np.zeros((len(sig), BANDS), np.uint64)
        for r in range(ROWS):
            h = (h ^ rows[:, :, r]) * _MIX
            h ^= h >> np.uint64(29)
    return h


def candidate_buckets(keys: npt.NDArray[np.uint64]) -> list[tuple[int, npt.NDArray[np.int64]]]:
    """(band, members) of each LSH bucket worth checking: two to HUB_BUCKET distinct
    skeletons (row indexes of ``keys``, ascending) with the same key in that band."""
    out: list[tuple[int, npt.NDArray[np.int64]]] = []
    for band in range(keys.shape[1] if keys.ndim == 2 else 0):
        column = keys[:, band]
        order = np.argsort(column, kind="stable").astype(np.int64)
        ranked = column[order]
        starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
        sizes = np.diff(np.r_[starts, len(ranked)])
        kept = (sizes >= 2) & (sizes <= HUB_BUCKET)
        for start, size in zip(starts[kept].tolist(), sizes[kept].tolist(), strict=True):
            out.append((band, order[start : start + size]))
    return out


def similar_pairs(band: int, block: npt.NDArray[np.uint64]) -> list[tuple[int, int]]:
    """Pairs (positions in ``block``, the signatures of one band bucket) that are the same
    ad: equal values in the band (keys may collide, values decide) and at least SIMILAR
    of all their values equal."""
    rows = block[:, band * ROWS : (band + 1) * ROWS]
    if (rows == rows[0]).all():
        parts = [np.arange(len(block))]
    else:  # a key collision: each distinct band value is a bucket of its own
        _, which = np.unique(rows, axis=0, return_inverse=True)
        which = which.reshape(-1)
        parts = [np.flatnonzero(which == k) for k in range(int(which.max()) + 1)]
    pairs: list[tuple[int, int]] = []
    for part in parts:
        if len(part) < 2:
            continue
        sub = block[part]
        agree = (sub[:, None, :] == sub[None, :, :]).mean(axis=2)
        for a, b in zip(*np.nonzero(np.triu(agree >= SIMILAR, k=1)), strict=True):
            pairs.append((int(part[a]), int(part[b])))
    return pairs


SignaturesOf = Callable[[npt.NDArray[np.int64]], npt.NDArray[np.uint64]]


def link_similar(keys: npt.NDArray[np.uint64], signatures_of: SignaturesOf) -> list[int]:
    """For each of ``len(keys)`` distinct skeletons (band keys per row), the index of the
    first skeleton of its group. ``signatures_of(indexes)`` gives the signatures of the
    skeletons at those (ascending) indexes: only skeletons in a bucket worth checking are
    asked for, which is what lets a cluster keep the rest on its workers."""
    buckets = candidate_buckets(keys)
    uf = _UnionFind(len(keys))
    if buckets:
        needed = np.unique(np.concatenate([members for _, members in buckets]))
        sig = signatures_of(needed)
        for band, members in buckets:
            block = sig[np.searchsorted(needed, members)]
            for a, b in similar_pairs(band, block):
                uf.union(int(members[a]), int(members[b]))
    return [uf.find(i) for i in range(len(keys))]


def group_similar(texts: Sequence[str]) -> list[int]:
    """For each text, the index of the first text of its group (texts that are the same
    ad, directly or through a chain of near-duplicates)."""
    rep, unique = first_of_each(texts)
    sig = signatures([texts[i] for i in unique])
    roots = link_similar(band_keys(sig), lambda rows: sig[rows])
    position = {text: k for k, text in enumerate(unique)}
    return [unique[roots[position[r]]] for r in rep]
