"""The model in the package is the one the training code makes from the training data in
the package, it is small, and it explains itself."""

from __future__ import annotations

import json
from importlib.resources import files

from jianghu.analysis.classify import classify_texts, explain, feature_input, load_model
from jianghu.analysis.classify.train import train
from jianghu.analysis.classify.trainset import training_data

FOLDER = files("jianghu.analysis") / "data" / "classify"


def _meta() -> dict[str, object]:
    return dict(json.loads((FOLDER / "model.json").read_text(encoding="utf-8")))


def test_model_file_is_small_and_matches_its_report() -> None:
    blob = (FOLDER / "model.npz").read_bytes()
    assert len(blob) < 20 * 1024 * 1024
    assert _meta()["version"] == load_model().version


def test_shipped_model_is_reproduced_from_the_shipped_training_data() -> None:
    data = training_data()
    assert _meta()["data_digest"] == data.digest(), "training data changed: run make model"
    model, report = train(data)
    assert model.version == load_model().version
    assert json.loads(json.dumps(report.to_json())) == _meta()


def test_classification_comes_with_reasons() -> None:
    [result] = classify_texts(["出台湾身份证正反面 手持照 一套20U 飞机私聊"])
    assert result.categories[0] == "fake_identity" and result.intent == "sell"
    assert 0.5 <= result.scores["fake_identity"] <= 1.0
    reasons = explain(feature_input("出台湾身份证正反面 手持照"), "fake_identity")
    assert reasons and reasons[0].weight > 0
    assert any("身份" in r.feature or r.feature.startswith("term:") for r in reasons)


def test_an_exposure_never_sells() -> None:
    [result] = classify_texts(["曝光骗子 @fake_seller 收了钱不发卡料 大家避雷"])
    assert "scam_report" in result.categories and result.intent == "other"
