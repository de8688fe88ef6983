"""Features of a message for the linear classifier: hashed character n-grams of the
normalised text, plus what the lexicon and the indicator extractor found.

Hashing is done with numpy over a whole batch at once (a Python loop over n-grams would
cost more than everything else the classifier does). The hash is plain integer
arithmetic on code points, not Python's salted ``hash``, so a feature has the same index
in every process and on every machine; a trained model stays valid.

Two renderings of the same computation exist: :func:`batch_features` (fast, indices
only) and :func:`named_features` (one message, with a readable name per feature, for
explaining a decision). A test keeps them in agreement.
"""

from __future__ import annotations

import functools
import itertools
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from jianghu.analysis.entities import Entity
from jianghu.analysis.lexicon import TermHit

DIM_BITS = 18
DIM = 1 << DIM_BITS
NGRAM_ORDERS = (1, 2, 3)
_BOS, _EOS = 0x2, 0x3  # message boundaries inside a batch; never in normalised text
_MASK = np.uint64(DIM - 1)
# Odd 64-bit multipliers (from splitmix64 / golden ratio); any fixed odd constants work.
_MUL = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_SALT = {n: np.uint64(0x632BE59BD9B4E019 * n & 0xFFFFFFFFFFFFFFFF) for n in NGRAM_ORDERS}


@dataclass(frozen=True, slots=True)
class FeatureInput:
    """What the classifier reads for one message."""

    normalized: str
    terms: Sequence[TermHit] = ()
    entities: Sequence[Entity] = ()


@dataclass(frozen=True, slots=True)
class FeatureBatch:
    """Feature indices of a batch in CSR layout: message ``i`` owns
    ``indices[indptr[i]:indptr[i+1]]``, each feature with the same value ``scale[i]``
    (every feature counts once per occurrence, scaled by 1/sqrt(count))."""

    indptr: npt.NDArray[np.int64]
    indices: npt.NDArray[np.int64]
    scale: npt.NDArray[np.float32]

    def __len__(self) -> int:
        return len(self.indptr) - 1


def _codes(text: str) -> npt.NDArray[np.uint64]:
    """Code points with every digit read as 0 and every space as one space: prices,
    quantities and handles vary endlessly, their shape is what carries meaning."""
    raw = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(np.uint64)
    raw = np.where((raw >= 0x30) & (raw <= 0x39), np.uint64(0x30), raw)
    return np.where((raw == 0x0A) | (raw == 0x09) | (raw == 0x0D), np.uint64(0x20), raw)


