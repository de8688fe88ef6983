"""Ingest and re-analysis on a real Dask cluster (LocalCluster, worker processes) into the
real PostgreSQL server, compared with the single-process run on SQLite.

Row ids differ between the two runs (partitions commit in any order), so stores are
compared by their natural keys: platform, chat key and the platform's message id.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cloudpickle
import pytest
from typer.testing import CliRunner

from jianghu.analysis.pipeline import versions
from jianghu.cli import app
from jianghu.ingest import ingest
from jianghu.scale.cluster import dask_client
from jianghu.scale.ingest_dask import PartitionResult, ingest_dask, write_partition
from jianghu.scale.reanalyze_dask import reanalyze_dask, reanalyze_range
from jianghu.sources.base import open_source
from jianghu.store import open_store
from jianghu.store.base import Store
from tests.conftest import FIXTURES
from tests.test_cli_ingest import make_bad_folder

# The crash test's task is defined here: workers get it by value, not by import.
cloudpickle.register_pickle_by_value(sys.modules[__name__])

runner = CliRunner()

CHAT = """{{"name": "收料群", "type": "public_supergroup", "id": 78, "messages": [
 {{"id": 1, "type": "message", "date_unixtime": "1772352000", "from": "卖家", "from_id": "user1",
  "text": "出料 一手 50U 飞机 @liao_seller8"}},
 {{"id": 2, "type": "message", "date_unixtime": "1772352060", "from": "买家", "from_id": "user2",
  "text": "{second}"{edited}}}
]}}"""


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with dask_client(None, 2) as c:
        yield c


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The demo corpus, the shared Telegram fixtures, a folder with bad files, and two
    exports of one chat where the second edits a message."""
    root = tmp_path_factory.mktemp("sources")
    result = runner.invoke(
        app, ["demo", "--messages", "2500", "--out", str(root / "demo" / "result.json")]
    )
    assert result.exit_code == 0, result.output
    make_bad_folder(root / "bad")
    (root / "chat_a.json").write_text(CHAT.format(second="收U 多少", edited=""), "utf-8")
    edit = ', "edited_unixtime": "1772355600"'
    (root / "chat_b.json").write_text(CHAT.format(second="收U 大量 要一手", edited=edit), "utf-8")
    return [
        root / "demo",
        FIXTURES / "telegram",
        root / "bad",
        root / "chat_a.json",
        root / "chat_b.json",
    ]


def snapshot(store: Store) -> dict[str, Any]:
    """Everything ingest and analysis stored, keyed by natural keys (no row ids)."""
    key = (
        "FROM messages m JOIN channels c ON c.id = m.channel_id "
        "LEFT JOIN authors a ON a.id = m.author_id"
    )
    messages = {
        (r[0], r[1], r[2]): (r[3], r[4], r[5], store._read_ts(r[6]).isoformat(), r[7], r[8])
        for r in store._all(
            "SELECT m.platform, c.key, m.message_id, m.kind, m.text, m.content_hash, "
            f"m.posted_at, a.key, m.raw {key}"
        )
    }
    analyses = {
        (r[0], r[1], r[2]): (r[3], r[4], r[5], json.loads(r[6]), r[7], r[8])
        for r in store._all(
            "SELECT m.platform, c.key, m.message_id, x.language, x.intent, x.categories, "
            f"x.scores, x.lexicon_version, x.model_version {key} "
            "JOIN message_analysis x ON x.message_id = m.id"
        )
    }
    entities = sorted(
        tuple(r)
        for r in store._all(
            "SELECT m.platform, c.key, m.message_id, e.type, e.value, e.normalized, "
            f"e.start_pos, e.end_pos, e.attrs {key} JOIN message_entities e ON e.message_id = m.id"
        )
    )
    categories = sorted(
        (r[0], r[1], r[2], r[3], round(float(r[4]), 6))
        for r in store._all(
            "SELECT m.platform, c.key, m.message_id, x.category, x.score "
            f"{key} JOIN message_categories x ON x.message_id = m.id"
        )
    )
    versions_ = sorted(
        tuple(r)
        for r in store._all(
            "SELECT m.platform, c.key, m.message_id, v.content_hash, v.text "
            f"{key} JOIN message_versions v ON v.message_id = m.id"
        )
    )
    names = sorted(
        (r[0], r[1], r[2], store._read_ts(r[3]).isoformat(), store._read_ts(r[4]).isoformat())
        for r in store._all(
            "SELECT a.platform, a.key, n.name, n.first_seen, n.last_seen FROM author_names n "
            "JOIN authors a ON a.id = n.author_id"
        )
    )
    channels = sorted(
        tuple(r) for r in store._all("SELECT platform, key, name, kind FROM channels")
    )
    authors = sorted(
        tuple(r) for r in store._all("SELECT platform, key, display_name, handle FROM authors")
    )
    files = sorted(
        (Path(r[0]).name, r[1], r[2], r[3], r[4] is not None)
        for r in store._all("SELECT path, format, sha256, status, error FROM source_files")
    )
    return {
        "messages": messages,
        "analyses": analyses,
        "entities": entities,
        "categories": categories,
        "versions": versions_,
        "names": names,
        "channels": channels,
        "authors": authors,
        "files": files,
    }


