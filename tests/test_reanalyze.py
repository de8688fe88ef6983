"""`jianghu reanalyze`: stale analyses are redone once, on both backends; an interrupted
run (SIGKILL) loses nothing and repeats nothing."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from jianghu.analysis.pipeline import analyse, versions
from jianghu.cli import app
from jianghu.reanalyze import reanalyze
from jianghu.store import open_store
from jianghu.store.base import SearchFilters, Store
from tests.conftest import make_message


def _mark_stale(store: Store, every: int = 1) -> None:
    """Make every ``every``-th analysis look as if an older model had made it."""
    ids = sorted(int(r[0]) for r in store._all("SELECT message_id FROM message_analysis"))
    chosen = ids[::every]
    with store._transaction():
        for start in range(0, len(chosen), 500):
            chunk = chosen[start : start + 500]
            store._execute(
                store._q(
                    "UPDATE message_analysis SET model_version = 'm-old' "
                    f"WHERE message_id IN ({', '.join('?' * len(chunk))})"
                ),
                chunk,
            )


def test_reanalyze_redoes_only_stale_messages(store: Store) -> None:
    texts = [
        "出料 一手 @laowang_data",
        "收 CVV",
        "今天吃什么",
        "出 四件套 对公账户",
        "招 卡农 日结",
    ]
    store.write_batch(analyse([make_message(str(i), t) for i, t in enumerate(texts)]), None)
    assert store.count_stale(*versions()) == 0
    assert reanalyze(store).analysed == 0
    _mark_stale(store, 2)
    stale = store.count_stale(*versions())
    assert 0 < stale < len(texts)
    report = reanalyze(store, batch_size=1)
    assert report.analysed == stale and report.stale == stale
    assert store.count_stale(*versions()) == 0
    ids = [h.id for h in store.search([], SearchFilters())]
    assert len(store.analyses_of(ids)) == len(texts)
    assert len(store.entities_of(ids)) >= 1  # indicators were redone, not dropped


def test_reanalyze_cli_reports_json(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    with open_store(url) as store:
        store.write_batch(analyse([make_message("1", "出料")]), None)
        _mark_stale(store)
    result = CliRunner().invoke(app, ["reanalyze", f"--db={url}", "--json"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["stale"] == 1 and report["analysed"] == 1
    assert report["model_version"] == versions()[1]


def test_sigkill_mid_run_then_rerun_analyses_every_message_once(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    url = f"sqlite:///{db}"
    n = 3000
    with open_store(url) as store:
        for start in range(0, n, 500):
            batch = [
                make_message(str(i), f"出料 第{i}批 一手 {i % 97}U")
                for i in range(start, start + 500)
            ]
            store.write_batch(analyse(batch), None)
        _mark_stale(store)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    cmd = [sys.executable, "-m", "jianghu", "reanalyze", f"--db={url}", "--batch-size=20"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen = sqlite3.connect(db)
    try:
        deadline = time.monotonic() + 120
        done = 0
        while time.monotonic() < deadline and proc.poll() is None:
            done = seen.execute(
                "SELECT count(*) FROM message_analysis WHERE model_version <> 'm-old'"
            ).fetchone()[0]
            if done >= 200:
                break
            time.sleep(0.02)
        assert proc.poll() is None, "reanalyze finished before it could be interrupted"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        before = dict(
            seen.execute(
                "SELECT message_id, analysed_at FROM message_analysis "
                "WHERE model_version <> 'm-old'"
            ).fetchall()
        )
        assert 200 <= len(before) < n
    finally:
        seen.close()
    rerun = subprocess.run([*cmd, "--json"], env=env, capture_output=True, text=True, check=True)
    assert json.loads(rerun.stdout)["analysed"] == n - len(before)
    with sqlite3.connect(db) as check:
        rows = check.execute(
            "SELECT message_id, analysed_at, model_version FROM message_analysis"
        ).fetchall()
    assert len(rows) == n == len({r[0] for r in rows})
    assert {r[2] for r in rows} == {versions()[1]}
    # Messages finished before the kill kept their first analysis: none was redone.
    assert all(dict((r[0], r[1]) for r in rows)[i] == at for i, at in before.items())
