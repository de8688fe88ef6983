"""PostgreSQL indexes each message's categories as lexemes of its search columns
('cat:card_fraud'): written on ingest, rewritten on an edit or a re-analysis that changes
them, backfilled by migration 0011, never matched by a query term, and used by a search
with a category filter."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jianghu.analysis.pipeline import MessageAnalysis, analyse
from jianghu.analysis.search_terms import parse_query, search_doc
from jianghu.store import open_store
from jianghu.store.base import SearchFilters
from jianghu.store.postgres import PostgresStore
from jianghu.store.postgres_index import index_method, switch_search_indexes
from tests.conftest import make_message
from tests.store.test_search_rum import spy_statements

ADS = {
    "1": "出一手快递料 实名手机号 日更 0.2U一条 飞机私聊",
    "2": "收外国信用卡 CVV 带余额的 长期收 价格好说",
    "3": "今天下雨了 出门记得带伞",
    "4": "高价出叶子 同城埋包 懂的来",
    "5": "出美国CVV 全料 一条15U 料子新鲜",
}


@pytest.fixture
def pg(pg_url: str) -> Iterator[PostgresStore]:
    store = open_store(pg_url)
    assert isinstance(store, PostgresStore)
    try:
        store.write_batch(analyse([make_message(i, t) for i, t in ADS.items()]), None)
        yield store
    finally:
        store.close()


def _lexemes(store: PostgresStore) -> dict[str, tuple[set[str], set[str]]]:
    """message_id → (category lexemes of search_uni, of search_bi)."""
    rows = store._conn.execute(
        "SELECT message_id, ARRAY(SELECT lexeme FROM unnest(search_uni) "
        "WHERE lexeme LIKE 'cat:%%'), ARRAY(SELECT lexeme FROM unnest(search_bi) "
        "WHERE lexeme LIKE 'cat:%%') FROM messages"
    ).fetchall()
    return {r[0]: (set(r[1]), set(r[2])) for r in rows}


def _categories(store: PostgresStore) -> dict[str, set[str]]:
    rows = store._conn.execute(
        "SELECT m.message_id, c.category FROM messages m "
        "LEFT JOIN message_categories c ON c.message_id = m.id"
    ).fetchall()
    out: dict[str, set[str]] = {}
    for message_id, category in rows:
        out.setdefault(message_id, set())
        if category:
            out[message_id].add("cat:" + category)
    return out


def _assert_lexemes_follow_categories(store: PostgresStore) -> None:
    lexemes, categories = _lexemes(store), _categories(store)
    assert lexemes.keys() == categories.keys()
    for message_id, wanted in categories.items():
        assert lexemes[message_id] == (wanted, wanted), message_id


def test_ingest_writes_the_categories_as_lexemes(pg: PostgresStore) -> None:
    _assert_lexemes_follow_categories(pg)
    assert _categories(pg)["5"] >= {"cat:card_fraud"} and _categories(pg)["3"] == set()


def test_an_edit_rewrites_them(pg: PostgresStore) -> None:
    edited = make_message(
        "3", "出台湾身份证正反面 手持照 一套20U", edited_at=datetime(2026, 3, 2, tzinfo=UTC)
    )
    pg.write_batch(analyse([edited]), None)
    assert "cat:fake_identity" in _lexemes(pg)["3"][1]
    _assert_lexemes_follow_categories(pg)


def test_a_reanalysis_rewrites_only_the_messages_whose_categories_changed(
    pg: PostgresStore,
) -> None:
    ids = {r[1]: int(r[0]) for r in pg._all("SELECT id, message_id FROM messages")}
    before = {r[0]: r[1] for r in pg._all("SELECT message_id, xmin::text FROM messages")}
    old = pg.analyses_of(list(ids.values()))
    changed = MessageAnalysis(
        language="zh-Hans",
        intent="sell",
        categories=("drugs", "gambling"),
        scores={"drugs": 0.9, "gambling": 0.8},
        lexicon_version="test",
        model_version="test",
    )
    pg.replace_analyses(
        [
            (ids["1"], (), changed),  # data_leak → drugs and gambling
            (ids["2"], (), old[ids["2"]]),  # the same categories again
        ]
    )
    after = {r[0]: r[1] for r in pg._all("SELECT message_id, xmin::text FROM messages")}
    assert after["1"] != before["1"] and after["2"] == before["2"]
    assert _lexemes(pg)["1"] == ({"cat:drugs", "cat:gambling"},) * 2
    _assert_lexemes_follow_categories(pg)
    pg.replace_stale_analyses([(ids["1"], (), old[ids["1"]])], "test-next", "test-next")
    _assert_lexemes_follow_categories(pg)
    filtered = pg.search(parse_query("料"), SearchFilters(category="data_leak"))
    in_leaks = {k for k, cats in _categories(pg).items() if "cat:data_leak" in cats}
    assert "1" in in_leaks and "3" not in in_leaks
    assert {h.text for h in filtered} == {ADS[k] for k in in_leaks if "料" in ADS[k]}


@pytest.mark.parametrize("method", ["gin", "rum"])
def test_migration_0011_backfills_an_older_store(
    pg_url: str, pg: PostgresStore, method: str
) -> None:
    switch_search_indexes(pg._conn, method)
    # An older store: no category lexemes, schema version 10.
    pg._conn.execute(
        "UPDATE messages SET search_uni = ts_delete(search_uni, ARRAY(SELECT lexeme FROM "
        "unnest(search_uni) WHERE lexeme LIKE 'cat:%%')), search_bi = ts_delete(search_bi, "
        "ARRAY(SELECT lexeme FROM unnest(search_bi) WHERE lexeme LIKE 'cat:%%'))"
    )
    pg._conn.execute("DELETE FROM schema_version WHERE version >= 11")
    assert all(lex == (set(), set()) for lex in _lexemes(pg).values())
    reopened = open_store(pg_url)
    try:
        assert isinstance(reopened, PostgresStore)
        _assert_lexemes_follow_categories(reopened)
        # The search indexes were rebuilt as they were.
        assert index_method(reopened._conn) == method
        names = {
            r[0]
            for r in reopened._all(
                "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
            )
        }
        assert {"messages_search_uni", "messages_search_bi"} <= names
        # Positions survive the backfill: phrases still match.
        assert len(reopened.search(parse_query("全料"), SearchFilters())) == 1
    finally:
        reopened.close()


def test_no_query_term_matches_a_category(pg: PostgresStore) -> None:
    for query in ("card_fraud", "cat:card_fraud", "cat", '"cat:data_leak"', "data leak"):
        assert pg.search(parse_query(query), SearchFilters()) == [], query


@given(st.text(max_size=60))
def test_search_tokens_never_hold_the_category_prefix(text: str) -> None:
    doc = search_doc(text)
    assert ":" not in doc.uni and ":" not in doc.bi
    for clause in parse_query(text):
        assert all(":" not in token for token in clause.tokens)


def test_a_category_filter_intersects_in_the_index(
    pg: PostgresStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    statements = spy_statements(pg, monkeypatch)
    hits = pg.search(parse_query("CVV"), SearchFilters(category="card_fraud"))
    assert {h.text for h in hits} == {ADS["2"], ADS["5"]}
    queries = [a for _, a in statements if isinstance(a, list) and a]
    assert any("& 'cat:card_fraud'" in str(v) for args in queries for v in args)
