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
)


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