def _summary(report: dict[str, Any]) -> dict[str, Any]:
    errors = sorted(
        (Path(e["path"]).name, e["line"], e["col"], e["message"]) for e in report["errors"]
    )
    return {**report, "errors": errors}


def test_dask_ingest_stores_what_the_single_process_run_stores(
    client: Any, sources: list[Path], pg_url: str, tmp_path: Path
) -> None:
    with open_store(f"sqlite:///{tmp_path / 'one.db'}") as local:
        expected = [ingest(local, [p], workers=0).to_json() for p in sources]
        want = snapshot(local)
    with open_store(pg_url) as store:
        got = [ingest_dask(store, pg_url, client, [p], batch_size=300).to_json() for p in sources]
        have = snapshot(store)
        ledger = store._one("SELECT count(*), sum(new) FROM ingest_partitions")
    assert [_summary(r) for r in got] == [_summary(r) for r in expected]
    assert sum(r["new"] for r in got) == int(ledger[1]) and int(ledger[0]) > 10
    # The edit of the second export was versioned the same way on both paths.
    assert got[-1]["updated"] == 1 and len(want["versions"]) == 1
    assert len(want["messages"]) > 2500 and len(want["analyses"]) > 2400
    for part in want:
        assert have[part] == want[part], part


def test_a_partition_written_twice_writes_once(pg_url: str) -> None:
    path = FIXTURES / "telegram" / "tdesktop_private_group_2022_roboteam.json"
    messages = list(open_source(path, {}).iter_messages())
    with open_store(pg_url) as store:
        run_id = store.begin_run([str(path)])
        file_id = store.add_source_file(run_id, str(path), "TelegramExport")
        first = write_partition(pg_url, run_id, file_id, "f:0", messages)
        again = write_partition(pg_url, run_id, file_id, "f:0", messages)
        stored = store._one("SELECT count(*) FROM messages")[0]
    assert first.written and not again.written
    assert again.counts == first.counts and first.counts.new > 0
    assert stored == len(messages)


def commit_then_die(marker: str, *args: Any) -> PartitionResult:
    """Write a partition, then kill this worker before it can report: the scheduler runs
    the task again on another worker, as after a machine lost in a real cluster."""
    result = write_partition(*args)
    if not os.path.exists(marker):
        Path(marker).touch()
        os._exit(1)
    return result


def test_a_worker_lost_after_its_commit_does_not_write_twice(
    client: Any, pg_url: str, tmp_path: Path
) -> None:
    path = FIXTURES / "telegram" / "tdesktop_private_group_2022_roboteam.json"
    messages = list(open_source(path, {}).iter_messages())
    marker = tmp_path / "died"
    with open_store(pg_url) as store:
        run_id = store.begin_run([str(path)])
        file_id = store.add_source_file(run_id, str(path), "TelegramExport")
        future = client.submit(
            commit_then_die, str(marker), pg_url, run_id, file_id, "f:0", messages, pure=False
        )
        result = future.result(timeout=120)
        assert marker.exists()  # the first run did die after its commit
        stored = store._one("SELECT count(*) FROM messages")[0]
        ledger = store._all("SELECT key, new FROM ingest_partitions")
    assert not result.written  # the second run found the partition in the ledger
    assert result.counts.new == len([m for m in messages if m.kind == "message"])
    assert stored == len(messages) and ledger == [("f:0", result.counts.new)]


