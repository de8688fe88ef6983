"""`jianghu ingest` and `jianghu search` from the analyst's side: bad input, JSON shapes,
exit codes, and hostile text that must not control the terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jianghu.cli import app

runner = CliRunner()

GOOD = """{"name": "料群", "type": "public_supergroup", "id": 77, "messages": [
 {"id": 1, "type": "message", "date_unixtime": "1772352000", "from": "卖家", "from_id": "user1",
  "text": "出料 一手 50U"},
 {"id": 2, "type": "service", "date_unixtime": "1772352001", "actor": "群主", "actor_id": "user2",
  "action": "pin_message", "message_id": 1, "text": ""}
]}"""


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def db_arg(tmp_path: Path) -> str:
    return f"--db=sqlite:///{tmp_path / 'j.db'}"


def test_ingest_json_summary_and_idempotence(tmp_path: Path) -> None:
    export = tmp_path / "good.json"
    export.write_text(GOOD, encoding="utf-8")
    code, out, _ = run("ingest", str(export), db_arg(tmp_path), "--json")
    assert code == 0
    assert json.loads(out) == {
        "read": 1,
        "new": 1,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "events": 1,
        "files": 1,
        "files_failed": 0,
        "errors": [],
        "warnings": [],
    }
    code, out, _ = run("ingest", str(export), db_arg(tmp_path), "--json")
    assert (code, json.loads(out)["new"], json.loads(out)["unchanged"]) == (0, 0, 1)


def test_search_json_fields(tmp_path: Path) -> None:
    export = tmp_path / "good.json"
    export.write_text(GOOD, encoding="utf-8")
    run("ingest", str(export), db_arg(tmp_path))
    code, out, _ = run("search", "一手", db_arg(tmp_path), "--json")
    assert code == 0
    [hit] = json.loads(out)
    assert {k: hit[k] for k in ("platform", "channel", "author", "text", "snippet")} == {
        "platform": "telegram",
        "channel": "料群",
        "author": "卖家",
        "text": "出料 一手 50U",
        "snippet": "出料 一手 50U",
    }
    assert hit["posted_at"] == "2026-03-01T08:00:00+00:00"
    assert hit["highlights"] == [[3, 5]]
    assert isinstance(hit["id"], int)


def make_bad_folder(folder: Path) -> dict[str, Path]:
    folder.mkdir()
    files = {
        "good": folder / "a_good.json",
        "truncated": folder / "b_truncated.json",
        "not_export": folder / "c_not_export.json",
        "gbk": folder / "d_gbk.json",
        "empty": folder / "e_empty.json",
    }
    files["good"].write_text(GOOD, encoding="utf-8")
    files["truncated"].write_text(GOOD[:-40], encoding="utf-8")
    files["not_export"].write_text('{"users": [1, 2, 3]}', encoding="utf-8")
    files["gbk"].write_bytes(GOOD.encode("gbk"))
    files["empty"].write_bytes(b"")
    (folder / "photos").mkdir()
    (folder / "photos" / "photo_1.jpg").write_bytes(b"\xff\xd8\xff")  # media is skipped
    (folder / "README.txt").write_text("notes of the analyst\n", encoding="utf-8")  # too
    return files


def test_bad_files_get_one_line_each_and_good_files_still_load(tmp_path: Path) -> None:
    files = make_bad_folder(tmp_path / "exports")
    code, out, err = run("ingest", str(tmp_path / "exports"), db_arg(tmp_path), "--json")
    assert code == 1  # not every file was read
    report = json.loads(out)
    assert report["files"] == 5 and report["files_failed"] == 4
    # The good file's message, and the same message read again from the truncated copy,
    # whose complete records are kept.
    assert (report["read"], report["new"], report["unchanged"]) == (2, 1, 1)
    errors = {Path(e["path"]).name: e for e in report["errors"]}
    assert set(errors) == {p.name for k, p in files.items() if k != "good"}
    assert errors["b_truncated.json"]["message"].startswith("unexpected end of file")
    assert errors["c_not_export.json"]["message"].startswith("unrecognised file")
    assert "expected UTF-8" in errors["d_gbk.json"]["message"]
    assert (errors["d_gbk.json"]["line"], errors["d_gbk.json"]["col"]) == (1, 11)
    assert errors["e_empty.json"]["message"].startswith("empty file")
    assert "Traceback" not in err


def test_bad_input_lines_on_stderr_without_traceback(tmp_path: Path) -> None:
    make_bad_folder(tmp_path / "exports")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "jianghu.cli",
            "ingest",
            str(tmp_path / "exports"),
            f"--db=sqlite:///{tmp_path / 'j.db'}",
            str(tmp_path / "missing.json"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert any(ln.startswith(str(tmp_path / "exports" / "b_truncated.json") + ":") for ln in lines)
    assert any("missing.json:0:0: cannot open" in ln for ln in lines)
    assert "1 new" in proc.stdout


def test_truncated_file_keeps_what_was_complete(tmp_path: Path) -> None:
    cut = tmp_path / "cut.json"
    cut.write_text(GOOD[: GOOD.index('{"id": 2')], encoding="utf-8")
    code, out, _ = run("ingest", str(cut), db_arg(tmp_path), "--json")
    report = json.loads(out)
    assert code == 1 and report["new"] == 1 and report["files_failed"] == 1


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["search", "🔥🔥"], "has no letters, digits or characters"),
        (["search", "料", "--since", "yesterday"], "--since 'yesterday': expected a date"),
        (["search", "料", "--db", "mysql://x"], "expected sqlite:///path or postgresql://"),
        (
            ["search", "料", "--db", "postgresql://nobody@127.0.0.1:1/x"],
            "cannot connect to PostgreSQL",
        ),
    ],
)
def test_usage_errors_are_one_line(args: list[str], fragment: str, tmp_path: Path) -> None:
    if "--db" not in args:
        args = [*args, db_arg(tmp_path)]
    code, _, err = run(*args)
    assert code == 2
    assert fragment in err
    assert len(err.strip().splitlines()) == 1


# Short enough to fit in one snippet whole.
HOSTILE = (
    "出料 [bold red]fake alert[/bold red] \x1b[31mred\x1b[0m "
    "\x1b]8;;h://e\x1b\\click\x1b]8;;\x1b\\ \u202eevil\u202c"
)


def test_hostile_text_cannot_control_the_terminal(tmp_path: Path) -> None:
    export = tmp_path / "hostile.json"
    doc = json.loads(GOOD)
    doc["messages"][0]["text"] = HOSTILE
    doc["messages"][0]["from"] = "[link=https://evil.example]admin[/link]\x1b[2J"
    export.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    db = f"--db=sqlite:///{tmp_path / 'j.db'}"
    env = {**os.environ, "FORCE_COLOR": "1", "TTY_COMPATIBLE": "1", "COLUMNS": "300"}
    subprocess.run(
        [sys.executable, "-m", "jianghu.cli", "ingest", str(export), db],
        check=True,
        capture_output=True,
        env=env,
    )
    proc = subprocess.run(
        [sys.executable, "-m", "jianghu.cli", "search", "出料", db],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    shown = proc.stdout
    assert "\x1b[" in shown  # Rich's own colours are on, so the test can see a difference
    for bad in ("\x1b[31m", "\x1b]8;;", "\x1b[2J", "\u202e", "\x1b\\"):
        assert bad not in shown
    assert "[bold red]fake alert[/bold red]" in shown  # shown as text, not applied
    assert "\\x1b[31mred" in shown and "\\u202eevil" in shown  # made visible
    assert "[link=https://evil.example]admin[/link]" in shown


def test_settings_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    export = tmp_path / "good.json"
    export.write_text(GOOD, encoding="utf-8")
    monkeypatch.setenv("JIANGHU_DB", f"sqlite:///{tmp_path / 'env.db'}")
    monkeypatch.setenv("JIANGHU_BATCH_SIZE", "1")
    code, out, _ = run("ingest", str(export), "--json")
    assert code == 0 and json.loads(out)["new"] == 1
    assert (tmp_path / "env.db").exists()
    monkeypatch.setenv("JIANGHU_BATCH_SIZE", "many")
    code, _, err = run("ingest", str(export))
    assert code == 2
    assert "JIANGHU_BATCH_SIZE" in err and "expected a whole number" in err


WHATSAPP = """1/2/26, 9:15 PM - 老王: 出 一手料 50U/条
有要的私聊
1/3/26, 10:01 AM - 小李: 收 四件套
1/3/26, 10:02 AM - 老王: <Media omitted>
"""


def test_whatsapp_in_a_folder_with_a_warning_and_a_zip(tmp_path: Path) -> None:
    import zipfile

    folder = tmp_path / "wa"
    folder.mkdir()
    (folder / "WhatsApp Chat with 料库.txt").write_text(WHATSAPP, encoding="utf-8")
    (folder / "notes.txt").write_text("my own notes, not an export\n", encoding="utf-8")
    with zipfile.ZipFile(folder / "WhatsApp Chat - 老乡群.zip", "w") as zf:
        zf.writestr("_chat.txt", WHATSAPP.replace("老王", "阿强"))
    code, out, _ = run("ingest", str(folder), db_arg(tmp_path), "--json")
    report = json.loads(out)
    assert code == 0, report
    assert report["files"] == 2 and report["read"] == 6  # the notes were not an export
    # No day is above 12: the date order was assumed, and the analyst is told.
    assert report["warnings"] and "date order" in report["warnings"][0]["message"]
    code, out, _ = run("search", "四件套", db_arg(tmp_path), "--json")
    assert {h["platform"] for h in json.loads(out)} == {"whatsapp"}
    assert len(json.loads(out)) == 2


FORUM = Path(__file__).parent / "data" / "forum"


def test_forum_pages_in_a_folder_and_a_layout_of_ones_own(tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "mirror"
    shutil.copytree(FORUM, folder)
    code, out, _ = run("ingest", str(folder), db_arg(tmp_path), "--json")
    report = json.loads(out)
    # The page in the made-up forum's markup and the page of no forum are not recognised
    # in a folder, so they are skipped; the broken Discuz page gives located problems.
    names = {Path(e["path"]).name for e in report["errors"]}
    assert names == {"discuz_broken.htm"}
    # Records were rejected, so not everything was read: the exit status says so.
    assert report["files"] == 5 and report["read"] > 10 and report["rejected"] > 0 and code == 1
    found = run("search", "出料", db_arg(tmp_path), "--json")[1]
    assert {h["platform"] for h in json.loads(found)} == {"forum"}
    # With the analyst's own layout file, the made-up forum's page is read too.
    code, out, _ = run(
        "ingest", str(folder / "heishi_topic_305.html"), db_arg(tmp_path), "--json",
        "--forum-layouts", str(folder / "heishi_layout.toml"),
    )  # fmt: skip
    assert code == 0 and json.loads(out)["new"] >= 2
    # Named on the command line, a page of no known forum is an error with its position.
    code, out, _ = run("ingest", str(folder / "not_a_forum.html"), db_arg(tmp_path), "--json")
    assert code == 1 and json.loads(out)["errors"][0]["line"] == 1


def test_lone_surrogates_and_nul_in_a_message_are_ingested(tmp_path: Path) -> None:
    # JSON may escape a lone surrogate or NUL; OpenCC's C++ once refused the former.
    export = tmp_path / "odd.json"
    odd = GOOD.replace("出料 一手 50U", "出料 \\ud800 一手 \\u0000 資料")
    assert "\\ud800" in odd  # a JSON escape in the file, not the character itself
    export.write_text(odd, encoding="utf-8")
    code, out, err = run("ingest", str(export), db_arg(tmp_path), "--json")
    assert code == 0, err
    assert json.loads(out)["new"] == 1
    code, out, _ = run("search", "资料", db_arg(tmp_path), "--json")
    [hit] = json.loads(out)
    assert hit["text"] == "出料 \ufffd 一手 \u2400 資料"
