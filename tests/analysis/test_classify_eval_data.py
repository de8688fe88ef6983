"""The frozen classification evaluation set and the TUMCC hand labels.

These files are the yardstick for the classifier: they are checked for shape, coverage
and, through the hashes recorded in EVALUATION.md, for silent change.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SHARED

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src" / "jianghu" / "analysis" / "data" / "classify"
EVAL = DATA / "eval.jsonl"
TUMCC_LABELS = DATA / "tumcc_labels.tsv"
EVALUATION_MD = ROOT / "EVALUATION.md"
CORPUS = SHARED / "corpora" / "tumcc" / "TUMCC-clean.txt"
CORPUS_LINES = 10088  # TUMCC-clean.txt as described in its README

# The contract of ../shared/TAXONOMY.md, hard-coded on purpose.
CATEGORIES = frozenset(
    {
        "data_leak",
        "card_fraud",
        "money_laundering",
        "fake_identity",
        "kyc_bypass",
        "sim_sms",
        "account_trade",
        "hacking_service",
        "hacking_tool",
        "fraud_service",
        "gambling",
        "drugs",
        "escrow_guarantee",
        "scam_report",
    }
)
INTENTS = frozenset({"sell", "buy", "recruit", "other"})

MIN_MESSAGES = 800
MIN_NOVEL_SHARE = 0.25
MIN_NONE = 120
MIN_PER_CATEGORY = 40
MIN_TUMCC = 300


@pytest.fixture(scope="module")
def messages() -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(EVAL.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"eval.jsonl line {number} is empty"
        row = json.loads(line)
        assert isinstance(row, dict), f"eval.jsonl line {number} is not an object"
        rows.append(row)
    return rows


@pytest.fixture(scope="module")
def tumcc_rows() -> list[tuple[int, list[str], str]]:
    lines = TUMCC_LABELS.read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t") == ["line", "categories", "intent"]
    rows = []
    for number, line in enumerate(lines[1:], 2):
        fields = line.split("\t")
        assert len(fields) == 3, f"tumcc_labels.tsv line {number}: expected 3 columns"
        raw_line, raw_categories, intent = fields
        assert raw_line.isdigit(), f"tumcc_labels.tsv line {number}: line is not a number"
        categories = [] if raw_categories == "-" else raw_categories.split(",")
        rows.append((int(raw_line), categories, intent))
    return rows


def _recorded_hash(name: str) -> str:
    text = EVALUATION_MD.read_text(encoding="utf-8")
    found = re.findall(rf"`{re.escape(name)}`[^\n]*?\b([0-9a-f]{{64}})\b", text)
    assert len(set(found)) == 1, f"EVALUATION.md must record exactly one sha256 for {name}"
    return found[0]


def test_eval_fields_and_values(messages: list[dict[str, Any]]) -> None:
    for row in messages:
        assert set(row) <= {"id", "text", "categories", "intent", "novel_wording", "note"}
        assert {"id", "text", "categories", "intent", "novel_wording"} <= set(row)
        assert re.fullmatch(r"e\d{4,}", row["id"]), row["id"]
        assert isinstance(row["text"], str) and row["text"].strip(), row["id"]
        assert isinstance(row["categories"], list), row["id"]
        assert set(row["categories"]) <= CATEGORIES, row["id"]
        assert len(set(row["categories"])) == len(row["categories"]), row["id"]
        assert row["intent"] in INTENTS, row["id"]
        assert isinstance(row["novel_wording"], bool), row["id"]
        assert isinstance(row.get("note", ""), str), row["id"]


def test_eval_ids_and_texts_unique(messages: list[dict[str, Any]]) -> None:
    ids = Counter(row["id"] for row in messages)
    texts = Counter(row["text"] for row in messages)
    assert [i for i, n in ids.items() if n > 1] == []
    assert [t for t, n in texts.items() if n > 1] == []


def test_eval_size_and_coverage(messages: list[dict[str, Any]]) -> None:
    assert len(messages) >= MIN_MESSAGES
    novel = sum(row["novel_wording"] for row in messages)
    assert novel / len(messages) >= MIN_NOVEL_SHARE
    assert sum(not row["categories"] for row in messages) >= MIN_NONE
    per_category = Counter(c for row in messages for c in row["categories"])
    assert {c: per_category[c] for c in CATEGORIES if per_category[c] < MIN_PER_CATEGORY} == {}
    assert {row["intent"] for row in messages} == INTENTS


def test_tumcc_labels(tumcc_rows: list[tuple[int, list[str], str]]) -> None:
    assert len(tumcc_rows) >= MIN_TUMCC
    line_numbers = [line for line, _, _ in tumcc_rows]
    assert len(set(line_numbers)) == len(line_numbers), "line numbers repeat"
    for line, categories, intent in tumcc_rows:
        assert 1 <= line <= CORPUS_LINES, line
        assert set(categories) <= CATEGORIES, line
        assert len(set(categories)) == len(categories), line
        assert intent in INTENTS, line


@pytest.mark.skipif(not CORPUS.is_file(), reason=f"TUMCC corpus not found at {CORPUS}")
def test_tumcc_labels_point_at_distinct_lines(
    tumcc_rows: list[tuple[int, list[str], str]],
) -> None:
    corpus = CORPUS.read_text(encoding="utf-8").split("\n")
    if corpus and corpus[-1] == "":
        corpus.pop()
    assert len(corpus) == CORPUS_LINES
    # The corpus is word-segmented; two lines are the same when they differ only in spaces.
    texts = ["".join(corpus[line - 1].split()) for line, _, _ in tumcc_rows]
    assert all(texts), "a label points at an empty line"
    assert len(set(texts)) == len(texts), "two labels point at the same text"


@pytest.mark.parametrize("path", [EVAL, TUMCC_LABELS], ids=lambda p: p.name)
def test_frozen_hash(path: Path) -> None:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == _recorded_hash(path.name), (
        f"{path.name} changed: the evaluation set is frozen (see EVALUATION.md)"
    )
