"""WhatsApp export variants FORMATS.md §3 lists, in small Chinese-first samples."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jianghu.errors import ConfigError, SourceFormatError
from jianghu.records import Message
from jianghu.sources.whatsapp_export import WhatsAppExport, _sniff

ANDROID_ZH = """\
2026/3/1 上午9:58 - 消息和通话已进行端到端加密。任何人都无法读取或收听。
2026/3/1 上午10:00 - 老王 创建了群组“料库交流”
2026/3/1 下午3:05 - 老王: 出料 一手
2026/3/1 3:06下午 - 老王: 🔥🔥 四件套 🔥🔥
银行卡+U盾+手机卡

💰 价格私聊 @liao_boss
2026/3/1 下午 3:07 - 阿强: <省略多媒体文件>
2026/3/1 下午3:08 - 阿强: 此消息已删除
2026/3/1 下午12:30 - 阿强: 收 <This message was edited>
2026/3/2 上午12:05 - 阿强 已退出
"""

IOS_ZH = (
    "\ufeff[2026/3/1 下午3:05:10] 料库交流: \u200e消息和通话已进行端到端加密。\n"
    "[2026/3/1 下午3:05:11] 老王: 出料 一手\n"
    "[2026/3/1 15:05:12] 老王: \u200e<附件：00000042-PHOTO-2026-03-01-15-05-12.jpg>\n"
    "[2026/3/1 下午3:05:14] 料库交流: \u200e老王 添加了 阿强\n"
    "\u200e[2026/1/3, 3:06:00\u202fPM] 老王: \u200eimage omitted\n"
)


CHAT_FILE = "WhatsApp Chat with 料库.txt"


def read(
    tmp_path: Path, text: str | bytes, name: str = CHAT_FILE, **options: str
) -> tuple[list[Message], WhatsAppExport]:
    path = tmp_path / name
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    source = WhatsAppExport(path, options)
    return list(source.iter_messages()), source


def test_android_chinese_locale(tmp_path: Path) -> None:
    got, source = read(tmp_path, ANDROID_ZH, "与料库交流的 WhatsApp 聊天.txt")
    assert source.problems == [] and source.warnings == []
    assert got[0].channel.key == "chat:料库交流" and got[0].channel.name == "料库交流"
    notice, created, offer, multi, media, deleted, edited, left = got
    assert (notice.kind, notice.action, notice.author) == ("service", "encryption_notice", None)
    assert (created.kind, created.action) == ("service", "group_created")
    assert offer.author is not None and offer.author.display_name == "老王"
    assert offer.text == "出料 一手"
    assert offer.posted_at == datetime(2026, 3, 1, 15, 5, tzinfo=UTC)  # 下午 before the time
    assert multi.posted_at == datetime(2026, 3, 1, 15, 6, tzinfo=UTC)  # 下午 after the time
    assert multi.text == "🔥🔥 四件套 🔥🔥\n银行卡+U盾+手机卡\n\n💰 价格私聊 @liao_boss"
    assert multi.source.line == 4 and multi.raw.count("\n") == 3
    assert media.posted_at == datetime(2026, 3, 1, 15, 7, tzinfo=UTC)  # "下午 3:07"
    assert (media.media_kind, media.text) == ("media", "")
    assert "<省略多媒体文件>" in media.raw
    assert (deleted.text, deleted.attrs["deleted"]) == ("", "true")
    assert (edited.text, edited.attrs["edited"]) == ("收", "true")
    assert edited.posted_at == datetime(2026, 3, 1, 12, 30, tzinfo=UTC)  # 下午12:30 is noon
    assert (left.kind, left.action) == ("service", "member_left")
    assert left.posted_at == datetime(2026, 3, 2, 0, 5, tzinfo=UTC)  # 上午12:05 is past midnight
    assert {m.attrs["date_order"] for m in got} == {"ymd"}


def test_ios_bracketed_with_invisible_characters(tmp_path: Path) -> None:
    got, source = read(tmp_path, IOS_ZH, chat="料库交流")
    assert source.problems == []
    notice, offer, photo, added, image = got
    assert (notice.action, notice.attrs["attributed_to"]) == ("encryption_notice", "料库交流")
    assert notice.posted_at == datetime(2026, 3, 1, 15, 5, 10, tzinfo=UTC)
    assert offer.text == "出料 一手"
    assert (photo.media_kind, photo.text) == ("photo", "")
    assert photo.attrs["file"] == "00000042-PHOTO-2026-03-01-15-05-12.jpg"
    # iOS names the chat as the author of system lines.
    assert (added.kind, added.action, added.author) == ("service", "member_added", None)
    assert image.posted_at == datetime(2026, 1, 3, 15, 6, tzinfo=UTC)  # U+202F before PM
    assert (image.media_kind, image.text) == ("photo", "")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("1/22/23, 6:30 PM - 甲: x", datetime(2023, 1, 22, 18, 30)),
        ("22/1/23, 12:05 AM - 甲: x", datetime(2023, 1, 22, 0, 5)),
        ("22/01/2023, 11:25 p. m. - 甲: x", datetime(2023, 1, 22, 23, 25)),
        ("22.01.23, 18:30 - 甲: x", datetime(2023, 1, 22, 18, 30)),
        ("22-01-2023 18.30 - 甲: x", datetime(2023, 1, 22, 18, 30)),
        ("22.1.2023 klo 21.25.15 - 甲: x", datetime(2023, 1, 22, 21, 25, 15)),
        ("2023. 1. 22. 오후 3:05 - 甲: x", datetime(2023, 1, 22, 15, 5)),
        ("2023/01/22 午後3:05 - 甲: x", datetime(2023, 1, 22, 15, 5)),
        ("[22/01/2023, 18:30:59] 甲: x", datetime(2023, 1, 22, 18, 30, 59)),
        ("[2023/1/22 上午 9:05:00] 甲: x", datetime(2023, 1, 22, 9, 5)),
    ],
)
def test_12_and_24_hour_headers(tmp_path: Path, header: str, expected: datetime) -> None:
    got, source = read(tmp_path, header + "\n")
    assert source.problems == []
    assert got[0].posted_at == expected.replace(tzinfo=UTC)
    assert got[0].author is not None and got[0].author.display_name == "甲"


def test_one_day_above_12_decides_the_whole_file(tmp_path: Path) -> None:
    text = "03/04/2026, 10:00 - 甲: a\n05/06/2026, 10:00 - 甲: b\n25/06/2026, 10:00 - 甲: c\n"
    got, source = read(tmp_path, text)
    assert [m.posted_at.date().isoformat() for m in got] == [
        "2026-04-03",
        "2026-06-05",
        "2026-06-25",
    ]
    assert source.warnings == [] and got[0].attrs["date_order"] == "dmy"
    month_first = text.replace("25/06", "06/25")
    got, source = read(tmp_path, month_first)
    assert got[0].posted_at.date().isoformat() == "2026-03-04"
    assert got[0].attrs["date_order"] == "mdy"


def test_undecidable_order_falls_back_with_one_warning(tmp_path: Path) -> None:
    text = "03/04/2026, 10:00 - 甲: a\n05/06/2026, 10:00 - 甲: b\n"
    got, source = read(tmp_path, text)
    assert len(source.warnings) == 1 and "assumed dmy" in source.warnings[0]
    assert {m.attrs["date_order"] for m in got} == {"assumed dmy"}
    assert got[0].posted_at.date().isoformat() == "2026-04-03"
    got, source = read(tmp_path, text, date_order="mdy")
    assert source.warnings == [] and got[0].attrs["date_order"] == "option mdy"
    assert got[0].posted_at.date().isoformat() == "2026-03-04"


def test_tz_offset_converts_local_time(tmp_path: Path) -> None:
    got, _ = read(tmp_path, "2026/3/1 下午3:05 - 老王: 出料\n", tz_offset="+08:00")
    assert got[0].posted_at == datetime(2026, 3, 1, 7, 5, tzinfo=UTC)
    assert "time_assumed_utc" not in got[0].attrs
    with pytest.raises(ConfigError, match="tz_offset"):
        WhatsAppExport(tmp_path / CHAT_FILE, {"tz_offset": "Asia/Shanghai"})
    with pytest.raises(ConfigError, match="date_order"):
        WhatsAppExport(tmp_path / CHAT_FILE, {"date_order": "dym"})


@pytest.mark.parametrize(
    ("text", "media", "left", "attrs"),
    [
        ("<Media omitted>", "media", "", {}),
        ("<Medien weggelassen>", "media", "", {}),
        ("<省略影音内容>", "media", "", {}),
        ("video omitted", "video", "", {}),
        ("the image omitted from the report", None, "the image omitted from the report", {}),
        (
            "IMG-20210428-WA0001.jpg (file attached)\n四件套 实拍",
            "photo",
            "四件套 实拍",
            {"file": "IMG-20210428-WA0001.jpg"},
        ),
        (
            "<attached: 00000043-AUDIO-2020-06-07.opus>",
            "audio",
            "",
            {"file": "00000043-AUDIO-2020-06-07.opus"},
        ),
        ("You deleted this message", None, "", {"deleted": "true"}),
        ("出料 <This message was edited>", None, "出料", {"edited": "true"}),
    ],
)
def test_media_deleted_and_edited_markers(
    tmp_path: Path, text: str, media: str | None, left: str, attrs: dict[str, str]
) -> None:
    got, _ = read(tmp_path, f"1/2/26, 10:00 - 老王: {text}\n")
    assert (got[0].media_kind, got[0].text, got[0].kind) == (media, left, "message")
    assert {k: v for k, v in got[0].attrs.items() if k in ("file", "deleted", "edited")} == attrs
    assert got[0].raw == f"1/2/26, 10:00 - 老王: {text}"


def test_person_saying_left_is_not_a_system_line(tmp_path: Path) -> None:
    text = "1/2/26, 10:00 - Bob: I left\n1/2/26, 10:01 - Bob left\n"
    got, _ = read(tmp_path, text)
    assert [(m.kind, m.action) for m in got] == [("message", None), ("service", "member_left")]


def test_zip_export_is_read_in_place(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat - 料库交流.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("_chat.txt", IOS_ZH)
        archive.writestr("00000042-PHOTO-2026-03-01-15-05-12.jpg", b"\xff\xd8\xff")
    assert _sniff(path, path.read_bytes()[:4096])
    source = WhatsAppExport(path)
    got = list(source.iter_messages())
    assert len(got) == 5 and got[0].channel.key == "chat:料库交流"
    assert got[3].kind == "service"  # the chat name from the zip's name marks system lines
    assert source.sha256 is not None and list(tmp_path.iterdir()) == [path]


def _chat(n: int) -> list[str]:
    """n messages of one chat, with identical repeats inside a minute and multi-line ones."""
    records = []
    for i in range(n):
        minute = i // 3  # three messages a minute, so repeats share their minute
        stamp = f"2026/3/{1 + minute // 60} 下午{1 + (minute // 60) % 11}:{minute % 60:02d}"
        text = "出料 一手" if i % 3 else f"第{i}条\n价格私聊"  # repeats: i%3 == 1 and 2
        records.append(f"{stamp} - 老王: {text}\n")
    return records


def test_overlapping_exports_share_keys(tmp_path: Path) -> None:
    chat = _chat(30)
    a_path = tmp_path / "a" / "WhatsApp Chat with 料库.txt"
    b_path = tmp_path / "b" / "WhatsApp Chat with 料库.txt"
    for path, part in ((a_path, chat[0:21]), (b_path, chat[3:26])):
        path.parent.mkdir()
        path.write_text("".join(part).rstrip("\n"), encoding="utf-8")
    a = list(WhatsAppExport(a_path).iter_messages())
    b = list(WhatsAppExport(b_path).iter_messages())
    assert (len(a), len(b)) == (21, 23)
    assert len({m.key for m in a}) == 21 and len({m.key for m in b}) == 23  # no collisions
    assert [m.key for m in a[3:]] == [m.key for m in b[:18]]  # same messages, same keys
    assert len({m.key for m in a} | {m.key for m in b}) == 26


def test_bad_header_is_a_problem_and_the_rest_is_kept(tmp_path: Path) -> None:
    text = (
        "25/01/2026, 10:00 - 甲: a\n13/13/2026, 10:01 - 甲: b\nmore b\n26/01/2026, 10:02 - 甲: c\n"
    )
    got, source = read(tmp_path, text)
    assert [m.text for m in got] == ["a", "c"]
    assert [str(p) for p in source.problems] == [
        f"{tmp_path / CHAT_FILE}:2:1: not a valid date or time: impossible date 13/13/2026: "
        "month 13"
    ]


def test_non_utf8_is_fatal_with_position(tmp_path: Path) -> None:
    data = "2026/3/1 下午3:05 - 老王: 出料\n".encode() + "老王: 一手".encode("gbk") + b"\n"
    with pytest.raises(SourceFormatError) as err:
        read(tmp_path, data)
    assert (err.value.line, err.value.col) == (2, 1)
    assert err.value.message.endswith("expected UTF-8 text")


def test_text_without_headers_is_not_an_export(tmp_path: Path) -> None:
    with pytest.raises(SourceFormatError, match=r"料库\.txt:1:1: expected a WhatsApp chat"):
        read(tmp_path, "just some notes\n出料 一手\n")
    assert not _sniff(tmp_path / CHAT_FILE, b"just some notes\n")
    assert not _sniff(tmp_path / "result.json", b"2026/3/1 10:00 - a: b\n")


def test_notice_with_a_colon_keeps_its_text(tmp_path: Path) -> None:
    text = "1/2/26, 10:00 - Messages and calls are end-to-end encrypted. Learn more: tap.\n"
    got, _ = read(tmp_path, text)
    assert (got[0].action, got[0].text) == (
        "encryption_notice",
        "Messages and calls are end-to-end encrypted. Learn more: tap.",
    )
    assert "attributed_to" not in got[0].attrs


def test_zip_without_a_chat_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat - 料库.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("IMG-20210428-WA0001.jpg", b"\xff\xd8\xff")
    assert not _sniff(path, path.read_bytes())
    with pytest.raises(SourceFormatError, match=r"zip:1:1: zip holds no \.txt chat export"):
        list(WhatsAppExport(path).iter_messages())


def test_reading_twice_gives_the_same_records_and_one_warning(tmp_path: Path) -> None:
    text = "intro line\n03/04/2026, 10:00 - 甲: a\n03/04/2026, 10:00 - 甲: a\n"
    got, source = read(tmp_path, text)
    again = list(source.iter_messages())
    assert [m.key for m in got] == [m.key for m in again] and len({m.key for m in got}) == 2
    assert len(source.warnings) == 1
    assert [p.line for p in source.problems] == [1, 1]  # "text before the first message"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(alphabet="出料一手价格私聊🔥💰0123456789:/. \n@+abcXYZ", max_size=40))
def test_any_text_survives(tmp_path: Path, text: str) -> None:
    got, source = read(tmp_path, f"2026/3/1 下午3:05 - 老王: {text}\n2026/3/1 下午3:06 - 甲: end\n")
    assert source.problems == [] and len(got) == 2
    assert got[0].text == text.rstrip()


def test_only_two_digit_years_are_read_as_this_century() -> None:
    from jianghu.sources.whatsapp_formats import DateOrder, match_header, to_datetime

    def when(line: str, order: DateOrder) -> datetime:
        head = match_header(line)
        assert head is not None
        return to_datetime(head, order)

    assert when("01/02/24, 10:00 - A: hi", "dmy").year == 2024
    assert when("01/02/0024, 10:00 - A: hi", "dmy").year == 24  # written out: as written
    assert when("0024-02-01, 10:00 - A: hi", "ymd").year == 24
