"""The live collector against a recorded-response double of the Telegram client.

The double serves real Telethon message objects and raises real Telethon errors at set
points; nothing touches the network and nothing really sleeps. Every test runs on SQLite
and on PostgreSQL (the ``store`` fixture).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

pytest.importorskip("telethon")
from telethon import errors  # type: ignore[import-untyped]
from telethon.tl import types as tl  # type: ignore[import-untyped]

from jianghu.intel.collect import (
    SOURCE,
    Collector,
    CollectReport,
    parse_chat_ref,
    read_chats_file,
)
from jianghu.store.base import Store

WHEN = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def channel(id_: int, title: str, username: str | None = None) -> Any:
    return tl.Channel(
        id=id_, title=title, photo=tl.ChatPhotoEmpty(), date=WHEN, megagroup=True,
        username=username, access_hash=id_,
    )  # fmt: skip


def post(chat: Any, msg_id: int, text: str | None = None, edited: bool = False) -> Any:
    return tl.Message(
        msg_id,
        tl.PeerChannel(chat.id),
        WHEN + timedelta(minutes=msg_id),
        text or f"出料 {msg_id} 号 50U",
        from_id=tl.PeerUser(100 + msg_id % 3),
        edit_date=WHEN + timedelta(days=1) if edited else None,
    )


GROUP = channel(1001, "担保群", "danbao")
OTHER = channel(1002, "供料群", "gongliao")


class Recorded:
    """A ``ChatClient`` serving recorded history; ``faults[chat id][message id]`` is raised
    (once) instead of serving that message."""

    def __init__(self, history: dict[int, list[Any]], entities: dict[Any, Any]) -> None:
        self.history = history
        self.entities = entities
        self.faults: dict[int, dict[int, BaseException]] = {}
        self.live: list[tuple[Any, bool]] = []
        self.calls: list[tuple[int, int]] = []
        self.downloads: list[int] = []

    async def account_id(self) -> int:
        return 42

    async def get_entity(self, ref: str | int) -> Any:
        found = self.entities[ref]
        if isinstance(found, BaseException):
            raise found
        return found

    async def iter_messages(
        self, entity: Any, min_id: int, reverse: bool = True, limit: int | None = None
    ) -> AsyncIterator[Any]:
        assert reverse
        self.calls.append((entity.id, min_id))
        for msg in sorted(self.history[entity.id], key=lambda m: m.id):
            if msg.id <= min_id:
                continue
            fault = self.faults.get(entity.id, {}).pop(msg.id, None)
            if fault is not None:
                raise fault
            await asyncio.sleep(0)
            yield msg

    async def updates(self, entities: Sequence[Any]) -> AsyncIterator[tuple[Any, bool]]:
        for item in self.live:
            yield item

    async def download_media(self, message: Any, dest: Path) -> Path | None:
        self.downloads.append(message.id)
        saved = dest.with_suffix(".bin")
        saved.write_bytes(b"\x00" * message.media.document.size)
        return saved


class Sleeper:
    def __init__(self) -> None:
        self.slept: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.slept.append(seconds)


def collect(client: Recorded, store: Store, refs: list[str], **kw: Any) -> CollectReport:
    collector = Collector(client, store, batch_size=kw.pop("batch_size", 3), **kw)
    return asyncio.run(collector.run(refs, follow=kw.pop("follow", False)))


def stored(store: Store, chat: Any) -> list[str]:
    prefix = f"channel{chat.id}:"
    return [k for k, _ in store.message_texts() if k.startswith(prefix)]


def ids(n: int, chat: Any) -> list[Any]:
    return [post(chat, i) for i in range(1, n + 1)]


def test_backfills_every_chat_oldest_first_and_keeps_the_cursor(store: Store) -> None:
    client = Recorded({GROUP.id: ids(7, GROUP), OTHER.id: ids(2, OTHER)},
                      {"danbao": GROUP, "gongliao": OTHER})  # fmt: skip
    report = collect(client, store, ["@danbao", "https://t.me/gongliao"])
    assert report.ok
    assert [(c.counts.new, c.last_id) for c in report.chats] == [(7, 7), (2, 2)]
    assert len(stored(store, GROUP)) == 7
    assert store.cursor(SOURCE, "channel1001") == 7
    assert client.calls == [(GROUP.id, 0), (OTHER.id, 0)]


def test_flood_wait_sleeps_the_time_asked_and_loses_nothing(store: Store) -> None:
    client = Recorded({GROUP.id: ids(8, GROUP)}, {"danbao": GROUP})
    client.faults[GROUP.id] = {5: errors.FloodWaitError(request=None, capture=30)}
    sleeper, shown = Sleeper(), []
    report = collect(
        client, store, ["danbao"], sleep=sleeper, on_wait=lambda ref, s: shown.append((ref, s))
    )
    assert report.ok and report.chats[0].waited == 30
    assert sleeper.slept == [30] and shown == [("danbao", 30)]
    # Messages read before the wait were stored; the retry starts after them.
    assert client.calls == [(GROUP.id, 0), (GROUP.id, 4)]
    assert len(stored(store, GROUP)) == 8 and store.cursor(SOURCE, "channel1001") == 8


def test_rpc_errors_are_reported_per_chat_and_the_others_go_on(store: Store) -> None:
    client = Recorded(
        {OTHER.id: ids(3, OTHER)},
        {
            "secret": errors.ChannelPrivateError(request=None),
            "nobody": errors.UsernameNotOccupiedError(request=None),
            "ghost": ValueError('Cannot find any entity corresponding to "ghost"'),
            "gongliao": OTHER,
        },
    )
    report = collect(client, store, ["secret", "nobody", "ghost", "gongliao"])
    assert not report.ok
    errs = [c.error or "" for c in report.chats]
    assert errs[0].startswith("ChannelPrivateError") and errs[1].startswith("UsernameNotOccupied")
    assert errs[2].startswith("cannot resolve 'ghost'")
    assert errs[3] == "" and report.chats[3].counts.new == 3


def test_resumes_after_a_crash_without_loss_or_duplicates(store: Store) -> None:
    client = Recorded({GROUP.id: ids(10, GROUP)}, {"danbao": GROUP})
    client.faults[GROUP.id] = {8: ConnectionResetError("killed")}
    with pytest.raises(ConnectionResetError):
        collect(client, store, ["danbao"])
    # Whole batches (1-3, 4-6) are safe; 7 was read but never committed.
    assert store.cursor(SOURCE, "channel1001") == 6 and len(stored(store, GROUP)) == 6
    report = collect(client, store, ["danbao"])  # a fresh collector, as after a restart
    assert client.calls[-1] == (GROUP.id, 6)
    assert report.chats[0].counts.new == 4
    keys = stored(store, GROUP)
    assert len(keys) == len(set(keys)) == 10
    assert store.cursor(SOURCE, "channel1001") == 10
    assert store.summary().versions == 0


def test_collecting_twice_stores_nothing_new(store: Store) -> None:
    client = Recorded({GROUP.id: ids(5, GROUP)}, {"danbao": GROUP})
    collect(client, store, ["danbao"])
    again = collect(client, store, ["danbao"])
    assert again.chats[0].counts.new == 0 and client.calls[-1] == (GROUP.id, 5)
    assert store.summary().messages == 5 and store.summary().versions == 0


def test_follow_stores_new_messages_fills_gaps_and_versions_edits(store: Store) -> None:
    history = ids(4, GROUP)
    client = Recorded({GROUP.id: history}, {"danbao": GROUP})
    # Arrives after the backfill: an edit of 2, the next message 5, then 7 while 6 was
    # posted between the backfill and the subscription.
    client.live = [
        (post(GROUP, 2, "出料 2 号 已售", edited=True), True),
        (post(GROUP, 5), False),
        (post(GROUP, 7), False),
    ]
    late = [post(GROUP, 5), post(GROUP, 6), post(GROUP, 7)]

    async def run() -> CollectReport:
        collector = Collector(client, store, batch_size=3)
        report = await collector.backfill(["danbao"])
        history.extend(late)
        await collector.follow(report)
        return report

    report = asyncio.run(run())
    assert report.followed.updated == 1 and report.followed.new == 3
    texts = dict(store.message_texts())
    assert texts["channel1001:2"] == "出料 2 号 已售"
    assert len(stored(store, GROUP)) == 7 and store.cursor(SOURCE, "channel1001") == 7
    assert store.summary().versions == 1


def test_chats_file_forms(tmp_path: Path) -> None:
    path = tmp_path / "chats.txt"
    path.write_text(
        "# sellers\n@danbao\nhttps://t.me/gongliao  # supplier\nt.me/s/preview\n\n"
        "https://t.me/c/1234567/89\n-1001002\nhttps://t.me/+AbCdEf\n",
        "utf-8",
    )
    refs = read_chats_file(path)
    assert [parse_chat_ref(r) for r in refs] == [
        "danbao", "gongliao", "preview", -1001234567, -1001002, "https://t.me/+AbCdEf",
    ]  # fmt: skip


def test_an_exported_chat_collected_live_is_not_duplicated(store: Store, tmp_path: Path) -> None:
    from jianghu.ingest import ingest

    messages = [
        {"id": m.id, "type": "message", "date": "x", "date_unixtime": str(int(m.date.timestamp())),
         "from": "卖家", "from_id": f"user{m.from_id.user_id}", "text": m.message,
         "text_entities": [{"type": "plain", "text": m.message}]}
        for m in ids(4, GROUP)
    ]  # fmt: skip
    export = tmp_path / "result.json"
    export.write_text(
        orjson.dumps({"name": GROUP.title, "type": "public_supergroup", "id": GROUP.id,
                      "messages": messages}).decode(), "utf-8",
    )  # fmt: skip
    assert ingest(store, [export]).counts.new == 4
    report = collect(Recorded({GROUP.id: ids(6, GROUP)}, {"danbao": GROUP}), store, ["danbao"])
    counts = report.chats[0].counts
    assert (counts.new, counts.unchanged, counts.updated) == (2, 4, 0)
    assert len(stored(store, GROUP)) == 6 and store.summary().versions == 0


def test_cli_names_missing_credentials_without_showing_them(tmp_path: Path) -> None:
    import typer
    from typer.testing import CliRunner

    from jianghu.faces.cli_collect import collect_app

    app = typer.Typer()
    app.add_typer(collect_app, name="collect")
    chats = tmp_path / "chats.txt"
    chats.write_text("@danbao\n", "utf-8")
    env = {"JIANGHU_TG_API_ID": "12x45", "JIANGHU_TG_API_HASH": "s3cr3t-hash"}
    args = ["collect", "telegram", "--chats", str(chats), "--session", "me"]
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 2
    assert "JIANGHU_TG_API_ID must be a number" in result.output
    assert "12x45" not in result.output and "s3cr3t" not in result.output


def with_document(msg: Any, size: int) -> Any:
    msg.media = tl.MessageMediaDocument(
        document=tl.Document(
            id=msg.id, access_hash=1, file_reference=b"", date=WHEN, mime_type="application/zip",
            size=size, dc_id=1, attributes=[tl.DocumentAttributeFilename("tool.zip")],
        )
    )  # fmt: skip
    return msg


def test_media_only_when_asked_and_only_up_to_the_limit(store: Store, tmp_path: Path) -> None:
    small, big = with_document(post(GROUP, 1), 100), with_document(post(GROUP, 2), 50_000)
    client = Recorded({GROUP.id: [small, big, post(GROUP, 3)]}, {"danbao": GROUP})
    collect(client, store, ["@danbao"])
    assert client.downloads == []  # never unless asked
    client2 = Recorded({OTHER.id: [with_document(post(OTHER, 1), 100),
                                   with_document(post(OTHER, 2), 50_000)]},
                       {"gongliao": OTHER})  # fmt: skip
    collect(client2, store, ["@gongliao"], media_dir=tmp_path / "media", media_limit=1000)
    assert client2.downloads == [1]
    attrs = {
        r[0]: orjson.loads(r[1])
        for r in store._all(
            "SELECT m.message_id, m.attrs FROM messages m JOIN channels c ON c.id = m.channel_id "
            "WHERE c.key = ?",
            (f"channel{OTHER.id}",),
        )
    }
    assert Path(attrs["1"]["media_file"]).stat().st_size == 100
    assert attrs["2"]["media_skipped"] == "50000 bytes > limit 1000"


def test_resumes_after_the_process_is_killed_mid_backfill(store_url: str) -> None:
    import subprocess
    import sys

    from jianghu.store import open_store

    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [sys.executable, "-m", "tests.intel.killed_collector", store_url],
        cwd=root, capture_output=True, check=False,
    )  # fmt: skip
    assert proc.returncode == -9, proc.stderr.decode()
    store = open_store(store_url)
    try:
        # Batches 1 and 2 were committed; batch 3 died inside its transaction.
        assert store.cursor(SOURCE, "channel1001") == 6 and len(stored(store, GROUP)) == 6
        client = Recorded({GROUP.id: ids(10, GROUP)}, {"danbao": GROUP})
        report = collect(client, store, ["danbao"])
        assert report.chats[0].counts.new == 4
        keys = stored(store, GROUP)
        assert len(keys) == len(set(keys)) == 10 and store.cursor(SOURCE, "channel1001") == 10
    finally:
        store.close()


def test_live_collection_raises_watchlist_alerts_batch_by_batch(store: Store) -> None:
    from jianghu.intel.alerts import after_batch_scanner, list_alerts
    from jianghu.intel.watchlist import parse_watchlist

    rules = parse_watchlist('[[rule]]\nname = "ours"\nkind = "term"\nvalues = ["料"]\n', "w.toml")
    hook, raised = after_batch_scanner(store, rules)
    client = Recorded({GROUP.id: ids(7, GROUP)}, {"danbao": GROUP})
    assert collect(client, store, ["@danbao"], after_batch=hook).ok
    assert raised.messages == 7 and raised.hits == 7
    [alert] = list_alerts(store)  # seven reposts of one ad: one alert
    assert alert.sightings == 7
    client = Recorded({GROUP.id: ids(9, GROUP)}, {"danbao": GROUP})
    collect(client, store, ["@danbao"], after_batch=hook)
    assert raised.messages == 9 and list_alerts(store)[0].sightings == 9
