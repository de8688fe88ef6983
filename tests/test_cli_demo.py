"""`jianghu demo` end to end: generate, ingest, search the result, on both backends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jianghu.cli import app

runner = CliRunner()


def test_demo_out_writes_only_the_export(tmp_path: Path) -> None:
    target = tmp_path / "export.json"
    result = runner.invoke(app, ["demo", "--messages", "300", "--out", str(target), "--json"])
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["messages"] == 300 and summary["path"] == str(target)
    assert target.stat().st_size == summary["bytes"]
    assert not (tmp_path / "jianghu.db").exists()


def test_demo_ingests_and_search_finds_offers(tmp_path: Path, store_url: str) -> None:
    result = runner.invoke(
        app,
        ["demo", "--messages", "1500", "--out", str(tmp_path / "demo" / "result.json")],
    )
    assert result.exit_code == 0, result.stderr
    result = runner.invoke(app, ["ingest", str(tmp_path / "demo"), "--db", store_url, "--json"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["read"] == 1500 and report["new"] == 1500 and report["errors"] == []
    assert report["events"] > 0  # the generator writes service messages too
    # Traditional and simplified spellings find each other, one character finds its word.
    for query in ("料", "四件套", "资料", "資料", "CVV", "担保"):
        found = runner.invoke(app, ["search", query, "--db", store_url, "--json", "--limit", "5"])
        assert found.exit_code == 0, found.stderr
        hits = json.loads(found.stdout)
        assert hits, query
        assert all(h["highlights"] for h in hits), query
    # Ingesting the same corpus again changes nothing.
    again = runner.invoke(app, ["ingest", str(tmp_path / "demo"), "--db", store_url, "--json"])
    assert json.loads(again.stdout)["new"] == 0


def test_demo_reports_categories_and_offers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(
        app, ["demo", "--messages", "1500", "--db", f"sqlite:///{tmp_path / 'd.db'}", "--json"]
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    cats = {row["category"] for row in report["categories"]}
    assert {"card_fraud", "data_leak", "money_laundering", "scam_report"} <= cats
    offers = report["offers"]
    assert 0 < offers["offers"] < offers["candidates"] and offers["reposted"] > 0
    actors = report["actors"]
    assert 0 < actors["actors"] < actors["accounts"] and actors["multi_account_actors"] > 0
    # It ends with the landscape report, self-contained, beside the demo export.
    html = Path(report["report"]["html"])
    assert html == Path("demo/report.html") and "Exposed scammers" in html.read_text("utf-8")
    assert Path(report["report"]["markdown"]).exists()
    text = runner.invoke(
        app, ["demo", "--messages", "300", "--db", f"sqlite:///{tmp_path / 'e.db'}"]
    )
    assert "messages by category and intent" in text.stdout and "offers from" in text.stdout
    assert "landscape report:" in text.stdout
