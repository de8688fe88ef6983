"""Every shared DiscordChatExporter sample is read exactly: counts and chosen records
pinned by hand from the JSON."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jianghu.records import AuthorRef, Message
from jianghu.sources.discord_export import DiscordExport, _sniff
from tests.conftest import FIXTURES

DC = FIXTURES / "discord"
GUILD = "dce-frontend_example_guild_general.json"
GROUP_DM = "chat-analytics_GC_3A_5M.json"
SERVER = "chat-analytics_SV_5A_5M.json"


def read(name: str) -> dict[str, Message]:
    source = DiscordExport(DC / name)
    messages = list(source.iter_messages())
    assert source.problems == []
    return {m.message_id: m for m in messages}


@pytest.mark.parametrize(
    ("name", "messages", "services", "sha256_prefix"),
    [
        # 31 Default + 3 GuildMemberJoin + 1 ThreadCreated.
        (GUILD, 31, 4, "3c111fe72101"),
        # ChannelNameChange, ChannelIconChange, Call; messageCount says 5 but the
        # anonymised sample holds 6 records: the reader counts what is there.
        (GROUP_DM, 3, 3, "d848c3e75f73"),
        # Five records, two of them the same message (same id) written twice.
        (SERVER, 5, 0, "74486a945d66"),
    ],
)
def test_counts_and_digest(name: str, messages: int, services: int, sha256_prefix: str) -> None:
    source = DiscordExport(DC / name)
    kinds = Counter(m.kind for m in source.iter_messages())
    assert kinds == Counter({"message": messages, "service": services}) - Counter()
    assert source.problems == []
    assert source.sha256 is not None and source.sha256.startswith(sha256_prefix)


def test_every_sample_is_sniffed_as_discord_and_telegram_is_not() -> None:
    for path in sorted(DC.glob("*.json")):
        assert _sniff(path, path.read_bytes()[:4096]), path.name
    for path in sorted((FIXTURES / "telegram").glob("*.json")):
        assert not _sniff(path, path.read_bytes()[:4096]), path.name


def test_guild_channel_replies_edits_and_system_messages() -> None:
    m = read(GUILD)
    first = m["1045178587575242772"]
    assert first.channel.key == "guild748545324524575035:channel1012224565567721552"
    assert first.channel.name == "Example guild / Text Channels / general"
    assert first.channel.kind == "GuildTextChat"
    assert first.text == "Welcome to the **DiscordChatExporter-frontend** example!"  # markdown kept
    assert first.author == AuthorRef("user521486476985155645", "Adam", "Adam#7077")
    assert first.posted_at == datetime(2023, 1, 6, 14, 3, 3, 853000, tzinfo=UTC)

    reply = m["1060926346089476176"]
    assert reply.text == "You will understand it later :kekw:"
    assert reply.reply_to == "1060926317920538735"  # same channel: the bare message id
    assert reply.attrs["reactions"] == "👀:1"
    assert m["1060926395313827840"].reply_to == "1060926346089476176"

    # Two fraction digits ("…:25.25+00:00") are a quarter second, not 25 µs.
    assert m["1060926317920538735"].posted_at == datetime(
        2023, 1, 6, 14, 22, 25, 250000, tzinfo=UTC
    )
    edited = m["1060926487911485582"]
    assert edited.posted_at == datetime(2023, 1, 6, 14, 23, 5, 779000, tzinfo=UTC)
    assert edited.edited_at == datetime(2023, 1, 6, 14, 23, 25, 845000, tzinfo=UTC)
    assert m["1060926197556588725"].text == "Hello 👏"  # escaped surrogate pair

    joined = m["1060928127137747087"]
    assert (joined.kind, joined.action, joined.text) == (
        "service",
        "GuildMemberJoin",
        "Joined the server.",
    )
    assert joined.author == AuthorRef(
        "user521486476985321458", "RICK NITRO", "aLittleSpammyBot#9001"
    )
    thread = m["1060927310439657577"]
    assert (thread.kind, thread.action, thread.reply_to) == ("service", "ThreadCreated", None)
    assert thread.attrs["reference_channel_id"] == "1060927310439657577"


def test_guild_media_embeds_and_mentions() -> None:
    m = read(GUILD)
    sticker = m["1045179638760091709"]
    assert (sticker.text, sticker.media_kind, sticker.attrs["stickers"]) == (
        "",
        "sticker",
        "pepecute",
    )
    assert m["1060926845832409158"].media_kind == "image"
    gif = m["1060927108362289223"]
    assert (gif.media_kind, gif.attrs["attachments"]) == ("image", "wat_gif_upload.gif")
    video = m["1060927205481402388"]
    assert (video.media_kind, video.text) == (
        "attachment",
        "Have you seen this impressive book scanner?",
    )
    assert m["1060927254248558702"].attrs == {
        "reactions": "kekw:2",
        "attachments": "funny_noises.mp3",
    }

    wiki = m["1060926895719460986"]
    content = (
        "read more about DiscordChatExporter in the wiki "
        "https://github.com/Tyrrrz/DiscordChatExporter/wiki"
    )
    assert wiki.text == (
        content + "\n\nHome · Tyrrrz/DiscordChatExporter Wiki\n"
        "Exports Discord chat logs to a file. Contribute to Tyrrrz/DiscordChatExporter "
        "development by creating an account on GitHub."
    )
    assert wiki.media_kind == "embed"
    assert wiki.attrs == {"embed_text_appended": "1", "content_length": str(len(content))}
    [link] = wiki.entities
    assert (link.type, link.start, link.end) == ("link", 48, len(content))
    assert link.href == "https://github.com/Tyrrrz/DiscordChatExporter/wiki"

    # A GIF link preview has no title or description: nothing is appended.
    tenor = m["1060927140842983534"]
    assert tenor.text == "https://tenor.com/view/magic-gif-26166638"
    assert tenor.media_kind == "embed" and "embed_text_appended" not in tenor.attrs

    mention = m["1060927310439657532"]
    assert mention.text.startswith("@Thomas that is a little bit off topic")
    [ent] = mention.entities
    assert (ent.type, ent.start, ent.end, ent.text, ent.user_id) == (
        "mention_name",
        0,
        7,
        "@Thomas",
        "896568767994532880",
    )


def test_group_dm() -> None:
    m = read(GROUP_DM)
    assert {x.channel.key for x in m.values()} == {"dm:channel1064990764406419508"}
    assert m["100"].channel.name == "Direct Messages / a group chat"
    assert m["100"].channel.kind == "DirectGroupTextChat"
    rename = m["1064990775659729017"]
    assert (rename.kind, rename.action) == ("service", "ChannelNameChange")
    assert m["1064991038751649806"].action == "ChannelIconChange"
    nick = m["1064990824305274930"]
    assert nick.author == AuthorRef("user333333333333333333", "theplant", "not a plant#6597")
    # This record has no "stickers" key (an older writer) and replies in the same DM.
    reply = m["530805779645595660"]
    assert (reply.text, reply.reply_to) == ("woah nice :custom_emoji:", "1064990824305274930")
    assert reply.posted_at == datetime(2023, 1, 18, 20, 12, 12, 123000, tzinfo=UTC)
    call = m["100"]
    assert (call.kind, call.action) == ("service", "Call")
    assert call.text == "Started a call that lasted 113 minutes."
    assert call.attrs["call_ended_at"] == "2023-03-03T16:40:59.313+00:00"
    link = m["1064991070322180096"]
    # "@mlomb" is only text here: the record's mentions list is empty.
    assert [(e.type, e.text) for e in link.entities] == [("link", "https://chatanalytics.app")]


def test_server_deleted_user_duplicates_and_reactions() -> None:
    source = DiscordExport(DC / SERVER)
    messages = list(source.iter_messages())
    assert messages[0].channel.key == "guild253601524398293010:channel253601524398293010"
    assert messages[0].channel.name == "DefleMask / Chat / general-chiptune"
    # The same message written twice keeps one key: the store dedupes, not the reader.
    key = "discord:guild253601524398293010:channel253601524398293010:459136077417021488"
    assert messages[0].key == key and messages[1].key == key
    deleted = messages[0]
    assert deleted.author == AuthorRef("user555555555555555555", "Deleted User", "Deleted User")
    assert deleted.edited_at == datetime(2018, 5, 20, 16, 9, 56, 439000, tzinfo=UTC)
    m = {x.message_id: x for x in messages}
    no_nickname = m["447793085255123004"]
    assert no_nickname.author == AuthorRef("user111111111111111111", "mlomb", "mlomb#5506")
    both = m["447793085255123005"]
    # Attachments win over stickers; both are named in attrs.
    assert both.media_kind == "image"
    assert both.attrs == {"attachments": "unknown.png", "stickers": "Laugh"}
    assert m["447793085255123006"].attrs["reactions"] == "paul:3,❤:2"


def test_source_positions_point_at_the_record() -> None:
    path = DC / GROUP_DM
    lines = Path(path).read_text(encoding="utf-8").split("\n")
    messages = list(DiscordExport(path).iter_messages())
    for msg in messages:
        assert lines[msg.source.line - 1][msg.source.col - 1] == "{"
        assert msg.raw.startswith("{") and msg.raw.endswith("}")
    assert (messages[0].source.line, messages[0].source.col) == (20, 9)
    assert messages[5].source.pointer == "messages[5]"
