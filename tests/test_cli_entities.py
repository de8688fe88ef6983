"""Indicators on the analyst's side: extract, entities, search --entity, and masking of
victims' data with logged reveals."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from jianghu.cli import app
from jianghu.store import open_store

runner = CliRunner()
CARD = "6222021234567894"  # Luhn-valid UnionPay test number
TRON = "TJRabPrwbZy45sbavfcjinPJC18kjpRTv8"

EXPORT = {
    "name": "卡料群",
    "type": "public_supergroup",
    "id": 5,
    "messages": [
        {"id": 1, "type": "message", "date_unixtime": "1772352000", "from": "卡王",
         "from_id": "user1", "text": f"出 国内卡 {CARD} 带CVV 找 @Card_King 付U到 {TRON}"},
        {"id": 2, "type": "message", "date_unixtime": "1772352100", "from": "卡王二号",
         "from_id": "user2", "text": f"新货到 联系 @card_king 地址 {TRON}"},
        {"id": 3, "type": "message", "date_unixtime": "1772352200", "from": "路人",
         "from_id": "user3", "text": "今天不出货"},
    ],
}  # fmt: skip


def ingest(tmp_path: Path, store_url: str) -> None:
    path = tmp_path / "result.json"
    path.write_text(json.dumps(EXPORT, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(path), "--db", store_url])
    assert result.exit_code == 0, result.stderr


def test_search_by_entity_and_listing(tmp_path: Path, store_url: str) -> None:
    ingest(tmp_path, store_url)
    found = runner.invoke(
        app, ["search", "--entity", f"tron_address:{TRON}", "--db", store_url, "--json"]
    )
    assert found.exit_code == 0, found.stderr
    assert sorted(h["author"] for h in json.loads(found.stdout)) == ["卡王", "卡王二号"]
    # Handles are normalised the way the extractor normalises them.
    found = runner.invoke(
        app, ["search", "--entity", "telegram_handle:@CARD_KING", "--db", store_url, "--json"]
    )
    assert len(json.loads(found.stdout)) == 2
    listed = runner.invoke(app, ["entities", "--db", store_url, "--json"])
    rows = {(r["type"], r["normalized"]): r for r in json.loads(listed.stdout)}
    assert rows[("tron_address", TRON)]["messages"] == 2
    assert rows[("tron_address", TRON)]["authors"] == 2
    assert rows[("telegram_handle", "card_king")]["messages"] == 2


def test_victims_data_is_masked_unless_revealed_and_reveals_are_logged(
    tmp_path: Path, store_url: str
) -> None:
    ingest(tmp_path, store_url)
    shown = runner.invoke(app, ["search", "国内卡", "--db", store_url, "--json"])
    [hit] = json.loads(shown.stdout)
    assert CARD not in hit["text"] and CARD not in hit["snippet"]
    assert "622202******7894" in hit["text"]
    listed = runner.invoke(app, ["entities", "--type", "card_number", "--db", store_url, "--json"])
    assert json.loads(listed.stdout)[0]["normalized"] == "622202******7894"
    store = open_store(store_url)
    try:
        assert store._all("SELECT count(*) FROM reveal_log")[0][0] == 0
    finally:
        store.close()
    revealed = runner.invoke(app, ["search", "国内卡", "--db", store_url, "--json", "--reveal"])
    assert CARD in json.loads(revealed.stdout)[0]["text"]
    store = open_store(store_url)
    try:
        [(command, detail)] = store._all("SELECT command, detail FROM reveal_log")
    finally:
        store.close()
    assert command == "search" and "国内卡" in detail


def test_extract_jsonl_contract(tmp_path: Path) -> None:
    lines = "\n".join(
        [
            json.dumps({"id": "a", "text": f"卡 {CARD} 联系 @Card_King"}, ensure_ascii=False),
            json.dumps({"id": "b"}),
            "not json",
            json.dumps({"id": 7, "text": "没有指标"}, ensure_ascii=False),
            "",  # a blank line is answered too: output lines stay aligned with input lines
            json.dumps({"id": 9, "text": "无"}, ensure_ascii=False),
        ]
    )
    db = f"--db=sqlite:///{tmp_path / 'j.db'}"
    result = runner.invoke(app, ["extract", "-", db], input=lines)
    assert result.exit_code == 1, result.stderr  # some lines could not be read
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "b", None, 7, None, 9]
    assert "<stdin>:5:1: empty line" in out[4]["error"]
    clean = runner.invoke(app, ["extract", "-", db], input=lines.splitlines()[0] + "\n")
    assert clean.exit_code == 0, clean.stderr
    card = next(e for e in out[0]["entities"] if e["type"] == "card_number")
    assert card["value"] == "622202******7894" and card["attrs"]["scheme"] == "unionpay"
    handle = next(e for e in out[0]["entities"] if e["type"] == "telegram_handle")
    assert (handle["value"], handle["normalized"]) == ("@Card_King", "card_king")
    assert set(handle) == {"type", "value", "normalized", "start", "end", "valid", "attrs"}
    assert "error" in out[1] and "error" in out[2] and out[3]["entities"] == []
    revealed = runner.invoke(app, ["extract", "-", "--reveal", db], input=lines)
    assert CARD in revealed.stdout


def test_eval_entities_reports_every_type() -> None:
    from jianghu.analysis.entities import ENTITY_TYPES

    result = runner.invoke(app, ["eval", "entities", "--json"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["messages"] >= 500
    assert set(report["types"]) == set(ENTITY_TYPES)
    assert all(t["tp"] + t["fn"] >= 30 for t in report["types"].values())
    assert sum(t["total"] for t in report["traps"].values()) >= 300
