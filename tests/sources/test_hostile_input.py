"""Bad input found by a bug hunt: each is a rejected record or one located file error,
never a traceback, and the records around it are still read."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import orjson
import pytest

from jianghu.errors import SourceFormatError
from jianghu.records import Message
from jianghu.sources import whatsapp_export
from jianghu.sources.discord_export import DiscordExport
from jianghu.sources.forum_pages import ForumPage
from jianghu.sources.json_stream import JsonStream
from jianghu.sources.telegram_export import TelegramExport
from jianghu.sources.whatsapp_export import WhatsAppExport

FORUM_DATA = Path(__file__).parent.parent / "data" / "forum"


def tg_doc(middle: dict[str, Any] | str, **chat: Any) -> str:
    """A one-chat Telegram export: a good message, ``middle`` on line 3, a good one."""
    head = {"name": "g", "type": "public_channel", "id": 1, **chat}
    good = {"type": "message", "date_unixtime": "1700000000", "text": "ok"}
    rows = [
        json.dumps({"id": 1, **good}, ensure_ascii=False),
        middle if isinstance(middle, str) else json.dumps(middle, ensure_ascii=False),
        json.dumps({"id": 3, **good, "text": "fine"}, ensure_ascii=False),
    ]
    return (
        json.dumps(head, ensure_ascii=False)[:-1]
        + ', "messages": [\n '
        + ",\n ".join(rows)
        + "\n]}"
    )


def read_tg(tmp_path: Path, doc: str | bytes) -> tuple[list[Message], TelegramExport]:
    path = tmp_path / "result.json"
    path.write_bytes(doc.encode() if isinstance(doc, str) else doc)
    source = TelegramExport(path)
    return list(source.iter_messages()), source


def msg(**fields: Any) -> dict[str, Any]:
    return {"id": 2, "type": "message", "date_unixtime": "1700000001", "text": "x", **fields}


def assert_middle_rejected(tmp_path: Path, middle: dict[str, Any], fragment: str) -> None:
    """The record of ``tg_doc``'s line 3 is rejected there, its neighbours are read."""
    messages, source = read_tg(tmp_path, tg_doc(middle))
    assert [m.text for m in messages] == ["ok", "fine"]
    [problem] = source.problems
    assert (problem.line, problem.col) == (3, 2)
    assert fragment in problem.message


# ---- 1. dates out of range ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("middle", "fragment"),
    [
        ({"id": 2, "type": "message", "date": "0001-01-01T00:00:00+05:00", "text": "x"}, "'date'"),
        (msg(edited="9999-12-31T23:59:59-01:00"), "'edited'"),
        (msg(date_unixtime="-1"), "'date_unixtime'"),
        (msg(date_unixtime="99999999999999999999"), "'date_unixtime'"),
        (msg(edited_unixtime="-99999999999"), "'edited_unixtime'"),
    ],
)
def test_telegram_date_out_of_range_is_a_rejected_record(
    tmp_path: Path, middle: dict[str, Any], fragment: str
) -> None:
    assert_middle_rejected(tmp_path, middle, fragment)


DISCORD_DOC = """{"guild": {"id": "1", "name": "g"}, "channel": {"id": "2", "name": "c"},
 "messages": [
 {"id": "1200000000000000001", "timestamp": "2026-03-01T20:00:00+08:00", "content": "ok"},
 {"id": "%s", "timestamp": "%s", "content": "edge"},
 {"id": "1200000000000000003", "timestamp": "2026-03-01T20:00:01+08:00", "content": "fine"}
]}"""


