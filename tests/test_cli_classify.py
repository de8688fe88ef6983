"""`jianghu annotate`, `jianghu eval classify` and `search --category/--intent` from the
analyst's side."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from jianghu.cli import app

runner = CliRunner()


def test_annotate_writes_one_line_per_input_line_in_order(tmp_path: Path) -> None:
    lines = [
        {"id": "a", "text": "出一手快递料 实名手机号 日更 0.2U一条 @liaozi_boss"},
        {"id": "b", "text": ""},
        "not an object",
        {"id": "d", "text": "今天天气不错，出去走走"},
        {"id": 5, "text": "收银行卡 6222 0212 3456 7890 128 的四件套"},
    ]
    body = "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines)
    source = tmp_path / "in.jsonl"
    source.write_text(body + "\n\n", encoding="utf-8")
    result = runner.invoke(app, ["annotate", str(source)])
    assert result.exit_code == 1, result.stderr  # every line answered, some not readable
    rows = [json.loads(x) for x in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", None, "d", 5, None]
    assert "error" in rows[1] and "in.jsonl:2" in rows[1]["error"]
    assert "error" in rows[2] and "in.jsonl:3" in rows[2]["error"]
    assert "error" in rows[5] and "empty line" in rows[5]["error"]
    first = rows[0]
    assert set(first) == {
        "id", "language", "normalized", "terms", "entities", "categories", "scores", "intent"
    }  # fmt: skip
    assert first["categories"] == ["data_leak"] and first["intent"] == "sell"
    assert first["language"] == "zh-Hans"
    assert set(first["scores"]) >= {"data_leak", "drugs"}
    term = next(t for t in first["terms"] if t["canonical"] == "手机号")
    assert lines[0]["text"][term["start"] : term["end"]] == term["term"]  # type: ignore[index]
    assert {"term", "canonical", "kind", "category", "gloss", "start", "end"} == set(term)
    assert any(e["type"] == "telegram_handle" for e in first["entities"])
    assert rows[3]["categories"] == [] and rows[3]["intent"] == "other"
    # Victims' card numbers are masked in the entities and in the normalised text.
    card = rows[4]
    assert "6222021234567890128" not in json.dumps(card)


def test_annotate_reads_stdin() -> None:
    result = runner.invoke(app, ["annotate", "-"], input='{"id": 1, "text": "招跑分车队 日结"}\n')
    assert result.exit_code == 0
    [row] = [json.loads(x) for x in result.stdout.splitlines()]
    assert "money_laundering" in row["categories"] and row["intent"] == "recruit"


def test_eval_classify_reports_model_and_baseline_and_beats_it() -> None:
    result = runner.invoke(app, ["eval", "classify", "--json", "--tumcc", "/nonexistent/x"])
    assert result.exit_code == 2 and "TUMCC" in result.stderr
    result = runner.invoke(app, ["eval", "classify", "--json"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    model, base = report["model"], report["lexicon_baseline"]
    assert model["messages"] == 867
    assert set(model["per_category"]) == set(base["per_category"])
    assert model["macro_f1"] > base["macro_f1"]
    assert model["intent_accuracy"] > base["intent_accuracy"]
    assert model["none_flagged"] < base["none_flagged"]
    assert report["calibration"]["ece"] < report["calibration"]["ece_uncalibrated"]


def test_search_filters_by_category_and_rejects_unknown_ones(tmp_path: Path) -> None:
    export = tmp_path / "r.json"
    msgs = [
        {"id": 1, "type": "message", "date_unixtime": "1772352000", "from": "a", "from_id": "user1",
         "text": "出一手快递料 实名手机号 日更 0.2U一条"},
        {"id": 2, "type": "message", "date_unixtime": "1772352001", "from": "b", "from_id": "user2",
         "text": "今天天气不错"},
    ]  # fmt: skip
    export.write_text(
        json.dumps({"name": "g", "type": "public_supergroup", "id": 7, "messages": msgs}),
        encoding="utf-8",
    )
    db = f"--db=sqlite:///{tmp_path / 'j.db'}"
    assert runner.invoke(app, ["ingest", str(export), db]).exit_code == 0
    result = runner.invoke(app, ["search", db, "--category", "data_leak", "--json"])
    assert result.exit_code == 0, result.stderr
    [hit] = json.loads(result.stdout)
    assert hit["categories"] == ["data_leak"] and hit["intent"] == "sell"
    result = runner.invoke(app, ["search", db, "--intent", "other", "--json"])
    assert [h["text"] for h in json.loads(result.stdout)] == ["今天天气不错"]
    bad = runner.invoke(app, ["search", db, "--category", "weapons"])
    assert bad.exit_code == 2 and "expected one of" in bad.stderr


def test_annotate_explain_lists_the_features_behind_each_decision() -> None:
    line = '{"id": 1, "text": "出台湾身份证正反面 手持照 一套20U"}\n'
    result = runner.invoke(app, ["annotate", "-", "--explain"], input=line)
    assert result.exit_code == 0, result.stderr
    row = json.loads(result.stdout)
    assert set(row["evidence"]) == {*row["categories"], row["intent"]}
    top = row["evidence"]["fake_identity"][0]
    assert top["weight"] > 0 and isinstance(top["feature"], str)
    assert abs(sum(row["intent_scores"].values()) - 1.0) < 0.01
