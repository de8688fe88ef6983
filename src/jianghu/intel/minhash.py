"""Near-duplicate grouping of texts: MinHash signatures over character shingles, LSH
bands for candidates, a signature check for each candidate pair, union-find for groups.

Reposted ads differ by emoji, a price, line order or a contact. The texts compared here
are *skeletons* (see :func:`skeleton`): normalised, digits read as 0, only letters and
Han characters kept, so those edits barely move the shingle set, and identical skeletons
are grouped before any hashing (most reposts are identical). Everything is numpy over a
batch and integer arithmetic, so the same texts give the same groups everywhere.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

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


def group_similar(texts: Sequence[str]) -> list[int]:
    """For each text, the index of the first text of its group (texts that are the same
    ad, directly or through a chain of near-duplicates)."""
    first_of: dict[str, int] = {}
    unique: list[int] = []  # index of the first text with each skeleton
    rep = []
    for i, text in enumerate(texts):
        j = first_of.setdefault(text, i)
        if j == i:
            unique.append(i)
        rep.append(j)
    uf = _UnionFind(len(texts))
    sig = signatures([texts[i] for i in unique])
    for band in range(BANDS):
        buckets: dict[bytes, list[int]] = defaultdict(list)
        rows = sig[:, band * ROWS : (band + 1) * ROWS]
        for k, key in enumerate(map(bytes, rows)):
            buckets[key].append(k)
        for members in buckets.values():
            if len(members) < 2 or len(members) > HUB_BUCKET:
                continue
            block = sig[members]
            agree = (block[:, None, :] == block[None, :, :]).mean(axis=2)
            for a, b in zip(*np.nonzero(np.triu(agree >= SIMILAR, k=1)), strict=True):
                uf.union(unique[members[int(a)]], unique[members[int(b)]])
    return [uf.find(r) for r in rep]
