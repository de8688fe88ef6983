"""The feature hasher: stable indices, no n-gram across messages, and the explaining
(named) path agrees with the fast one."""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from jianghu.analysis.classify.features import (
    DIM,
    FeatureInput,
    batch_features,
    named_features,
    symbol_index,
    symbol_indices,
    symbol_names,
)
from jianghu.analysis.entities import Entity
from jianghu.analysis.lexicon import TermHit


def _row(batch, i):  # type: ignore[no-untyped-def]
    return Counter(batch.indices[batch.indptr[i] : batch.indptr[i + 1]].tolist())


def test_indices_are_fixed_numbers_not_salted_hashes() -> None:
    # Pinned: a model trained on one machine must mean the same on another.
    assert symbol_index("cat:drugs") == symbol_index("cat:drugs")
    assert 0 <= symbol_index("bias") < DIM
    first = batch_features([FeatureInput("出料")]).indices.tolist()
    assert first == batch_features([FeatureInput("出料")]).indices.tolist()
    assert sorted(first) == sorted(
        [218396, 47536, 103352, 175784, 210854, 45167, 30277, 166891, 141763]
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=30), min_size=1, max_size=5))
def test_a_message_has_the_same_features_alone_or_in_a_batch(texts: list[str]) -> None:
    items = [FeatureInput(t) for t in texts]
    together = batch_features(items)
    for i, item in enumerate(items):
        alone = batch_features([item])
        assert _row(together, i) == _row(alone, 0)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40))
def test_named_features_agree_with_the_fast_path(text: str) -> None:
    item = FeatureInput(text)
    fast = _row(batch_features([item]), 0)
    named = {index for _, index in named_features(item)}
    assert set(fast) == named and set(fast.values()) == {1}  # each feature once


def test_digits_collapse_and_every_message_has_a_bias() -> None:
    a = batch_features([FeatureInput("12u一条")])
    b = batch_features([FeatureInput("95u一条")])
    assert _row(a, 0) == _row(b, 0)
    empty = batch_features([FeatureInput("")])
    assert len(empty) == 1 and symbol_index("bias") in _row(empty, 0)
    assert np.all(np.diff(empty.indptr) > 0)


def test_named_features_read_as_text() -> None:
    names = {name for name, _ in named_features(FeatureInput("出料 8u cvv fullz"))}
    assert {"出料", "^出", "0u", "z$", "bias", "w:cvv", "w2:cvv fullz"} <= names


def _hits(draw_terms: list[tuple[str, str, str | None]]) -> tuple[TermHit, ...]:
    return tuple(TermHit(c, c, k, cat, "", 1.0, 0, len(c)) for c, k, cat in draw_terms)


_TERMS = st.lists(
    st.tuples(
        st.sampled_from(["料", "四件套", "跑分", "cvv"]),
        st.sampled_from(["jargon", "product"]),
        st.sampled_from([None, "drugs", "card_fraud"]),
    ),
    max_size=4,
)


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=40), _TERMS, st.lists(st.sampled_from(["qq", "price", "url"]), max_size=3))
def test_cached_symbol_indices_are_the_named_symbols(
    text: str, terms: list[tuple[str, str, str | None]], ents: list[str]
) -> None:
    entities = tuple(Entity(t, "x", "x", 0, 1, True) for t in ents)
    item = FeatureInput(text + " cvv fullz dumps", _hits(terms), entities)
    assert sorted(symbol_indices(item)) == sorted(map(symbol_index, symbol_names(item)))


def test_batches_too_big_for_32_bit_keys_give_the_same_rows() -> None:
    texts = [f"出料{i % 97} cvv {i % 13}" for i in range(1 << 14)]  # the 64-bit key path
    items = [FeatureInput(t) for t in texts]
    big = batch_features(items)
    for start in (0, 5000, (1 << 14) - 256):
        small = batch_features(items[start : start + 256])
        for i in range(0, 256, 17):
            assert _row(big, start + i) == _row(small, i)
