"""Language identification: script first, so short mixed ads come out Chinese."""

from __future__ import annotations

import json
from collections import Counter
from importlib.resources import files

import pytest

from jianghu.analysis.language import LANGUAGES, detect_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("出料 @abc_def CVV", "zh-Hans"),
        ("CVV 出料", "zh-Hans"),
        ("TG: @abc_def 出各种料", "zh-Hans"),
        ("出售四件套，價格優惠，請聯繫", "zh-Hant"),
        ("出料", "zh-Hans"),  # the same in both scripts: simplified is the norm
        ("我們這個群", "zh-Hant"),
        ("Selling fresh CVV fullz, DM me", "en"),
        ("CVV fullz", "en"),
        ("Продаю базы данных, пишите в лс", "ru"),
        ("Привіт, як справи", "other"),  # Ukrainian
        ("アカウントを販売しています", "other"),
        ("Vendo cuentas baratas", "other"),
        ("@abc_def https://t.me/x", "other"),
        ("", "other"),
        ("12345 🔥", "other"),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def _labelled() -> list[dict[str, str]]:
    path = files("jianghu.analysis") / "data" / "language_eval.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_labelled_set_covers_every_label() -> None:
    rows = _labelled()
    assert len(rows) >= 300
    counts = Counter(row["label"] for row in rows)
    assert set(counts) == set(LANGUAGES)


def test_accuracy_on_labelled_set() -> None:
    rows = _labelled()
    wrong = [(r["text"], r["label"]) for r in rows if detect_language(r["text"]) != r["label"]]
    accuracy = 1 - len(wrong) / len(rows)
    print(f"language accuracy {accuracy:.3f} on {len(rows)} messages; wrong: {wrong}")
    assert accuracy >= 0.95, wrong
