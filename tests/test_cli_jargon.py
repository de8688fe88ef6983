"""`jianghu jargon candidates|accept` and `jianghu eval jargon` from the analyst's side."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from jianghu.analysis.lexicon import load_lexicon
from jianghu.analysis.normalize import normalize
from jianghu.analysis.pipeline import analyse
from jianghu.errors import ConfigError
from jianghu.faces.cli_jargon import eval_jargon, jargon_app
from jianghu.intel.jargon import accept_term
from jianghu.store import open_store
from tests.analysis.test_jargon import PLANT, TUMCC, synthetic_corpus
from tests.conftest import make_message

app = typer.Typer()
app.add_typer(jargon_app, name="jargon")
eval_app = typer.Typer()
eval_app.command("jargon")(eval_jargon)
app.add_typer(eval_app, name="eval")
runner = CliRunner()


def test_candidates_from_the_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    store = open_store(url)
    try:
        messages = [make_message(str(i), t) for i, t in enumerate(synthetic_corpus(), 1)]
        store.write_batch(analyse(messages), None)
    finally:
        store.close()
    result = runner.invoke(app, ["jargon", "candidates", "--db", url, "--json", "--limit", "5"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found[0]["term"] == PLANT and found[0]["examples"]
    table = runner.invoke(app, ["jargon", "candidates", "--db", url, "--limit", "3"])
    assert table.exit_code == 0 and PLANT in table.stdout


def test_accept_writes_a_row_the_lexicon_then_recognises(tmp_path: Path) -> None:
    path = tmp_path / "mine.tsv"
    result = runner.invoke(
        app,
        ["jargon", "accept", PLANT, "--category", "card_fraud", "--gloss", "test card data",
         "--file", str(path)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8").startswith("term\tvariants\tkind")
    hits = load_lexicon([path]).match(normalize(f"出{PLANT} 私聊"))
    assert [(h.canonical, h.category) for h in hits if h.canonical == PLANT] == [
        (PLANT, "card_fraud")
    ]
    accept_term("鲸鱼号", "account_trade", "test account", path=path)  # appends
    assert len(path.read_text(encoding="utf-8").splitlines()) == 3


def test_a_bad_category_is_one_line_and_leaves_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "mine.tsv"
    result = runner.invoke(
        app, ["jargon", "accept", PLANT, "--category", "cards", "--gloss", "x", "--file", str(path)]
    )
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "unknown category 'cards'" in lines[0]
    assert not path.exists()
    accept_term(PLANT, "card_fraud", "test card data", path=path)
    before = path.read_text(encoding="utf-8")
    with pytest.raises(ConfigError, match="same sense"):
        accept_term(PLANT, "card_fraud", "again", path=path)
    assert path.read_text(encoding="utf-8") == before


@pytest.mark.skipif(
    not TUMCC.is_file() and os.environ.get("CI") != "true", reason="TUMCC corpus not present"
)
def test_eval_jargon_reports_recall_for_miner_and_baseline() -> None:
    args = ["eval", "jargon", "--corpus", str(TUMCC), "--lines", "3000", "--hide", "10", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report["miner_recall"]) == {"50", "100"}
    assert report["hide"] == 10 and len(report["new_candidates"]) == 20
