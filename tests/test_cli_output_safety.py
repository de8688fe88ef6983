"""What the CLI writes, and where, when the input or the output misbehaves: dates at the
calendar's ends, JSON carrying bidi and C1 controls, a full disk, a symbolic link as the
export target, a mistyped watchlist path, a file that is not a store."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jianghu.cli import app

from .test_cli_ingest import GOOD, db_arg, run

runner = CliRunner()


def _ingest(tmp_path: Path, text: str = "出料 一手 50U") -> str:
    doc = json.loads(GOOD)
    doc["messages"][0]["text"] = text
    export = tmp_path / "x.json"
    export.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    code, _, err = run("ingest", str(export), db_arg(tmp_path))
    assert code == 0, err
    return db_arg(tmp_path)


@pytest.mark.parametrize(
    "option", [["--until", "9999-12-31"], ["--since", "0001-01-01T00:00+01:00"]]
)
def test_dates_at_the_ends_of_the_calendar_mean_no_bound(tmp_path: Path, option: list[str]) -> None:
    db = _ingest(tmp_path)
    code, out, err = run("search", "一手", db, "--json", *option)
    assert code == 0, err
    assert len(json.loads(out)) == 1


def test_json_output_escapes_bidi_and_c1_controls(tmp_path: Path) -> None:
    hostile = "出料 \u202eevil\u202c \x9b31m \u2066x\u2069 \u2028"
    db = _ingest(tmp_path, hostile)
    code, out, _ = run("search", "出料", db, "--json")
    assert code == 0
    for raw in ("\u202e", "\u202c", "\x9b", "\u2066", "\u2069", "\u2028"):
        assert raw not in out
    assert "\\u202e" in out and "\\u009b" in out
    assert json.loads(out)[0]["text"] == hostile  # the same text, only escaped
    code, out, _ = run("export", "jsonl", "messages", db)
    assert code == 0 and "\u202e" not in out and json.loads(out.splitlines()[0])["text"] == hostile


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_disk_on_standard_output_is_one_line(tmp_path: Path) -> None:
    db = _ingest(tmp_path)
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "jianghu.cli", "search", "一手", "--json", db],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
        )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "error: standard output: cannot write: No space left on device"
    ]


def test_export_writes_through_a_symbolic_link(tmp_path: Path) -> None:
    db = _ingest(tmp_path)
    target = tmp_path / "target.jsonl"
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    code, _, err = run("export", "jsonl", "messages", db, "-o", str(link))
    assert code == 0, err
    assert link.is_symlink() and "出料" in target.read_text(encoding="utf-8")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_export_into_a_device_is_written_not_replaced(tmp_path: Path) -> None:
    db = _ingest(tmp_path)
    code, _, err = run("export", "jsonl", "messages", db, "-o", "/dev/full")
    assert code == 2 and "/dev/full: cannot write" in err
    assert Path("/dev/full").is_char_device()


def test_a_missing_watchlist_file_is_an_error_not_an_empty_list(tmp_path: Path) -> None:
    export = tmp_path / "x.json"
    export.write_text(GOOD, encoding="utf-8")
    missing = tmp_path / "watchlsit.toml"
    code, _, err = run("ingest", str(export), db_arg(tmp_path), "--watchlist", str(missing))
    assert code == 2 and err.strip() == f"error: {missing}: no such watchlist file"


def test_a_file_that_is_not_a_store_is_one_line(tmp_path: Path) -> None:
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE schema_version (version TEXT)")
        conn.execute("INSERT INTO schema_version VALUES ('banana')")
    code, _, err = run("search", "料", f"--db=sqlite:///{foreign}")
    assert code == 2 and "not a jianghu store" in err and len(err.strip().splitlines()) == 1
    if os.path.exists("/dev/null"):
        code, _, err = run("search", "料", "--db=sqlite:////dev/null")
        assert (
            code == 2 and err.startswith("error: cannot use /dev/null") and "\n" not in err.strip()
        )


def test_jsonl_input_ids_bom_and_bad_bytes(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_bytes(
        b'\xef\xbb\xbf{"id": 18446744073709551616, "text": "a"}\r\n'
        b'{"id": -9223372036854775809, "text": "b"}\n'
        b'{"id": 1.5, "text": "c"}\n'
        b'{"id": 3, "text": "ab\xffc"}\n'
    )
    result = runner.invoke(app, ["extract", str(source)])
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    # Ids come back exactly as given, a byte-order mark is not an error, and a bad byte
    # is reported at its own column.
    assert [r["id"] for r in rows] == [18446744073709551616, -9223372036854775809, 1.5, None]
    assert rows[3]["error"] == f"{source}:4:22: invalid UTF-8 (byte 0xff)"
    assert result.exit_code == 1


def test_sqlite_url_options_are_refused_not_made_part_of_the_name(tmp_path: Path) -> None:
    code, _, err = run("search", "料", f"--db=sqlite:///{tmp_path / 'q.db'}?mode=ro")
    assert code == 2 and "without ?options" in err
    assert list(tmp_path.iterdir()) == []
