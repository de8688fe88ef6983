"""Every shared Telegram sample is read exactly: counts and chosen texts pinned by hand."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jianghu.records import Message
from jianghu.sources.base import open_source
from tests.conftest import FIXTURES

TG = FIXTURES / "telegram"


def read(name: str) -> tuple[list[Message], list[str]]:
    source = open_source(TG / name)
    messages = list(source.iter_messages())
    return messages, [str(p) for p in source.problems]


@pytest.mark.parametrize(
    ("name", "messages", "services", "sha256_prefix"),
    [
        ("tdesktop_private_group_2022_roboteam.json", 8, 4, "c6bd74c36fd5"),
        ("chat-analytics_DM_2A_7M.json", 6, 2, "6aa72e3efb14"),
        ("langchain_personal_chat_2023.json", 4, 0, "b39e56127de4"),
        ("chat-miner_test_batch_export.json", 2, 0, "85a29c09fb43"),
    ],
)
def test_counts_and_digest(name: str, messages: int, services: int, sha256_prefix: str) -> None:
    source = open_source(TG / name)
    kinds = Counter(m.kind for m in source.iter_messages())
    assert kinds == Counter({"message": messages, "service": services}) - Counter()
    assert source.problems == []
    assert source.sha256 is not None and source.sha256.startswith(sha256_prefix)


def by_id(messages: list[Message]) -> dict[str, Message]:
    return {m.message_id: m for m in messages}


def test_roboteam_private_group() -> None:
    messages, problems = read("tdesktop_private_group_2022_roboteam.json")
    assert problems == []
    m = by_id(messages)
    # A basic group numbers messages per account, so the key carries the account.
    assert {x.channel.key for x in messages} == {"acctunknown:private_group:123456789"}
    assert messages[0].channel.name == "Test 2022"
    created = m["426593"]
    assert (created.kind, created.action) == ("service", "create_group")
    assert created.author is not None and created.author.display_name == "Александр Март"
    bot = m["426597"]
    assert bot.text == "Your user ID: 123456789\nCurrent chat ID: -123456789"
    assert [(e.type, e.text, e.start, e.end) for e in bot.entities] == [
        ("bold", "123456789", 14, 23),
        ("bold", "-123456789", 41, 51),
    ]
    # Old format without date_unixtime: the local date is read as UTC and flagged.
    assert bot.posted_at == datetime(2022, 3, 16, 19, 24, 40, tzinfo=UTC)
    assert bot.attrs["date_assumed_utc"] == "true"
    photo = m["428640"]
    assert photo.media_kind == "photo"
    assert photo.text.startswith("*bold \\*text*\n_italic \\*text_\nunderline\n")
    links = [e.text for e in photo.entities if e.type == "link"]
    assert links[0] == "http://www.example.com/"
    assert m["428645"].media_kind == "voice_message"
    assert m["428647"].media_kind == "animation"
    assert m["428647"].attrs["via_bot"] == "@gif"
    assert m["428648"].media_kind == "sticker"
    assert (m["428649"].media_kind, m["428649"].text) == ("document", "asdf")
    assert m["428644"].action == "remove_members"


def test_chat_analytics_dm_mixed_dates() -> None:
    messages, _ = read("chat-analytics_DM_2A_7M.json")
    m = by_id(messages)
    link = m["3644"]
    assert link.text == "https://google.com 👀"
    assert [(e.type, e.text) for e in link.entities] == [("link", "https://google.com")]
    assert m["3645"].text == "hello world"
    assert m["3662"].text == "world?"
    assert "date_assumed_utc" not in m["3662"].attrs  # has date_unixtime
    assert m["3672"].media_kind == "photo" and m["3672"].text == ""
    call = m["3674"]
    assert (call.kind, call.action) == ("service", "phone_call")
    assert {x.channel.kind for x in messages} == {"personal_chat"}


def test_langchain_prefers_unixtime_over_local_date() -> None:
    messages, _ = read("langchain_personal_chat_2023.json")
    first = messages[0]
    # "date" says 13:11:23 in the exporting PC's zone; date_unixtime is the truth.
    assert first.posted_at == datetime(2023, 8, 23, 20, 11, 23, tzinfo=UTC)
    assert [m.text for m in messages] == [
        "i refuse to converse with you",
        "Hi nemesis",
        "we meet again",
        "you will not trick me this time",
    ]
    assert messages[1].author is not None
    assert messages[1].author.display_name == "Batman & Robin"
    assert messages[1].author.platform_id == "user6565661032"


def test_minimal_hand_made_export_without_ids() -> None:
    messages, problems = read("chat-miner_test_batch_export.json")
    assert problems == []
    assert [m.text for m in messages] == ["Minimal Message", "Link:https://telegram.org/"]
    assert messages[1].entities[1].type == "link"
    # No ids anywhere: content-derived ids keep re-reads idempotent.
    again, _ = read("chat-miner_test_batch_export.json")
    assert [m.key for m in messages] == [m.key for m in again]
    assert len({m.key for m in messages}) == 2
    assert messages[0].author is not None and messages[0].author.platform_id is None


def test_source_positions_point_at_the_record() -> None:
    path = TG / "langchain_personal_chat_2023.json"
    messages, _ = read(path.name)
    lines = Path(path).read_text(encoding="utf-8").split("\n")
    for m in messages:
        assert lines[m.source.line - 1][m.source.col - 1] == "{"
        assert m.raw.startswith("{") and m.raw.endswith("}")
    assert messages[2].source.pointer == "messages[2]"
