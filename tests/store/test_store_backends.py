"""The same storage specification, run against SQLite and the real PostgreSQL server."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jianghu.analysis.pipeline import Analysed, analyse
from jianghu.analysis.search_terms import parse_query, search_doc
from jianghu.errors import StoreError
from jianghu.records import AuthorRef
from jianghu.store.base import SearchFilters, Store
from jianghu.store.textsafe import storable
from tests.conftest import make_message


def texts(store: Store) -> dict[str, str]:
    return dict(store.message_texts())


def test_write_is_idempotent(store: Store) -> None:
    batch = analyse([make_message(str(i), f"出料 第{i}条") for i in range(1, 6)])
    first = store.write_batch(batch, None)
    second = store.write_batch(batch, None)
    assert (first.new, first.updated, first.unchanged) == (5, 0, 0)
    assert (second.new, second.updated, second.unchanged) == (0, 0, 5)
    assert store.summary().messages == 5
    assert store.summary().versions == 0


def test_edit_keeps_the_earlier_version(store: Store) -> None:
    t0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    original = make_message("7", "出料 50U", posted_at=t0)
    edited = make_message(
        "7", "出料 45U 降价", posted_at=t0, edited_at=datetime(2026, 3, 2, tzinfo=UTC)
    )
    store.write_batch(analyse([original]), None)
    counts = store.write_batch(analyse([edited]), None)
    assert counts.updated == 1
    assert texts(store) == {"channel100:7": "出料 45U 降价"}
    versions = store._all("SELECT text FROM message_versions")
    assert [v[0] for v in versions] == ["出料 50U"]
    # The index follows the edit: the new words are found, the old price is not.
    assert [h.text for h in store.search(parse_query("降价"), SearchFilters())] == ["出料 45U 降价"]
    assert store.search(parse_query("50U"), SearchFilters()) == []
    # Reading either version again changes nothing.
    assert store.write_batch(analyse([edited]), None).unchanged == 1
    assert store.write_batch(analyse([original]), None).unchanged == 1


def test_older_reading_after_newer_is_history_only(store: Store) -> None:
    t0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    newer = make_message("8", "新版", posted_at=t0, edited_at=datetime(2026, 3, 3, tzinfo=UTC))
    older = make_message("8", "旧版", posted_at=t0)
    store.write_batch(analyse([newer]), None)
    assert store.write_batch(analyse([older]), None).updated == 1
    assert texts(store) == {"channel100:8": "新版"}
    assert [v[0] for v in store._all("SELECT text FROM message_versions")] == ["旧版"]


def test_same_key_twice_in_one_batch(store: Store) -> None:
    t0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    a = make_message("9", "第一版", posted_at=t0)
    b = make_message("9", "第二版", posted_at=t0, edited_at=datetime(2026, 3, 1, 13, tzinfo=UTC))
    counts = store.write_batch(analyse([a, b, b]), None)
    assert (counts.new, counts.updated, counts.unchanged) == (1, 1, 1)
    assert texts(store) == {"channel100:9": "第二版"}


def test_a_failing_batch_leaves_nothing_behind(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.write_batch(analyse([make_message("1", "之前的")]), None)

    def boom(*args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(store, "_index_new", boom)
    batch = analyse(
        [
            make_message(str(i), "中途失败", author=AuthorRef(f"user{i}", "新人"))
            for i in range(2, 50)
        ]
    )
    with pytest.raises(StoreError, match="none of it was stored"):
        store.write_batch(batch, None)
    monkeypatch.undo()
    assert texts(store) == {"channel100:1": "之前的"}
    assert store.summary().authors == 1  # the new authors were rolled back too
    # And the store still works afterwards (caches of rolled-back ids were dropped).
    assert store.write_batch(batch, None).new == 48


def test_author_names_are_tracked_over_time(store: Store) -> None:
    msgs = [
        make_message(
            "1", "a", author=AuthorRef("user5", "料王"), posted_at=datetime(2026, 1, 1, tzinfo=UTC)
        ),
        make_message(
            "2",
            "b",
            author=AuthorRef("user5", "料王二号"),
            posted_at=datetime(2026, 2, 1, tzinfo=UTC),
        ),
        make_message(
            "3", "c", author=AuthorRef("user5", "料王"), posted_at=datetime(2026, 3, 1, tzinfo=UTC)
        ),
    ]
    store.write_batch(analyse(msgs), None)
    rows = store._all("SELECT name, first_seen, last_seen FROM author_names ORDER BY name")
    names = [(r[0], store._read_ts(r[1]).month, store._read_ts(r[2]).month) for r in rows]
    assert names == [("料王", 1, 3), ("料王二号", 2, 2)]


def test_service_events_are_stored_but_not_searched(store: Store) -> None:
    batch = analyse([make_message("1", "出料"), make_message("2", "出料", kind="service")])
    counts = store.write_batch(batch, None)
    assert (counts.new, counts.events) == (1, 1)
    assert store.summary().events == 1
    assert len(store.search(parse_query("出料"), SearchFilters())) == 1


def test_schema_version_and_reopen(store_url: str) -> None:
    from jianghu.store import open_store

    s = open_store(store_url)
    try:
        assert s.migrate() >= 1  # migrating again is a no-op
    finally:
        s.close()


unstorable_text = st.text(
    st.characters(codec=None, categories=("L", "N", "P", "S", "Z", "Cc", "Cs", "Co")), max_size=40
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=unstorable_text)
def test_any_text_survives_store_and_read(store: Store, text: str) -> None:
    message = make_message(f"p{abs(hash(text))}", text)
    store.write_batch([Analysed(message, search_doc(storable(text)))], None)
    stored = texts(store)[f"channel100:{message.message_id}"]
    assert stored == storable(text)
    if "\x00" not in text and not any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        assert stored == text


def test_entities_are_stored_and_follow_edits(store: Store) -> None:
    t0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    first = make_message("e1", "联系 @first_seller", posted_at=t0)
    edited = make_message(
        "e1", "联系 @second_seller", posted_at=t0, edited_at=datetime(2026, 3, 2, tzinfo=UTC)
    )
    store.write_batch(analyse([first]), None)
    [mid] = [int(r[0]) for r in store._all("SELECT id FROM messages")]
    assert [e.normalized for e in store.entities_of([mid])[mid]] == ["first_seller"]
    store.write_batch(analyse([edited]), None)
    assert [e.normalized for e in store.entities_of([mid])[mid]] == ["second_seller"]
