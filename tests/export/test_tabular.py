"""CSV and JSONL exports: fixed columns, the same filters as the other exports, victims'
data masked unless revealed (and the reveal logged), spreadsheet formulas neutralised."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from jianghu.cli import app
from jianghu.export.tabular import columns, neutralise
from jianghu.store.base import Store
from tests.report.market import CARD, HOSTILE_NAME, PHONE, T0, build_market, store_id

runner = CliRunner()


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_formula_cells_are_neutralised() -> None:
    for cell in ("=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise(cell) == "'" + cell
    assert (
        neutralise("出料 =50U") == "出料 =50U" and neutralise(-3) == -3 and neutralise(None) is None
    )


def test_csv_messages_are_masked_and_neutralised(store_url: str, store: Store) -> None:
    build_market(store)
    result = runner.invoke(app, ["export", "csv", "messages", "--db", store_url])
    assert result.exit_code == 0, result.stderr
    rows = _csv(result.stdout)
    assert list(rows[0]) == columns("messages") and len(rows) == 18
    [evil] = [r for r in rows if r["message_id"] == "50"]
    assert evil["author"] == "'" + HOSTILE_NAME  # a spreadsheet shows it, never runs it
    text = result.stdout
    assert CARD not in text and "411111******1111" in text
    assert PHONE not in text and "+86138****8000" in text


def test_reveal_shows_the_numbers_and_is_logged(store_url: str, store: Store) -> None:
    build_market(store)
    result = runner.invoke(app, ["export", "jsonl", "entities", "--db", store_url, "--reveal"])
    assert result.exit_code == 0, result.stderr
    values = {(e["type"], e["value"]) for e in map(json.loads, result.stdout.splitlines())}
    assert ("card_number", CARD) in values and ("phone", PHONE) in values
    assert [r[0] for r in store._all("SELECT command FROM reveal_log")] == ["export jsonl entities"]
    masked = runner.invoke(app, ["export", "jsonl", "entities", "--db", store_url])
    shown = {(e["type"], e["value"]) for e in map(json.loads, masked.stdout.splitlines())}
    assert ("card_number", "411111******1111") in shown and ("card_number", CARD) not in shown
    [card] = [json.loads(x) for x in masked.stdout.splitlines() if '"card_number"' in x][:1]
    assert json.loads(card["attrs"]) == {"bin": "411111", "scheme": "visa"}


def test_filters_narrow_every_kind(store_url: str, store: Store, tmp_path: Path) -> None:
    build_market(store)

    def rows(kind: str, *args: str) -> list[dict[str, object]]:
        out = tmp_path / f"{kind}.jsonl"
        result = runner.invoke(
            app, ["export", "jsonl", kind, "--db", store_url, "-o", str(out), *args]
        )
        assert result.exit_code == 0, result.stderr
        return [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]

    assert len(rows("messages")) == 18
    leak = rows("messages", "--category", "data_leak")
    assert {r["message_id"] for r in leak} == {"22", "51"}
    late = rows("messages", "--since", T0.replace(day=25).date().isoformat())
    assert late and all(str(r["posted_at"]) >= "2026-03-25" for r in late)
    tools = rows("messages", "--channel", "网安")
    assert {r["message_id"] for r in tools} == {"40", "41"}
    actor = tools[0]["actor_id"]
    assert {r["message_id"] for r in rows("messages", "--actor", str(actor))} == {"40", "41"}
    offers = rows("offers", "--category", "card_fraud")
    assert offers and all("card_fraud" in str(o["categories"]) for o in offers)
    assert str(store_id(store, "10")) in str(offers[0]["message_ids"]).split() or any(
        str(store_id(store, "10")) in str(o["message_ids"]).split() for o in offers
    )
    trusted = rows("actors", "--min-reputation", "60")
    everyone = rows("actors")
    assert len(trusted) < len(everyone) and all(int(str(a["reputation"])) >= 60 for a in trusted)


def test_empty_csv_has_its_header_and_bad_kind_is_one_line(store_url: str, store: Store) -> None:
    build_market(store)
    result = runner.invoke(
        app, ["export", "csv", "offers", "--db", store_url, "--since", "2030-01-01"]
    )
    assert result.exit_code == 0 and result.stdout.strip() == ",".join(columns("offers"))
    bad = runner.invoke(app, ["export", "csv", "wallets", "--db", store_url])
    assert bad.exit_code == 2
    assert bad.stderr.strip() == (
        "error: KIND 'wallets': expected one of messages, offers, actors, entities"
    )


def test_an_unwritable_output_is_one_line_and_leaves_nothing(
    store_url: str, store: Store, tmp_path: Path
) -> None:
    build_market(store)
    target = tmp_path / "missing" / "x.csv"
    result = runner.invoke(app, ["export", "csv", "actors", "--db", store_url, "-o", str(target)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {target}: cannot write:")
    assert not target.parent.exists()