def test_discord_timestamp_out_of_range_falls_back_to_the_snowflake(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text(DISCORD_DOC % ("1200000000000000002", "0001-01-01T00:00:00+05:00"))
    source = DiscordExport(path)
    messages = list(source.iter_messages())
    assert [m.text for m in messages] == ["ok", "edge", "fine"]
    assert messages[1].attrs["posted_at_from"] == "snowflake"  # as for any broken timestamp
    assert messages[1].attrs["timestamp_invalid"] == "0001-01-01T00:00:00+05:00"


def test_discord_out_of_range_timestamp_and_snowflake_is_a_rejected_record(
    tmp_path: Path,
) -> None:
    path = tmp_path / "export.json"
    path.write_text(DISCORD_DOC % ("9" * 40, "9999-12-31T23:59:59-05:00"))
    source = DiscordExport(path)
    assert [m.text for m in source.iter_messages()] == ["ok", "fine"]
    [problem] = source.problems
    assert (problem.line, problem.col) == (4, 2)
    assert "snowflake" in problem.message


def test_forum_post_date_out_of_range_is_a_rejected_post(tmp_path: Path) -> None:
    page = (FORUM_DATA / "phpbb_viewtopic_t412.html").read_text(encoding="utf-8")
    path = tmp_path / "t.html"
    path.write_text(page.replace("2026-03-01T10:02:41+00:00", "0001-01-01T00:00:00+05:00"))
    source = ForumPage(path, {})
    assert [m.message_id for m in source.iter_messages()] == ["5120"]
    [problem] = source.problems
    assert "out of range" in problem.message and problem.line > 45


def test_whatsapp_date_out_of_range_in_utc_is_a_rejected_record(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with 料库.txt"
    path.write_text("30.12.9999, 10:00 - 甲: a\n31.12.9999, 23:59 - 甲: b\n")
    source = WhatsAppExport(path, {"tz_offset": "-05:00"})
    assert [m.text for m in source.iter_messages()] == ["a"]
    assert [(p.line, p.col) for p in source.problems] == [(2, 1)]


# ---- 2. nesting deeper than the JSON parsers' limits -------------------------------------
def test_deeply_nested_message_is_a_rejected_record(tmp_path: Path) -> None:
    deep = '{"id": 2, "type": "message", "date_unixtime": "1", "text": ' + "[" * 2000
    messages, source = read_tg(tmp_path, tg_doc(deep + "]" * 2000 + "}"))
    assert [m.text for m in messages] == ["ok", "fine"]
    [problem] = source.problems
    assert problem.line == 3 and problem.message.startswith("invalid JSON in a message")


# ---- 3. invalid UTF-8 keeps the records before it ----------------------------------------
def test_stream_yields_values_before_a_bad_byte_then_fails_at_it() -> None:
    data = b'{"a": [1, 2,\n "x\xff", 4]}'
    js = JsonStream(io.BytesIO(data), "t.json")
    got = []
    with pytest.raises(SourceFormatError) as err:
        for _key in js.iter_object():
            for _ in js.iter_array():
                got.append(orjson.loads(js.capture()[0]))
    assert got == [1, 2]
    assert (err.value.line, err.value.col) == (2, 4)
    assert "expected UTF-8 text" in err.value.message


# A line longer than the buffer has its column counted in bytes (JsonStream.position).
@pytest.mark.parametrize(("chunk_size", "col"), [(1, 7), (7, 7), (28, 7), (64, 5), (1 << 20, 5)])
def test_stream_bad_byte_position_at_any_chunk_size(chunk_size: int, col: int) -> None:
    data = '{"a": ["甲", "乙",\n  "丙'.encode() + b"\xe4\x28" + b'"]}'
    js = JsonStream(io.BytesIO(data), "t.json", chunk_size=chunk_size)
    got = []
    with pytest.raises(SourceFormatError) as err:
        for _key in js.iter_object():
            for _ in js.iter_array():
                got.append(orjson.loads(js.capture()[0]))
    assert got == ["甲", "乙"]
    assert (err.value.line, err.value.col) == (2, col)


def test_telegram_bad_byte_keeps_the_messages_before_it(tmp_path: Path) -> None:
    doc = tg_doc(msg(text="BAD")).encode().replace(b"BAD", b"\xff")
    path = tmp_path / "result.json"
    path.write_bytes(doc)
    seen = []
    with pytest.raises(SourceFormatError) as err:
        for message in TelegramExport(path).iter_messages():
            seen.append(message.text)
    assert seen == ["ok"]
    assert err.value.line == 3 and "expected UTF-8 text" in err.value.message


def test_whatsapp_bad_byte_keeps_the_messages_before_it(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with 料库.txt"
    path.write_bytes(
        "25/01/2026, 10:00 - 甲: a\n26/01/2026, 10:01 - 乙: b\n".encode()
        + b"27/01/2026, 10:02 - \xff: c\n28/01/2026, 10:03 - X: d\n"
    )
    seen = []
    with pytest.raises(SourceFormatError) as err:
        for message in WhatsAppExport(path).iter_messages():
            seen.append(message.text)
    assert seen == ["a"]  # "b" may go on in the unreadable line: it is not known whole
    assert (err.value.line, err.value.col) == (3, 21)


# ---- 4. wrongly typed Telegram fields ----------------------------------------------------
@pytest.mark.parametrize(
    ("middle", "fragment"),
    [
        (msg(text=5), "expected a string or an array in 'text', found int"),
        (msg(text={"a": 1}), "expected a string or an array in 'text', found dict"),
        (msg(text=[{"type": "bold", "text": 5}]), "string 'text'"),
        (msg(from_id={"a": 1}), "expected a string in 'from_id', found dict"),
        (msg(**{"from": ["x"]}), "expected a string in 'from', found list"),
        (msg(forwarded_from={"a": 1}), "'forwarded_from'"),
    ],
)
def test_telegram_wrongly_typed_field_is_a_rejected_record(
    tmp_path: Path, middle: dict[str, Any], fragment: str
) -> None:
    assert_middle_rejected(tmp_path, middle, fragment)


def test_telegram_numeric_from_id_is_still_read(tmp_path: Path) -> None:
    messages, source = read_tg(tmp_path, tg_doc(msg(from_id=4294967338)))
    assert source.problems == []
    assert messages[1].author is not None and messages[1].author.platform_id == "4294967338"


@pytest.mark.parametrize(
    ("doc", "where", "fragment"),
    [
        (tg_doc(msg(), name={"a": 1}), (1, 10), "expected a string as the chat's 'name'"),
        (tg_doc(msg(), type=5), (1, 23), "expected a string as the chat's 'type'"),
        (tg_doc(msg(), id=[1]), (1, 47), "expected an integer or a string as the chat's 'id'"),
        ('{\n "chats": "x"\n}', (2, 11), "expected an object with a 'list' of chats at 'chats'"),
        ('{\n "chats": {"list": {}}\n}', (2, 20), "expected an array of chats at 'chats.list'"),
        (
            '{"left_chats": {"list": [{"name": 5, "messages": []}]}}',
            (1, 35),
            "expected a string as the chat's 'name', found int",
        ),
    ],
)
def test_telegram_wrongly_typed_structure_is_a_file_error(
    tmp_path: Path, doc: str, where: tuple[int, int], fragment: str
) -> None:
    with pytest.raises(SourceFormatError) as err:
        read_tg(tmp_path, doc)
    assert (err.value.line, err.value.col) == where
    assert fragment in err.value.message


# ---- 5. zip bombs ------------------------------------------------------------------------
def zipped(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "WhatsApp Chat with 料库.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("_chat.txt", text)
    return path


def test_zip_member_beyond_the_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(whatsapp_export, "MAX_CHAT_BYTES", 1000)
    path = zipped(tmp_path, "25/01/2026, 10:00 - 甲: a\n" + "A" * 100_000 + "\n")
    with pytest.raises(SourceFormatError) as err:
        list(WhatsAppExport(path).iter_messages())
    assert (err.value.line, err.value.col) == (1, 1)
    assert "_chat.txt in the zip is 100,028 bytes" in err.value.message


def test_zip_member_larger_than_its_header_says_is_a_located_error(tmp_path: Path) -> None:
    path = zipped(tmp_path, "".join(f"25/01/2026, 10:00 - 甲: {i}\n" for i in range(100)))
    data = bytearray(path.read_bytes())
    for signature, at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # uncompressed size
        start = data.index(signature)
        data[start + at : start + at + 4] = (200).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(SourceFormatError) as err:
        list(WhatsAppExport(path).iter_messages())
    assert "damaged zip" in err.value.message


def test_overlong_line_is_refused_and_overlong_message_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(whatsapp_export, "MAX_MESSAGE_SIZE", 100)
    many = "25/01/2026, 10:00 - 甲: a\n" + "B" * 60 + "\n" + "B" * 60 + "\n"
    path = zipped(tmp_path, many + "25/01/2026, 10:01 - 甲: c\n")
    source = WhatsAppExport(path)
    assert [m.text for m in source.iter_messages()] == ["c"]
    assert [(p.line, p.message) for p in source.problems] == [
        (1, "message longer than 100 characters")
    ]
    path = zipped(tmp_path, "25/01/2026, 10:00 - 甲: a\n" + "A" * 1000 + "\n")
    with pytest.raises(SourceFormatError) as err:
        list(WhatsAppExport(path).iter_messages())
    assert err.value.line == 2 and "line longer than 100 bytes" in err.value.message
