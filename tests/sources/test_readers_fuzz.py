"""Hostile files: whatever bytes a reader is given, it yields messages, reports located
problems, or raises a SourceError — never any other exception (a traceback for the
analyst, or half a batch)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jianghu.errors import JianghuError
from jianghu.sources.base import open_source
from tests.conftest import FIXTURES

TELEGRAM = (FIXTURES / "telegram" / "langchain_personal_chat_2023.json").read_bytes()
DISCORD = (FIXTURES / "discord" / "chat-analytics_GC_3A_5M.json").read_bytes()
WHATSAPP = (FIXTURES / "whatsapp" / "whatstk_pokemon.txt").read_bytes()
FORUM = (Path(__file__).parents[1] / "data" / "forum" / "phpbb_viewtopic_t412.html").read_bytes()


def mutate(data: bytes, cuts: list[tuple[int, int, bytes]]) -> bytes:
    out = bytearray(data)
    for pos, length, insert in cuts:
        at = pos % (len(out) + 1)
        out[at : at + length] = insert
    return bytes(out)


edits = st.lists(
    st.tuples(
        st.integers(0, 1 << 16),
        st.integers(0, 8),
        st.binary(max_size=6)
        | st.sampled_from([b'"', b"{", b"}", b"[", b"]", b"\\x", b"\n", b"<", b">"]),
    ),
    max_size=6,
)  # fmt: skip


def read_all(path: Path) -> None:
    try:
        source = open_source(path)
        for message in source.iter_messages():
            assert message.key and message.posted_at.tzinfo is not None
    except JianghuError:
        pass  # a located, one-line error: what bad input should get


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cuts=edits, which=st.sampled_from(["result.json", "discord.json", "chat.txt", "t.html"]))
def test_mutated_exports_never_crash_a_reader(tmp_path: Path, cuts: list[tuple[int, int, bytes]],
                                               which: str) -> None:  # fmt: skip
    base = {"result.json": TELEGRAM, "discord.json": DISCORD, "chat.txt": WHATSAPP,
            "t.html": FORUM}[which]  # fmt: skip
    path = tmp_path / which
    path.write_bytes(mutate(base, cuts))
    read_all(path)


def test_a_malformed_page_url_does_not_break_the_forum_reader(tmp_path: Path) -> None:
    # Found by the fuzz test above: urlsplit raises on "[" in a host.
    page = FORUM.replace(b"https://lowlands.example/", b"https://[lowlands.example/")
    assert page != FORUM
    path = tmp_path / "t.html"
    path.write_bytes(page)
    source = open_source(path)
    messages = list(source.iter_messages())
    assert messages and all(m.channel.key.startswith("phpbb:") for m in messages)
    assert any("no site URL" in w for w in source.warnings)
