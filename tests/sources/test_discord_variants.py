"""The DiscordChatExporter variants FORMATS.md §2 lists, in small exports written here."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from jianghu.errors import SourceFormatError
from jianghu.records import AuthorRef, Message
from jianghu.sources.discord_export import DiscordExport

# A 2.47-era guild export: every newer key, a forward, numeric kinds, a bot embed.
GUILD_EXPORT = r"""{
  "guild": {"id": "900000000000000001", "name": "黑产 交易所", "iconUrl": "x.png"},
  "channel": {"id": "900000000000000002", "type": "GuildTextChat",
              "categoryId": "900000000000000003", "category": "交易区",
              "name": "出料", "topic": null},
  "dateRange": {"after": null, "before": null},
  "exportedAt": "2026-03-02T00:00:00+08:00",
  "messages": [
    {
      "id": "1200000000000000001",
      "type": "Default",
      "timestamp": "2026-03-01T20:00:00.1234567+08:00",
      "timestampEdited": "2026-03-01T20:05:00+08:00",
      "callEndedTimestamp": null,
      "isPinned": true,
      "content": "出料 50U 联系 @老王 https://t.me/laowang，价格私聊",
      "author": {"id": "41", "name": "seller_01", "discriminator": "0000",
                 "nickname": "卖家一号", "color": null, "isBot": false,
                 "roles": [{"id": "1", "name": "VIP", "color": null, "position": 1}],
                 "avatarUrl": "a.png"},
      "attachments": [],
      "embeds": [],
      "stickers": [],
      "reactions": [{"emoji": {"id": "", "name": "👍", "code": "thumbsup",
                               "isAnimated": false, "imageUrl": "t.svg"},
                     "count": 3, "users": []},
                    {"emoji": {"id": null, "name": "🔥", "code": "fire",
                               "isAnimated": false, "imageUrl": "f.svg"},
                     "count": 1, "users": []}],
      "mentions": [{"id": "42", "name": "laowang_88", "discriminator": "0000",
                    "nickname": "老王", "isBot": false}],
      "inlineEmojis": []
    },
    {
      "id": "1200000000000000002",
      "type": "Default",
      "timestamp": "2026-03-01T12:01:00+00:00",
      "timestampEdited": null,
      "isPinned": false,
      "content": "",
      "author": {"id": "43", "name": "mover", "discriminator": "0000", "nickname": null,
                 "isBot": false},
      "attachments": [],
      "embeds": [],
      "stickers": [],
      "reactions": [],
      "mentions": [],
      "reference": {"type": "Forward", "messageId": "1100000000000000009",
                    "channelId": "800000000000000002", "guildId": "800000000000000001"},
      "forwardedMessage": {
        "timestamp": "2026-02-28T09:00:00+00:00",
        "timestampEdited": null,
        "content": "四件套 出售 https://example.cn/shop",
        "attachments": [{"id": "5", "url": "u", "fileName": "价目表.xlsx",
                         "fileSizeBytes": 1}],
        "embeds": [],
        "stickers": []
      }
    },
    {
      "id": "1200000000000000003",
      "type": "20",
      "timestamp": "2026-03-01T12:02:00+00:00",
      "content": "",
      "author": {"id": "44", "name": "ShopBot", "discriminator": "1234", "isBot": true},
      "embeds": [{"title": "库存", "url": null, "timestamp": null,
                  "description": "实时价格",
                  "fields": [{"name": "银行卡", "value": "80U", "isInline": true},
                             {"name": "", "value": "私聊下单", "isInline": false}],
                  "images": [], "inlineEmojis": []}],
      "interaction": {"id": "7", "name": "stock", "user": {"id": "41", "name": "seller_01"}}
    },
    {
      "id": "1200000000000000004",
      "type": "24",
      "timestamp": "2026-03-01T12:03:00+00:00",
      "content": "AutoMod blocked a message",
      "author": {"id": "45", "name": "AutoMod", "discriminator": "0000"}
    },
    {
      "id": "175928847299117063",
      "type": "Reply",
      "timestamp": "yesterday",
      "content": "回复另一个频道",
      "author": {"id": "41", "name": "seller_01", "discriminator": "0000"},
      "reference": {"messageId": "1100000000000000001", "channelId": "800000000000000002",
                    "guildId": "900000000000000001"}
    }
  ],
  "messageCount": 5
}"""

DM_OLD_EXPORT = """{
  "guild": {"id": "0", "name": "Direct Messages", "iconUrl": "x.png"},
  "channel": {"id": "700000000000000001", "type": "DirectTextChat", "categoryId": "0",
              "category": "Private", "name": "老王", "topic": null},
  "dateRange": {"after": null, "before": null},
  "messages": [
    {"id": "700000000000000010", "type": "Default",
     "timestamp": "2019-05-20T16:09:44+08:00", "content": "在吗",
     "author": {"id": "42", "name": "laowang", "discriminator": "8888"}},
    {"id": "700000000000000011", "type": "RecipientAdd",
     "timestamp": "2019-05-20T16:10:00+08:00", "content": "Added a recipient.",
     "author": {"id": "42", "name": "laowang", "discriminator": "8888"},
     "attachments": [], "embeds": [], "reactions": [], "mentions": []}
  ],
  "messageCount": 2
}"""


def read_text(tmp_path: Path, text: str, name: str = "export.json") -> DiscordExport:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return DiscordExport(path)


@pytest.fixture
def guild(tmp_path: Path) -> dict[str, Message]:
    source = read_text(tmp_path, GUILD_EXPORT)
    messages = {m.message_id: m for m in source.iter_messages()}
    assert source.problems == []
    return messages


def test_chinese_content_mention_link_edit_and_reactions(guild: dict[str, Message]) -> None:
    msg = guild["1200000000000000001"]
    assert msg.channel.key == "guild900000000000000001:channel900000000000000002"
    assert msg.channel.name == "黑产 交易所 / 交易区 / 出料"
    assert msg.text == "出料 50U 联系 @老王 https://t.me/laowang，价格私聊"
    mention, link = msg.entities
    assert (mention.type, mention.text, mention.user_id) == ("mention_name", "@老王", "42")
    assert msg.text[mention.start : mention.end] == "@老王"
    # The URL ends where the Chinese punctuation starts.
    assert (link.type, link.text, link.href) == (
        "link",
        "https://t.me/laowang",
        "https://t.me/laowang",
    )
    assert msg.text[link.start : link.end] == "https://t.me/laowang"
    # +08:00 local time and seven fraction digits (.NET ticks) become UTC microseconds.
    assert msg.posted_at == datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
    assert msg.edited_at == datetime(2026, 3, 1, 12, 5, tzinfo=UTC)
    assert msg.author == AuthorRef("user41", "卖家一号", "seller_01")
    assert msg.attrs == {"pinned": "true", "reactions": "👍:3,🔥:1"}


def test_forward_keeps_the_forwarded_text(guild: dict[str, Message]) -> None:
    msg = guild["1200000000000000002"]
    assert msg.kind == "message"
    assert msg.text == "四件套 出售 https://example.cn/shop"
    assert msg.forwarded_from_id == "guild800000000000000001:channel800000000000000002"
    assert msg.forwarded_from == (
        "guild800000000000000001:channel800000000000000002:1100000000000000009"
    )
    assert msg.reply_to is None  # a forward's reference is not a reply
    assert msg.media_kind == "attachment"
    assert msg.attrs["attachments"] == "价目表.xlsx"
    assert msg.attrs["forwarded"] == "true"
    assert msg.attrs["forwarded_posted_at"] == "2026-02-28T09:00:00+00:00"
    assert msg.attrs["forwarded_message_id"] == "1100000000000000009"
    assert msg.author == AuthorRef("user43", "mover", "mover")  # null nickname → name
    assert [e.text for e in msg.entities if e.type == "link"] == ["https://example.cn/shop"]


def test_slash_command_reply_is_a_message_with_its_embed_text(
    guild: dict[str, Message],
) -> None:
    bot = guild["1200000000000000003"]
    # Type 20 is a bot's answer to a slash command: authored text, so not a service.
    assert (bot.kind, bot.action) == ("message", None)
    assert bot.text == "库存\n实时价格\n银行卡: 80U\n私聊下单"
    assert bot.media_kind == "embed"
    assert bot.author == AuthorRef("user44", "ShopBot", "ShopBot#1234")
    assert bot.attrs == {
        "discord_type": "20",
        "embed_text_appended": "1",
        "content_length": "0",
        "author_is_bot": "true",
        "interaction": "stock",
    }


def test_unknown_numeric_system_type_is_a_service(guild: dict[str, Message]) -> None:
    automod = guild["1200000000000000004"]
    assert (automod.kind, automod.action) == ("service", "24")
    assert automod.text == "AutoMod blocked a message"


def test_cross_channel_reply_and_snowflake_time_fallback(guild: dict[str, Message]) -> None:
    msg = guild["175928847299117063"]
    assert msg.kind == "message"
    assert msg.reply_to == "800000000000000002:1100000000000000001"
    # Discord's documented example: this snowflake was made at 2016-04-30 11:18:25.796.
    assert msg.posted_at == datetime(2016, 4, 30, 11, 18, 25, 796000, tzinfo=UTC)
    assert msg.attrs == {"posted_at_from": "snowflake", "timestamp_invalid": "yesterday"}


def test_direct_messages_from_an_old_export(tmp_path: Path) -> None:
    source = read_text(tmp_path, DM_OLD_EXPORT)
    first, added = list(source.iter_messages())
    assert source.problems == []
    assert first.channel.key == "dm:channel700000000000000001"
    assert first.channel.name == "Direct Messages / 老王"
    assert first.channel.kind == "DirectTextChat"
    # No nickname, stickers, reactions, mentions, isPinned or timestampEdited at all.
    assert first.author == AuthorRef("user42", "laowang", "laowang#8888")
    assert (first.text, first.edited_at, first.media_kind, first.attrs) == ("在吗", None, None, {})
    assert first.posted_at == datetime(2019, 5, 20, 8, 9, 44, tzinfo=UTC)
    assert (added.kind, added.action) == ("service", "RecipientAdd")


def test_messages_before_the_header_are_still_keyed(tmp_path: Path) -> None:
    doc = """{"messages": [
 {"id": "10", "type": "Default", "timestamp": "2026-03-01T12:00:00+00:00", "content": "a"}
],
 "guild": {"id": "1", "name": "g"}, "channel": {"id": "2", "type": "GuildTextChat",
 "name": "c"}}"""
    [msg] = read_text(tmp_path, doc).iter_messages()
    assert (msg.channel.key, msg.channel.name) == ("guild1:channel2", "g / c")


def test_rereading_gives_identical_keys(tmp_path: Path) -> None:
    first = [m.key for m in read_text(tmp_path, GUILD_EXPORT).iter_messages()]
    again = [m.key for m in read_text(tmp_path, GUILD_EXPORT).iter_messages()]
    assert first == again and len(set(first)) == 5


def test_bad_records_are_rejected_with_their_position(tmp_path: Path) -> None:
    doc = """{"guild": {"id": "1", "name": "g"}, "channel": {"id": "2", "name": "c"},
 "messages": [
  {"id": "10", "type": "Default", "timestamp": "2026-03-01T12:00:00+00:00", "content": "ok"},
  {"id": "abc", "type": "Default", "timestamp": "2026-03-01T12:00:01+00:00"},
  42,
  {"id": "12", "timestamp": "2026-03-01T12:00:02+00:00", "content": ["not", "text"]},
  {"id": "13", "type": "Default",
   "timestamp": "2026-03-01T12:00:03+00:00", "content": "broken" "x"},
  {"id": "14", "type": "Default", "timestamp": "2026-03-01T12:00:04+00:00", "content": "fine"}
 ]}"""
    source = read_text(tmp_path, doc)
    assert [m.text for m in source.iter_messages()] == ["ok", "fine"]
    path = tmp_path / "export.json"
    assert [str(p) for p in source.problems] == [
        f"{path}:4:3: expected a snowflake string 'id', found 'abc'",
        f"{path}:5:3: expected a message object, found int",
        f"{path}:6:3: expected a string 'content', found list",
        f"{path}:8:66: invalid JSON in a message: Expecting ',' delimiter",
    ]


def test_truncated_export_keeps_complete_records_then_fails(tmp_path: Path) -> None:
    doc = GUILD_EXPORT[: GUILD_EXPORT.index('"id": "1200000000000000003"')]
    source = read_text(tmp_path, doc, "cut.json")
    seen: list[str] = []
    with pytest.raises(SourceFormatError) as info:
        for message in source.iter_messages():
            seen.append(message.message_id)
    assert seen == ["1200000000000000001", "1200000000000000002"]
    err = info.value
    assert err.path == str(tmp_path / "cut.json")
    assert err.line == doc.count("\n") + 1
    assert "unexpected end of file" in err.message
    assert source.sha256 is None  # never read to the end


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        ("[1, 2]", (1, 1), "expected a JSON object (a DiscordChatExporter export)"),
        ('{"name": "tg", "messages": []}', (1, 28), "expected a 'channel' object"),
        ('{"guild": {"id": "1"}, "channel": {"id": "2"}}', (1, 1), "expected a Discord"),
        ('{"guild": "x", "channel": {"id": "2"}, "messages": []}', (1, 11), "expected an obj"),
    ],
)
def test_foreign_files_fail_with_a_position(
    tmp_path: Path, text: str, where: tuple[int, int], message: str
) -> None:
    with pytest.raises(SourceFormatError) as info:
        list(read_text(tmp_path, text).iter_messages())
    assert (info.value.line, info.value.col) == where
    assert info.value.message.startswith(message)
