"""`jianghu gloss` and `jianghu eval lexicon` from the analyst's side."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from jianghu.cli import app

runner = CliRunner()


def test_gloss_json_terms_point_into_the_original() -> None:
    text = "出料 一手 裤子 联系 飛機@abc_def 冰蝎"
    result = runner.invoke(app, ["gloss", text, "--json"])
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["language"] in ("zh-Hans", "zh-Hant")
    terms = {t["canonical"]: t for t in out["terms"]}
    for term in terms.values():
        assert set(term) >= {"term", "canonical", "kind", "category", "gloss", "start", "end"}
        assert text[term["start"] : term["end"]]
    assert terms["裤子"]["category"] == "data_leak"
    assert text[terms["冰蝎"]["start"] : terms["冰蝎"]["end"]] == "冰蝎"
    assert terms["冰蝎"]["category"] == "hacking_tool"
    assert "[" in out["annotated"]


def test_gloss_reads_lines_from_stdin_and_escapes_them() -> None:
    result = runner.invoke(app, ["gloss", "-"], input="出料\n[bold]跑分\x1b[31m\n")
    assert result.exit_code == 0, result.stderr
    assert "\x1b[31m" not in result.stdout and "\\x1b[31m" in result.stdout
    assert "[bold]" in result.stdout  # shown as text, not applied
    assert len([ln for ln in result.stdout.splitlines() if ln.strip()]) >= 2


def test_user_lexicon_adds_a_term(tmp_path: Path) -> None:
    builtin = runner.invoke(app, ["gloss", "收 火星料", "--json"])
    assert "火星料" not in {t["canonical"] for t in json.loads(builtin.stdout)["terms"]}
    from importlib.resources import files

    header = (files("jianghu.analysis") / "data" / "lexicon").iterdir()
    sample = next(p for p in header if p.name.endswith(".tsv") and p.name != "sources.tsv")
    columns = sample.read_text(encoding="utf-8").splitlines()[0].split("\t")
    row = {c: "-" for c in columns}
    row.update(term="火星料", kind="offer", category="data_leak",
               gloss="made-up test data term", source="analysts")  # fmt: skip
    if "pinyin" in row:
        row["pinyin"] = "huoxingliao"
    extra = tmp_path / "mine.tsv"
    extra.write_text(
        "\t".join(columns) + "\n" + "\t".join(row[c] for c in columns) + "\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["gloss", "收 火星料", "--json", "--lexicon", str(extra)])
    assert result.exit_code == 0, result.stderr
    assert "火星料" in {t["canonical"] for t in json.loads(result.stdout)["terms"]}


def test_bad_user_lexicon_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("this is not a lexicon\n", encoding="utf-8")
    result = runner.invoke(app, ["gloss", "出料", "--lexicon", str(bad)])
    assert result.exit_code == 2
    assert str(bad) in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_eval_lexicon_json() -> None:
    result = runner.invoke(app, ["eval", "lexicon", "--json", "--demo", "300"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["total"] >= 200 and report["coverage"] >= 0.95
    assert report["terms"] >= 600
    demo = report["demo"]
    assert demo["all chats"]["messages"] >= 250
    # Offer channels are mostly jargon; the chatter group much less so.
    assert demo["all chats"]["with_term"] / demo["all chats"]["messages"] > 0.5


def test_eval_language_json() -> None:
    result = runner.invoke(app, ["eval", "language", "--json"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["messages"] >= 300
    assert set(report["by_label"]) == {"zh-Hans", "zh-Hant", "en", "ru", "other"}
    assert report["accuracy"] >= 0.95


def test_gloss_explains_indicators_and_masks_victims_data() -> None:
    text = "出卡 6222021234567894 联系飛機@abc_def 地址 TJRabPrwbZy45sbavfcjinPJC18kjpRTv8"
    result = runner.invoke(app, ["gloss", text, "--json"])
    out = json.loads(result.stdout)
    assert "6222021234567894" not in result.stdout
    assert "622202******7894[payment card number (unionpay)]" in out["annotated"]
    assert "@abc_def[Telegram contact]" in out["annotated"]
    assert "TJRabPrwbZy45sbavfcjinPJC18kjpRTv8[TRON wallet]" in out["annotated"]
    assert {e["type"] for e in out["entities"]} >= {"card_number", "telegram_handle"}
