"""The trainer: deterministic, learns what it is shown, calibrates; the training data is
valid, large enough, and shares no message with the evaluation set."""

from __future__ import annotations

import json
from collections import Counter
from importlib.resources import files

import numpy as np
import pytest

from jianghu.analysis.classify.linear import INTENTS, LinearModel
from jianghu.analysis.classify.train import (
    HyperParameters,
    brier,
    encode,
    expected_calibration_error,
    fit,
    fit_platt,
)
from jianghu.analysis.classify.trainset import (
    Example,
    hand_written,
    parse_examples,
    training_data,
)
from jianghu.analysis.lexicon import CATEGORIES
from jianghu.analysis.normalize import normalize
from jianghu.errors import ConfigError

SMALL = HyperParameters(epochs=6)


def _toy() -> list[Example]:
    rows = []
    for i in range(30):
        rows.append(Example(f"d{i}", f"d{i}", f"出叶子 {i}克 同城埋包", ("drugs",), "sell", "t"))
        rows.append(Example(f"c{i}", f"c{i}", f"收 CVV 卡头{i} 私聊", ("card_fraud",), "buy", "t"))
        rows.append(Example(f"n{i}", f"n{i}", f"今天天气不错 第{i}天", (), "other", "t"))
    return rows


def test_training_is_deterministic_and_learns() -> None:
    data = encode(_toy())
    rows = np.arange(len(data.groups))
    a, b = fit(data, rows, SMALL), fit(data, rows, SMALL)
    assert a.to_bytes() == b.to_bytes()
    probe = encode([Example("x", "x", "出叶子 同城", (), "other", "t")])
    cats, intents = LinearModel.from_bytes(a.to_bytes()).predict(probe.features)
    assert cats[0, CATEGORIES.index("drugs")] > 0.5 > cats[0, CATEGORIES.index("card_fraud")]
    assert INTENTS[int(intents[0].argmax())] == "sell"


def test_model_bytes_round_trip_and_version_follows_the_weights() -> None:
    data = encode(_toy())
    model = fit(data, np.arange(len(data.groups)), SMALL)
    blob = model.to_bytes()
    again = LinearModel.from_bytes(blob)
    assert again.to_bytes() == blob
    assert again.version == LinearModel.from_bytes(blob).version
    model.bias[0] += 1.0
    assert LinearModel.from_bytes(model.to_bytes()).version != again.version


def test_a_broken_model_file_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="not a jianghu classifier model"):
        LinearModel.from_bytes(b"not a zip", "model.npz")


def test_platt_scaling_recovers_a_known_slope() -> None:
    rng = np.random.default_rng(1)
    z = rng.normal(0, 3, 4000).astype(np.float32)
    p_true = 1 / (1 + np.exp(-(0.5 * z - 1.0)))
    y = (rng.random(4000) < p_true).astype(np.float32)
    a, b = fit_platt(z, y)
    assert abs(a - 0.5) < 0.08 and abs(b + 1.0) < 0.15


def test_calibration_measures() -> None:
    p = np.array([[0.9, 0.1], [0.8, 0.2]], np.float32)
    y = np.array([[1, 0], [1, 0]], np.float32)
    assert brier(p, y) == pytest.approx((0.01 + 0.01 + 0.04 + 0.04) / 4)
    # bins: 0.1 and 0.2 (true rate 0), 0.8 and 0.9 (true rate 1)
    assert expected_calibration_error(p, y) == pytest.approx((0.1 + 0.2 + 0.2 + 0.1) / 4)


def test_bad_training_lines_name_file_and_line() -> None:
    with pytest.raises(ConfigError, match=r"x\.jsonl:2: 'categories' must list"):
        list(
            parse_examples(
                [
                    '{"id":"a","text":"出料","categories":["data_leak"],"intent":"sell"}',
                    '{"id":"b","text":"出料","categories":["bogus"],"intent":"sell"}',
                ],
                "x.jsonl",
            )
        )


def test_training_data_is_large_varied_and_apart_from_the_evaluation_set() -> None:
    hand = hand_written()
    assert len(hand) >= 4000
    cells = Counter((c, ex.intent) for ex in hand for c in ex.categories)
    for category in CATEGORIES:
        intents = ("other",) if category == "scam_report" else INTENTS
        for intent in intents:
            assert cells[(category, intent)] >= 5, (category, intent)
    assert sum(1 for ex in hand if not ex.categories) >= 500
    assert len({ex.id for ex in hand}) == len(hand)
    # No evaluation message (folded, so traditional and spacing variants count) is in
    # the training data; short chat ("ok", "收到", "哈哈哈哈哈笑死我了") may coincide by
    # nature.
    path = files("jianghu.analysis") / "data" / "classify" / "eval.jsonl"
    eval_texts = {
        normalize(json.loads(line)["text"]).text
        for line in path.read_text(encoding="utf-8").splitlines()
    }
    data = training_data()
    leaked = [
        ex.id
        for ex in [*data.train, *data.held_out]
        if (folded := normalize(ex.text).text) in eval_texts and len(folded) > 12
    ]
    assert not leaked


def test_held_out_groups_are_never_in_training() -> None:
    data = training_data()
    assert {ex.group for ex in data.train}.isdisjoint({ex.group for ex in data.held_out})
    assert len(data.held_out) >= 300
