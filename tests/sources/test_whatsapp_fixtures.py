"""Every shared WhatsApp sample is read exactly: counts and chosen messages pinned by hand."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from jianghu.records import Message
from jianghu.sources.whatsapp_export import WhatsAppExport, _sniff
from tests.conftest import FIXTURES

WA = FIXTURES / "whatsapp"
LOREM2 = "Lorem ipsum dolor sit amet,\nconsectetur adipiscing elit. Duis libero."


def read(name: str) -> tuple[list[Message], WhatsAppExport]:
    source = WhatsAppExport(WA / name, {"chat": "Sample"})
    return list(source.iter_messages()), source


@pytest.mark.parametrize(
    ("name", "messages", "services", "order", "sha256_prefix"),
    [
        ("chat-miner_test_mmddyyyy_12hrs.txt", 7, 2, "mdy", "41f662446ece"),
        ("chat-miner_test_bracket_mmddyy_24hrs.txt", 7, 2, "mdy", "473b678859c5"),
        ("whatstk_pokemon.txt", 18, 2, "dmy", "f4dc25e8355d"),
    ],
)
def test_counts_order_and_digest(
    name: str, messages: int, services: int, order: str, sha256_prefix: str
) -> None:
    assert _sniff(WA / name, (WA / name).read_bytes())
    got, source = read(name)
    assert Counter(m.kind for m in got) == Counter({"message": messages, "service": services})
    assert source.problems == []
    assert source.warnings == []  # every sample has a day above 12 somewhere
    assert {m.attrs["date_order"] for m in got} == {order}
    assert all(m.attrs["time_assumed_utc"] == "true" for m in got)
    assert len({m.key for m in got}) == len(got)
    assert source.sha256 is not None and source.sha256.startswith(sha256_prefix)


@pytest.mark.parametrize(
    "name", ["chat-miner_test_mmddyyyy_12hrs.txt", "chat-miner_test_bracket_mmddyy_24hrs.txt"]
)
def test_chat_miner_pair_reads_the_same(name: str) -> None:
    """The two chat-miner files hold the same chat in 12-hour Spanish and 24-hour iOS form."""
    got, _ = read(name)
    by_line = {m.source.line: m for m in got}
    assert sorted(by_line) == [1, 2, 3, 5, 6, 7, 8, 9, 10]  # line 4 continues message 3
    first = by_line[1]
    assert first.author is not None and first.author.display_name == "John Doe"
    assert first.posted_at == datetime(2019, 1, 1, 11, 25, tzinfo=UTC)
    assert first.text == "Lorem ipsum dolor sit amet."
    assert by_line[2].text == "."  # "John Doe:." has no space after the colon
    multi = by_line[3]
    assert multi.author is not None and multi.author.display_name == "Jahn Doe"
    assert multi.posted_at == datetime(2019, 1, 30, 20, 49, tzinfo=UTC)  # 08:49 p. m.
    assert multi.text == LOREM2
    assert multi.raw.endswith("\nconsectetur adipiscing elit. Duis libero.")
    colon = by_line[5]
    assert colon.author is not None and colon.author.display_name == "John-John Doe"
    assert colon.text == "Lorem ipsum : dolor sit amet."
    assert colon.posted_at == datetime(2020, 6, 10, 15, 55, tzinfo=UTC)  # 03:55 p. m.
    created = by_line[6]
    assert (created.kind, created.action, created.author) == ("service", "group_created", None)
    assert created.text == '+12 345 578 created group "Groupname"'
    assert created.posted_at == datetime(2020, 6, 20, 0, 8, tzinfo=UTC)  # "00:08 a. m."
    assert (by_line[7].action, by_line[7].text) == ("member_added", "You were added")
    emoji = by_line[9]
    assert emoji.author is not None and emoji.author.display_name == "🤓"
    assert emoji.posted_at == datetime(2021, 12, 20, 12, 10, tzinfo=UTC)  # 12:10 p. m.
    last = by_line[10]
    assert last.posted_at == datetime(2021, 12, 30, 22, 1, tzinfo=UTC)
    assert last.text == LOREM2  # the file has no final newline


def test_pokemon_notices_and_messages() -> None:
    got, _ = read("whatstk_pokemon.txt")
    notice, secured, hello = got[0], got[1], got[2]
    # Attributed to the chat's name, but nobody wrote it.
    assert (notice.kind, notice.action, notice.author) == ("service", "encryption_notice", None)
    assert notice.attrs["attributed_to"] == "Pokemon Chat"
    assert notice.text.startswith("Messages and calls are end-to-end encrypted.")
    assert notice.posted_at == datetime(2016, 4, 15, 15, 4, tzinfo=UTC)
    assert (secured.kind, secured.action) == ("service", "encryption_notice")
    assert hello.author is not None and hello.author.display_name == "Ash Ketchum"
    assert (hello.text, hello.posted_at) == ("Hey guys!", datetime(2016, 8, 6, 13, 23, tzinfo=UTC))
    jj = next(m for m in got if m.author and m.author.display_name == "Jessie & James")
    assert jj.text == "Hey, thanks for adding us. Wanna meet soon? Just for the old times."
    assert jj.kind == "message"  # "adding" in someone's text is not a system line
    last = got[-1]
    assert last.author is not None and last.author.display_name == "Wobbuffet"
    assert (last.text, last.posted_at) == (
        "Wo-bbu-ffet",
        datetime(2016, 10, 31, 12, 23, tzinfo=UTC),
    )
    assert last.raw == "31.10.2016, 12:23 - Wobbuffet: Wo-bbu-ffet\n"  # the trailing blank line
    assert last.source.line == 20 and last.source.pointer == "line 20"