def _finish(h: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    with np.errstate(over="ignore"):
        h = (h ^ (h >> np.uint64(30))) * _MIX1
        h = (h ^ (h >> np.uint64(27))) * _MIX2
        return (h ^ (h >> np.uint64(31))) & _MASK


def _ngram_hashes(
    codes: npt.NDArray[np.uint64], owner: npt.NDArray[np.int64], n: int
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """Hashes of the n-grams that lie inside one message, and the message of each."""
    if len(codes) < n:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    span = len(codes) - n + 1
    with np.errstate(over="ignore"):
        h = np.full(span, _SALT[n], dtype=np.uint64)
        for k in range(n):
            h = (h * _MUL) + codes[k : k + span]
    keep = owner[:span] == owner[n - 1 :]
    if n == 1:  # the boundary markers alone say nothing
        keep &= (codes != _BOS) & (codes != _EOS)
    return _finish(h[keep]), owner[:span][keep]


# Cached: a batch names the same few thousand features (terms, kinds, categories, common
# words) over and over, and a dictionary hit costs a tenth of the CRC it saves.
@functools.lru_cache(maxsize=1 << 16)
def symbol_index(name: str) -> int:
    """Index of a named (non-n-gram) feature such as ``cat:drugs``."""
    return (zlib.crc32(name.encode("utf-8")) * 2654435761) & (DIM - 1)


_LATIN_WORD = re.compile(r"[a-z][a-z0-9_']+")
LATIN_WORDS = True  # whole Latin words and word pairs as features (English ads)
UNIQUE = True  # a feature counts once per message, however often it occurs


def symbol_names(item: FeatureInput) -> list[str]:
    """The lexicon, indicator and Latin-word features of one message, by name."""
    names = ["bias"]
    if LATIN_WORDS:
        words = _LATIN_WORD.findall(item.normalized)
        names.extend(f"w:{w}" for w in words)
        names.extend(f"w2:{a} {b}" for a, b in itertools.pairwise(words))
    for hit in item.terms:
        names.append(f"term:{hit.canonical}")
        names.append(f"kind:{hit.kind}")
        if hit.category:
            names.append(f"cat:{hit.category}")
    for ent in item.entities:
        names.append(f"ent:{ent.type}")
    length = len(item.normalized)
    names.append(f"len:{min(length.bit_length(), 10)}")
    return names


@functools.lru_cache(maxsize=1 << 14)
def _hit_indices(canonical: str, kind: str, category: str | None) -> tuple[int, ...]:
    names = [f"term:{canonical}", f"kind:{kind}"] + ([f"cat:{category}"] if category else [])
    return tuple(map(symbol_index, names))


@functools.lru_cache(maxsize=1 << 12)
def _named_index(prefix: str, value: str) -> int:
    return symbol_index(prefix + value)


@functools.lru_cache(maxsize=1 << 16)
def _pair_index(a: str, b: str) -> int:
    return symbol_index(f"w2:{a} {b}")


_BIAS = symbol_index("bias")


def symbol_indices(item: FeatureInput) -> list[int]:
    """The indices of :func:`symbol_names`, without building the names again for every
    message (a batch repeats the same terms, kinds and words; a test keeps the two equal)."""
    out = [_BIAS]
    if LATIN_WORDS:
        words = _LATIN_WORD.findall(item.normalized)
        if words:
            out.extend(_named_index("w:", w) for w in words)
            out.extend(itertools.starmap(_pair_index, itertools.pairwise(words)))
    for hit in item.terms:
        out.extend(_hit_indices(hit.canonical, hit.kind, hit.category))
    for ent in item.entities:
        out.append(_named_index("ent:", ent.type))
    out.append(_named_index("len:", str(min(len(item.normalized).bit_length(), 10))))
    return out


def batch_features(items: Sequence[FeatureInput]) -> FeatureBatch:
    """Features of every message in ``items`` (see the module docstring)."""
    pieces = []
    for item in items:
        pieces.append(chr(_BOS) + item.normalized + chr(_EOS))
    joined = "".join(pieces)
    codes = _codes(joined)
    lengths = np.fromiter((len(p) for p in pieces), dtype=np.int64, count=len(pieces))
    owner = np.repeat(np.arange(len(items), dtype=np.int64), lengths)
    # Each feature becomes one key, message number above the feature index: sorting the
    # keys groups a message's features and makes duplicates neighbours. 32-bit keys sort
    # twice as fast and hold batches of up to 2**14 messages (ingest hands over 256).
    wide = len(items) >= 1 << (32 - DIM_BITS)
    key_type = np.uint64 if wide else np.uint32
    parts = []
    for n in NGRAM_ORDERS:
        h, o = _ngram_hashes(codes, owner, n)
        parts.append(((o.astype(np.uint64) << np.uint64(DIM_BITS)) | h).astype(key_type))
    symbols = [symbol_indices(item) for item in items]
    sym_owner = np.repeat(np.arange(len(items), dtype=np.uint64), [len(s) for s in symbols])
    sym_idx = np.fromiter(itertools.chain.from_iterable(symbols), np.uint64)
    parts.append(((sym_owner << np.uint64(DIM_BITS)) | sym_idx).astype(key_type))
    keys = np.sort(np.concatenate(parts))
    if UNIQUE:
        keep = np.ones(len(keys), dtype=bool)
        np.not_equal(keys[1:], keys[:-1], out=keep[1:])
        keys = keys[keep]
    own = (keys >> key_type(DIM_BITS)).astype(np.int64)
    idx = (keys & key_type(DIM - 1)).astype(np.int64)
    counts = np.bincount(own, minlength=len(items))
    indptr = np.zeros(len(items) + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    # Every message has at least the bias, so no row is empty; 1/sqrt(n) keeps long
    # listings from drowning the bias and short titles from being ignored.
    scale = (1.0 / np.sqrt(np.maximum(counts, 1))).astype(np.float32)
    return FeatureBatch(indptr, idx, scale)


def named_features(item: FeatureInput) -> list[tuple[str, int]]:
    """(name, index) of every feature of one message, in no particular order; n-grams are
    named by their text (digits shown as 0, boundaries as ^ and $)."""
    text = chr(_BOS) + item.normalized + chr(_EOS)
    codes = _codes(text)
    shown = "".join("^" if c == _BOS else "$" if c == _EOS else chr(int(c)) for c in codes.tolist())
    owner = np.zeros(len(codes), dtype=np.int64)
    out: list[tuple[str, int]] = []
    for n in NGRAM_ORDERS:
        h, _ = _ngram_hashes(codes, owner, n)
        starts = [
            i for i in range(len(codes) - n + 1) if not (n == 1 and int(codes[i]) in (_BOS, _EOS))
        ]
        out.extend((shown[i : i + n], int(x)) for i, x in zip(starts, h.tolist(), strict=True))
    out.extend((name, symbol_index(name)) for name in symbol_names(item))
    return out
