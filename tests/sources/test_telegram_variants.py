"""Every variant FORMATS.md lists, in small exports written for the purpose."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from jianghu.errors import SourceFormatError
from jianghu.records import Message
from jianghu.sources.telegram_export import TelegramExport

FULL_EXPORT = r"""{
 "about": "Here is the data you requested.",
 "personal_information": {
  "user_id": 5550001,
  "first_name": "分析员",
  "phone_number": "+86 138 0000 0000"
 },
 "contacts": {"about": "x", "list": [{"first_name": "a", "phone_number": "1"}]},
 "chats": {
  "about": "This page lists all chats from this export.",
  "list": [
   {
    "name": "四件套 交流群",
    "type": "private_supergroup",
    "id": 1987654321,
    "messages": [
     {
      "id": -999999990,
      "type": "message",
      "date": "2026-02-01T10:00:00",
      "date_unixtime": "1769940000",
      "from": "老王",
      "from_id": "user42",
      "reply_to_message_id": -999999995,
      "text": "迁移前的消息"
     },
     {
      "id": 17,
      "type": "message",
      "date": "2026-03-01T08:00:00",
      "date_unixtime": "1772352000",
      "edited": "2026-03-01T08:05:00",
      "edited_unixtime": "1772352300",
      "from": null,
      "from_id": "user777",
      "forwarded_from": "料库 频道",
      "forwarded_from_id": "channel31337",
      "reply_to_message_id": 3,
      "photo": "(File not included. Change data exporting settings to download.)",
      "width": 1280,
      "height": 720,
      "text": [
       "出料 \x07 联系 ",
       {"type": "mention", "text": "@liao_boss"},
       " 或 ",
       {"type": "text_link", "text": "点这里", "href": "https://t.me/+AbCdEf"},
       " ",
       {"type": "mention_name", "text": "老板", "user_id": 123456},
       ""
      ],
      "text_entities": [
       {"type": "plain", "text": "出料 \x07 联系 "},
       {"type": "mention", "text": "@liao_boss"},
       {"type": "plain", "text": " 或 "},
       {"type": "text_link", "text": "点这里", "href": "https://t.me/+AbCdEf"},
       {"type": "plain", "text": " "},
       {"type": "mention_name", "text": "老板", "user_id": 123456},
       {"type": "plain", "text": ""}
      ]
     },
     {
      "id": 18,
      "type": "message",
      "date_unixtime": "1772352400",
      "from": "用户",
      "from_id": "user9",
      "text": "literal \\x41 stays, emoji id next",
      "text_entities": [
       {"type": "plain", "text": "literal \\x41 stays, emoji id next"},
       {"type": "custom_emoji", "text": "🔥", "document_id": 5368324170671202286123}
      ]
     },
     {"id": 19, "type": "unsupported", "date_unixtime": "1772352500"},
     {
      "id": 20,
      "type": "service",
      "date_unixtime": "1772352600",
      "actor": "群主",
      "actor_id": "user1",
      "action": "pin_message",
      "message_id": 17,
      "text": ""
     }
    ]
   }
  ]
 },
 "left_chats": {
  "about": "left",
  "list": [
   {
    "name": "老群",
    "type": "private_group",
    "id": 4242,
    "messages": [
     {"id": 5, "type": "message", "date_unixtime": "1700000000", "from": "某人",
      "from_id": 4294967338, "text": "old numeric from_id"}
    ]
   }
  ]
 }
}"""


def read_text(
    tmp_path: Path, text: str, name: str = "result.json"
) -> tuple[list[Message], TelegramExport]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    source = TelegramExport(path)
    return list(source.iter_messages()), source


@pytest.fixture
def full(tmp_path: Path) -> tuple[dict[str, Message], TelegramExport]:
    messages, source = read_text(tmp_path, FULL_EXPORT)
    return {m.message_id: m for m in messages}, source


def test_full_export_shape_and_account_scoping(
    full: tuple[dict[str, Message], TelegramExport],
) -> None:
    m, source = full
    assert source.problems == []
    assert set(m) == {"acct5550001:-999999990", "17", "18", "19", "20", "5"}
    assert m["17"].channel.key == "channel1987654321"
    # Negative ids are the basic group's history: per-account, so scoped like one.
    migrated = m["acct5550001:-999999990"]
    assert migrated.reply_to == "acct5550001:-999999995"
    assert migrated.source.pointer == "chats.list[0].messages[0]"
    # The left chat is a basic group: its key carries the exporting account.
    assert m["5"].channel.key == "acct5550001:private_group:4242"
    assert m["5"].source.pointer == "left_chats.list[0].messages[0]"
    assert m["5"].author is not None and m["5"].author.platform_id == "4294967338"


def test_rich_message(full: tuple[dict[str, Message], TelegramExport]) -> None:
    msg = full[0]["17"]
    assert msg.text == "出料 \x07 联系 @liao_boss 或 点这里 老板"
    types = [(e.type, e.text, e.href, e.user_id) for e in msg.entities]
    assert types == [
        ("mention", "@liao_boss", None, None),
        ("text_link", "点这里", "https://t.me/+AbCdEf", None),
        ("mention_name", "老板", None, "123456"),
    ]
    start = msg.text.index("@liao_boss")
    assert (msg.entities[0].start, msg.entities[0].end) == (start, start + len("@liao_boss"))
    assert msg.posted_at == datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    assert msg.edited_at == datetime(2026, 3, 1, 8, 5, tzinfo=UTC)
    assert msg.author is not None
    assert (msg.author.platform_id, msg.author.display_name) == ("user777", None)  # from: null
    assert (msg.forwarded_from, msg.forwarded_from_id) == ("料库 频道", "channel31337")
    assert msg.reply_to == "3"
    assert msg.media_kind == "photo"
    assert '"\\u0007' not in msg.raw and "\\u0007" in msg.raw  # repaired, still JSON


def test_literal_backslash_x_and_huge_custom_emoji_id(
    full: tuple[dict[str, Message], TelegramExport],
) -> None:
    msg = full[0]["18"]
    assert msg.text == "literal \\x41 stays, emoji id next🔥"
    assert msg.entities[0].type == "custom_emoji"


def test_unsupported_and_service_are_events(
    full: tuple[dict[str, Message], TelegramExport],
) -> None:
    m = full[0]
    assert m["19"].kind == "unsupported"
    assert (m["20"].kind, m["20"].action) == ("service", "pin_message")
    assert m["20"].author is not None and m["20"].author.display_name == "群主"


def test_one_bad_message_is_rejected_not_fatal(tmp_path: Path) -> None:
    doc = """{"name": "g", "type": "public_channel", "id": 1, "messages": [
 {"id": 1, "type": "message", "date_unixtime": "1700000000", "text": "ok"},
 {"id": "two", "type": "message", "date_unixtime": "1700000001", "text": "bad id"},
 {"id": 3, "type": "message", "text": "no date"},
 {"id": 4, "type": "message", "date_unixtime": "1700000003", "text": "fine"}
]}"""
    messages, source = read_text(tmp_path, doc)
    assert [m.text for m in messages] == ["ok", "fine"]
    assert [str(p) for p in source.problems] == [
        f"{tmp_path / 'result.json'}:3:2: expected an integer message 'id', found 'two'",
        f"{tmp_path / 'result.json'}:4:2: expected 'date_unixtime' or 'date'",
    ]


def test_truncated_export_keeps_complete_records_then_fails(tmp_path: Path) -> None:
    doc = FULL_EXPORT[: FULL_EXPORT.index('"id": 18')]
    path = tmp_path / "cut.json"
    path.write_text(doc, encoding="utf-8")
    source = TelegramExport(path)
    seen: list[str] = []
    with pytest.raises(SourceFormatError) as info:
        for message in source.iter_messages():
            seen.append(message.message_id)
    assert seen == ["acct5550001:-999999990", "17"]
    err = info.value
    assert err.path == str(path)
    assert err.line == doc.count("\n") + 1
    assert "unexpected end of file" in err.message


def test_bom_and_crlf(tmp_path: Path) -> None:
    doc = (
        '\ufeff{"name": "g", "type": "public_channel", "id": 1, "messages": [\r\n'
        ' {"id": 1, "type": "message", "date_unixtime": "1700000000", "text": "你好"}\r\n]}'
    )
    messages, _ = read_text(tmp_path, doc)
    assert [m.text for m in messages] == ["你好"]
    assert messages[0].source.line == 2


def test_invalid_json_inside_a_message_points_at_the_fault(tmp_path: Path) -> None:
    doc = """{"name": "g", "type": "public_channel", "id": 1, "messages": [
 {"id": 1, "type": "message", "date_unixtime": "1700000000", "text": "ok"},
 {"id": 2, "type": "message",
  "date_unixtime": "1700000001", "text": "broken" "x"},
 {"id": 3, "type": "message", "date_unixtime": "1700000003", "text": "fine"}
]}"""
    messages, source = read_text(tmp_path, doc)
    assert [m.text for m in messages] == ["ok", "fine"]
    [problem] = source.problems
    assert (problem.line, problem.col) == (4, 51)  # the stray "x"
    assert problem.message.startswith("invalid JSON in a message")
