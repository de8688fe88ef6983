"""The PostgreSQL backend's tsvector literal: the fast builder says exactly what the plain
one (kept here as the specification) says, quoting and position limits included."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jianghu.store.postgres import (
    MAX_POSITION,
    MAX_POSITIONS_PER_LEXEME,
    _quote,
    tsvector_literal,
)


def plain_tsvector_literal(tokens: str) -> str:
    positions: dict[str, list[int]] = {}
    for pos, token in enumerate(tokens.split(), start=1):
        found = positions.setdefault(token, [])
        if len(found) < MAX_POSITIONS_PER_LEXEME:
            found.append(min(pos, MAX_POSITION))
    return " ".join(f"{_quote(t)}:{','.join(map(str, p))}" for t, p in positions.items())


# Pieces that make tokens: Han characters, Latin, quotes and backslashes to escape.
_token = st.lists(
    st.sampled_from(["料", "四件", "a", "b'", "c\\", "'", "\\", "@x_1"]), min_size=1, max_size=3
).map("".join)


@settings(max_examples=500, deadline=None)
@given(st.lists(_token, max_size=60))
def test_same_literal_as_the_plain_builder(tokens: list[str]) -> None:
    stream = " ".join(tokens)
    assert tsvector_literal(stream) == plain_tsvector_literal(stream)


def test_positions_are_clamped_and_capped_as_postgresql_does() -> None:
    stream = " ".join(["x"] * 300 + ["y"] * (MAX_POSITION + 10) + ["z"])
    assert tsvector_literal(stream) == plain_tsvector_literal(stream)
    assert tsvector_literal(stream).endswith(f"'z':{MAX_POSITION}")