def test_dask_reanalysis_redoes_stale_messages_once(
    client: Any, sources: list[Path], pg_url: str
) -> None:
    with open_store(pg_url) as store:
        ingest_dask(store, pg_url, client, [sources[0]])
        before = snapshot(store)
        # As if an older model had analysed a third of the messages, and one never was.
        store._execute(
            "UPDATE message_analysis SET model_version = 'old' WHERE mod(message_id, 3) = 0"
        )
        store._execute(
            "DELETE FROM message_categories WHERE message_id = (SELECT min(id) FROM messages "
            "WHERE kind = 'message')"
        )
        store._execute(
            "DELETE FROM message_analysis WHERE message_id = (SELECT min(id) FROM messages "
            "WHERE kind = 'message')"
        )
        lex, model = versions()
        stale = store.count_stale(lex, model)
        first, last = next(store.stale_ranges(lex, model, 50))
        report = reanalyze_dask(store, pg_url, client, batch_size=200)
        again = reanalyze_dask(store, pg_url, client, batch_size=200)
        # A range run once more after it was done writes nothing.
        rerun = reanalyze_range(pg_url, lex, model, first, last)
        after = snapshot(store)
    assert stale > 500 and report.stale == stale and report.analysed == stale
    assert (again.stale, again.analysed, rerun) == (0, 0, 0)
    for part in ("analyses", "entities", "categories"):
        assert after[part] == before[part], part


def test_cli_ingest_and_reanalyze_on_a_local_cluster(sources: list[Path], pg_url: str) -> None:
    chat = str(sources[3])
    result = runner.invoke(
        app,
        ["ingest", chat, "--db", pg_url, "--engine", "dask", "--cluster-workers", "1", "--json"],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["new"] == 2
    result = runner.invoke(app, ["reanalyze", "--db", pg_url, "--engine", "dask", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["stale"] == 0


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--engine", "dask"], "--engine dask needs a PostgreSQL store"),
        (["--engine", "spark"], "--engine spark: expected one of local, dask"),
    ],
)
def test_engine_errors_are_one_line(args: list[str], fragment: str, tmp_path: Path) -> None:
    db = f"--db=sqlite:///{tmp_path / 'j.db'}"
    for command in (["ingest", str(tmp_path)], ["reanalyze"]):
        result = runner.invoke(app, [*command, db, *args])
        assert result.exit_code != 0
        assert fragment in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_dask_ingest_refuses_a_watchlist(tmp_path: Path, pg_url: str) -> None:
    rules = tmp_path / "w.toml"
    rules.write_text("", "utf-8")
    result = runner.invoke(
        app,
        ["ingest", str(tmp_path), "--db", pg_url, "--engine", "dask", "--watchlist", str(rules)],
    )
    assert result.exit_code != 0 and "jianghu watch scan" in result.stderr


@pytest.fixture
def scheduler(tmp_path: Path) -> Iterator[str]:
    """A scheduler and a worker started as separate programs, as on a real cluster."""
    info = tmp_path / "scheduler.json"
    dask = str(Path(sys.executable).parent / "dask")
    procs = [
        subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(info)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
    ]  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        procs.append(
            subprocess.Popen(
                [dask, "worker", "--scheduler-file", str(info), "--nworkers", "1",
                 "--nthreads", "1", "--no-dashboard"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        )  # fmt: skip
        address = json.loads(info.read_text())["address"]
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
            proc.wait(timeout=30)


def test_cli_ingest_through_a_scheduler_started_apart(
    sources: list[Path], pg_url: str, scheduler: str
) -> None:
    result = runner.invoke(
        app,
        ["ingest", str(sources[3]), str(sources[4]), "--db", pg_url, "--engine", "dask",
         "--scheduler", scheduler, "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["read"], report["new"], report["updated"]) == (4, 2, 1)


def test_an_unreachable_scheduler_is_one_line(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JIANGHU_SCHEDULER_TIMEOUT", "2")
    result = runner.invoke(
        app,
        ["ingest", str(tmp_path), "--db", pg_url, "--engine", "dask",
         "--scheduler", "tcp://127.0.0.1:9"],
    )  # fmt: skip
    assert result.exit_code != 0
    assert "cannot reach the scheduler" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
