"""Telethon messages map to exactly the records the export reader makes of the same chat.

Each case builds one message twice, from the same parts: as the real Telethon object the
live collector receives (``telethon.tl.types``, constructed offline) and as the message
object tdesktop writes into ``result.json``; then both go through their readers and must
give equal records (all but ``raw`` and ``source``, which say where each was read).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest

pytest.importorskip("telethon")
from telethon.tl import types as tl  # type: ignore[import-untyped]

from jianghu.records import Message
from jianghu.sources.telegram_export import TelegramExport
from jianghu.sources.telegram_live import action_name, text_entities, to_message

WHEN = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
EDITED = datetime(2026, 3, 1, 12, 5, tzinfo=UTC)
GROUP = tl.Channel(
    id=1234567, title="黑市 担保群", photo=tl.ChatPhotoEmpty(), date=WHEN, megagroup=True,
    username="heishi_db", access_hash=1,
)  # fmt: skip
CHANNEL = tl.Channel(
    id=7654321,
    title="出料频道",
    photo=tl.ChatPhotoEmpty(),
    date=WHEN,
    broadcast=True,
    access_hash=2,
)
SELLER = tl.User(id=4242, first_name="老王")
NAMES = {"user111": "张三 三", "channel999": "某供料频道"}


def u16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def build(parts: list[tuple[str, str, dict[str, Any]]]) -> tuple[str, list[Any], list[Any]]:
    """(text, Telethon entities, tdesktop text_entities) from (type, text, extra) parts."""
    classes = {
        "mention": tl.MessageEntityMention, "hashtag": tl.MessageEntityHashtag,
        "link": tl.MessageEntityUrl, "bold": tl.MessageEntityBold,
        "bank_card": tl.MessageEntityBankCard, "phone": tl.MessageEntityPhone,
        "code": tl.MessageEntityCode, "bot_command": tl.MessageEntityBotCommand,
    }  # fmt: skip
    text, ents, exported = "", [], []
    for etype, piece, extra in parts:
        if etype == "text_link":
            ents.append(tl.MessageEntityTextUrl(u16(text), u16(piece), extra["href"]))
        elif etype == "mention_name":
            ents.append(tl.MessageEntityMentionName(u16(text), u16(piece), extra["user_id"]))
        elif etype != "plain":
            ents.append(classes[etype](u16(text), u16(piece)))
        exported.append({"type": etype, "text": piece, **extra})
        text += piece
    return text, ents, exported


OFFER: list[tuple[str, str, dict[str, Any]]] = [
    ("plain", "🔥🔥 出U 50 找 ", {}),
    ("mention", "@seller_bot", {}),
    ("plain", " ", {}),
    ("hashtag", "#担保", {}),
    ("plain", "\n卡 ", {}),
    ("bank_card", "6222020200112233445", {}),
    ("plain", " 👉 ", {}),
    ("text_link", "点这里", {"href": "https://t.me/+AbCdEf"}),
    ("plain", " 问 ", {}),
    ("mention_name", "王老板", {"user_id": 777}),
    ("plain", " ", {}),
    ("link", "https://example.cn/a", {}),
]


def export_of(chat: dict[str, Any], messages: list[dict[str, Any]], tmp: Path) -> list[Message]:
    path = tmp / "result.json"
    path.write_text(json.dumps({**chat, "messages": messages}, ensure_ascii=False), "utf-8")
    reader = TelegramExport(path, account="42")
    out = list(reader.iter_messages())
    assert not reader.problems
    return out


def same(a: Message, b: Message) -> None:
    blank = {"raw": "", "source": a.source}
    assert msgspec.structs.replace(a, **blank) == msgspec.structs.replace(b, **blank)


def unix(d: datetime) -> str:
    return str(int(d.timestamp()))


def test_supergroup_messages_match_the_export(tmp_path: Path) -> None:
    text, ents, exported = build(OFFER)
    nested = [tl.MessageEntityBold(0, 4), tl.MessageEntityItalic(2, 2)]  # italic is dropped
    doc = tl.Document(
        id=1, access_hash=1, file_reference=b"\x00\xff", date=WHEN, mime_type="audio/ogg",
        size=10, dc_id=1, attributes=[tl.DocumentAttributeAudio(duration=3, voice=True)],
    )  # fmt: skip
    live = [
        tl.Message(10, tl.PeerChannel(GROUP.id), WHEN, text, from_id=tl.PeerUser(111),
                   entities=ents),
        tl.Message(11, tl.PeerChannel(GROUP.id), WHEN, "加急 出料", from_id=tl.PeerUser(111),
                   entities=nested, reply_to=tl.MessageReplyHeader(reply_to_msg_id=10),
                   fwd_from=tl.MessageFwdHeader(WHEN, from_id=tl.PeerChannel(999))),
        tl.Message(12, tl.PeerChannel(GROUP.id), WHEN, "样图", from_id=tl.PeerUser(111),
                   media=tl.MessageMediaPhoto(photo=tl.PhotoEmpty(5)), edit_date=EDITED),
        tl.Message(13, tl.PeerChannel(GROUP.id), WHEN, "", from_id=tl.PeerUser(111),
                   media=tl.MessageMediaDocument(document=doc),
                   fwd_from=tl.MessageFwdHeader(WHEN, from_name="隐藏的人")),
        tl.MessageService(14, tl.PeerChannel(GROUP.id), WHEN, from_id=tl.PeerUser(111),
                          action=tl.MessageActionPinMessage(), reply_to=tl.MessageReplyHeader(
                              reply_to_msg_id=10)),
    ]  # fmt: skip
    base = {"date": "2026-03-01T20:00:00", "date_unixtime": unix(WHEN)}
    frm = {"from": "张三 三", "from_id": "user111"}
    tdesktop = [
        {"id": 10, "type": "message", **base, **frm, "text": exported, "text_entities": exported},
        {"id": 11, "type": "message", **base, **frm, "forwarded_from": "某供料频道",
         "forwarded_from_id": "channel999", "reply_to_message_id": 10,
         "text": [{"type": "bold", "text": "加急 出"}, "料"],
         "text_entities": [{"type": "bold", "text": "加急 出"}, {"type": "plain", "text": "料"}]},
        {"id": 12, "type": "message", **base, "edited": "x", "edited_unixtime": unix(EDITED),
         **frm, "photo": "(File not included. Change data exporting settings to download.)",
         "width": 1, "height": 1, "text": "样图", "text_entities": [{"type": "plain",
                                                                     "text": "样图"}]},
        {"id": 13, "type": "message", **base, **frm, "forwarded_from": "隐藏的人",
         "file": "(File not included.)", "file_name": "a.ogg", "media_type": "voice_message",
         "mime_type": "audio/ogg", "text": "", "text_entities": []},
        {"id": 14, "type": "service", **base, "actor": "张三 三", "actor_id": "user111",
         "action": "pin_message", "message_id": 10, "reply_to_message_id": 10, "text": "",
         "text_entities": []},
    ]  # fmt: skip
    chat = {"name": GROUP.title, "type": "public_supergroup", "id": GROUP.id}
    for got, want in zip(
        [to_message(m, GROUP, "42", NAMES) for m in live],
        export_of(chat, tdesktop, tmp_path),
        strict=True,
    ):
        same(got, want)
    first = to_message(live[0], GROUP, "42", NAMES)
    assert first.channel.key == "channel1234567"
    assert [e.type for e in first.entities] == [
        "mention", "hashtag", "bank_card", "text_link", "mention_name", "link"
    ]  # fmt: skip
    assert all(first.text[e.start : e.end] == e.text for e in first.entities)
    assert first.source.pointer == "live channel1234567/10"
    assert (
        json.loads(to_message(live[3], GROUP, "42").raw)["media"]["document"]["file_reference"]
        == "AP8="
    )


def test_channel_post_is_authored_by_the_channel(tmp_path: Path) -> None:
    live = tl.Message(5, tl.PeerChannel(CHANNEL.id), WHEN, "今日出料", post=True,
                      post_author="小编")  # fmt: skip
    tdesktop = {"id": 5, "type": "message", "date": "x", "date_unixtime": unix(WHEN),
                "from": CHANNEL.title, "from_id": f"channel{CHANNEL.id}", "author": "小编",
                "text": "今日出料",
                "text_entities": [{"type": "plain", "text": "今日出料"}]}  # fmt: skip
    chat = {"name": CHANNEL.title, "type": "private_channel", "id": CHANNEL.id}
    [want] = export_of(chat, [tdesktop], tmp_path)
    same(to_message(live, CHANNEL, "42"), want)


def test_private_chat_is_scoped_to_the_account(tmp_path: Path) -> None:
    incoming = tl.Message(300, tl.PeerUser(SELLER.id), WHEN, "在吗")
    outgoing = tl.Message(301, tl.PeerUser(SELLER.id), WHEN, "在", out=True)
    base = {"date": "x", "date_unixtime": unix(WHEN)}
    tdesktop = [
        {"id": 300, "type": "message", **base, "from": "老王", "from_id": "user4242",
         "text": "在吗", "text_entities": [{"type": "plain", "text": "在吗"}]},
        {"id": 301, "type": "message", **base, "from": "Me", "from_id": "user42",
         "text": "在", "text_entities": [{"type": "plain", "text": "在"}]},
    ]  # fmt: skip
    chat = {"name": "老王", "type": "personal_chat", "id": SELLER.id}
    got = [to_message(m, SELLER, "42", {"user42": "Me"}) for m in (incoming, outgoing)]
    for a, b in zip(got, export_of(chat, tdesktop, tmp_path), strict=True):
        same(a, b)
    assert got[0].key == "telegram:acct42:personal_chat:4242:300"


def test_offsets_count_code_points_not_utf16_units() -> None:
    text = "𠀀😀 @abc"  # two astral characters: four UTF-16 units, two code points
    [ent] = text_entities(text, [tl.MessageEntityMention(5, 4)])
    assert (ent.start, ent.end, ent.text) == (3, 7, "@abc")


def test_action_names_follow_tdesktop() -> None:
    assert action_name(tl.MessageActionChannelCreate(title="x")) == "create_channel"
    assert action_name(tl.MessageActionChatJoinedByLink(inviter_id=1)) == "join_group_by_link"
    assert action_name(tl.MessageActionChatAddUser(users=[1])) == "invite_members"
    assert action_name(tl.MessageActionBoostApply(boosts=1)) == "boost_apply"
    assert action_name(tl.MessageActionCustomAction(message="hi")) is None
