"""RUM search indexes (``jianghu store search-index rum``): the same matches as GIN for
every query, ranked from the index, and a switch that leaves a working store behind."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from jianghu.analysis.pipeline import analyse
from jianghu.analysis.search_terms import parse_query
from jianghu.cli import app
from jianghu.errors import StoreError
from jianghu.store import open_store, postgres
from jianghu.store.base import SearchFilters
from jianghu.store.postgres import PostgresStore
from jianghu.store.postgres_index import index_method, switch_search_indexes
from tests.conftest import make_message
from tests.store.test_search import ALPHABET, fill, reference_match

pytestmark = pytest.mark.postgres


@pytest.fixture
def gin_and_rum(pg_url: str) -> Iterator[tuple[PostgresStore, PostgresStore]]:
    """Two stores of the same messages: one searched through GIN, one through RUM."""
    import psycopg

    base = pg_url.split("?", 1)[0]
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute('CREATE SCHEMA "' + pg_url.rsplit("%3D", 1)[1] + '_rum"')
    rum_url = f"{pg_url}_rum"
    gin = open_store(pg_url)
    rum = open_store(rum_url)
    assert isinstance(gin, PostgresStore) and isinstance(rum, PostgresStore)
    try:
        fill(gin)
        fill(rum)
        switch_search_indexes(rum._conn, "rum")
        yield gin, rum
    finally:
        gin.close()
        rum.close()
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute('DROP SCHEMA "' + rum_url.rsplit("%3D", 1)[1] + '" CASCADE')


QUERIES = ["料", "出料", "查询系统", "查詢", "开房记录 实名", "系统开", "cvv", "@card_king",
           "card_king", "U商", "CS", "css", "50u", "3万条", '"新鲜一手"', "便宜",
           "不存在的词"]  # fmt: skip


def _ids(store: PostgresStore, query: str, **filters: object) -> set[int]:
    found = store.search(parse_query(query), SearchFilters(limit=100, **filters))  # type: ignore[arg-type]
    return {h.id for h in found}


def spy_statements(
    store: PostgresStore, monkeypatch: pytest.MonkeyPatch
) -> list[tuple[str, object]]:
    """Every (SQL, arguments) the store's connection executes from now on."""
    statements: list[tuple[str, object]] = []
    execute = store._conn.execute

    def spy(sql: str, args: object = None, **kwargs: object) -> object:
        statements.append((sql, args))
        return execute(sql, args, **kwargs)

    monkeypatch.setattr(store._conn, "execute", spy)
    return statements


@pytest.mark.parametrize("query", QUERIES)
def test_rum_finds_what_gin_finds(
    gin_and_rum: tuple[PostgresStore, PostgresStore], query: str
) -> None:
    gin, rum = gin_and_rum
    assert index_method(gin._conn) == "gin" and index_method(rum._conn) == "rum"
    texts = {h.text for h in gin.search(parse_query(query), SearchFilters(limit=100))}
    assert {h.text for h in rum.search(parse_query(query), SearchFilters(limit=100))} == texts
    for filters in (
        {"channel": "社工库"},
        {"since": datetime(2026, 3, 2, tzinfo=UTC)},
        {"category": "card_fraud"},
        {"author": "查档哥"},
    ):
        want = {h.text for h in gin.search(parse_query(query), SearchFilters(limit=100, **filters))}  # type: ignore[arg-type]
        got = {h.text for h in rum.search(parse_query(query), SearchFilters(limit=100, **filters))}  # type: ignore[arg-type]
        assert got == want, filters


def test_rum_ranks_from_the_index(
    gin_and_rum: tuple[PostgresStore, PostgresStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    from psycopg import ClientCursor

    _, rum = gin_and_rum
    execute = rum._conn.execute
    statements = spy_statements(rum, monkeypatch)
    hits = rum.search(parse_query("料"), SearchFilters(limit=3))
    assert len(hits) == 3 and all(h.score > 0 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    ranking = [(sql, args) for sql, args in statements if "OPERATOR(" in sql]
    assert len(ranking) == 1 and "ORDER BY m.search_uni OPERATOR(" in ranking[0][0]
    # The plan reads the index in rank order (no sort of every match afterwards); on a
    # table this small the planner needs to be told not to read it whole instead.
    sql = ClientCursor(rum._conn).mogrify(*ranking[0])  # type: ignore[arg-type]
    with rum._conn.transaction():
        execute("SET LOCAL enable_seqscan = off")
        execute("SET LOCAL enable_bitmapscan = off")
        plan = "\n".join(r[0] for r in execute("EXPLAIN " + sql).fetchall())
    assert "Index Scan using messages_search_uni" in plan and "Order By" in plan, plan
    assert "Sort" not in plan, plan


def test_a_common_query_is_answered_from_the_newest_messages_with_rum(
    gin_and_rum: tuple[PostgresStore, PostgresStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    gin, rum = gin_and_rum
    for store in (gin, rum):
        store._execute("ANALYZE")
    with_cat = SearchFilters(category="data_leak", limit=100)
    in_leaks = {h.id for h in gin.search(parse_query("料"), with_cat)}
    assert len(in_leaks) >= 3
    monkeypatch.setattr(postgres, "RUM_RANK_AT_MOST", 0)  # every term counts as common
    monkeypatch.setattr(postgres, "RANK_AT_MOST", 0)
    newest = rum.search(parse_query("料"), SearchFilters(limit=2))
    assert [h.score for h in newest] == [0.0, 0.0]  # listed newest first, not ranked
    assert [h.id for h in newest] == sorted(_ids(gin, "料"), reverse=True)[:2]
    # With a category the estimate cannot be trusted: the newest messages of the
    # category are looked at first, and fill the page ...
    probed = rum.search(parse_query("料"), SearchFilters(category="data_leak", limit=2))
    assert [h.id for h in probed] == sorted(in_leaks, reverse=True)[:2]
    assert [h.score for h in probed] == [0.0, 0.0]
    # ... or, when they cannot, RUM ranks every match of the term and the category.
    ranked = rum.search(parse_query("料"), with_cat)
    assert {h.id for h in ranked} == in_leaks and all(h.score > 0 for h in ranked)
    # A phrase of common tokens and a time window are looked for the same way: the
    # newest matches of the window, by date.
    window = SearchFilters(until=datetime(2026, 3, 3, 23, tzinfo=UTC), limit=1)
    [first] = rum.search(parse_query("资料"), window)
    in_window = [h for h in gin.search(parse_query("资料"), SearchFilters(limit=100))]
    assert (
        first.text
        == max(
            (h for h in in_window if h.posted_at < datetime(2026, 3, 4, tzinfo=UTC)),
            key=lambda h: h.posted_at,
        ).text
    )
    assert first.score == 0.0
    # Nothing found among the newest: ranked, so a rare query still finds its matches.
    monkeypatch.setattr(postgres, "PROBE_ROWS", 1)
    rare = rum.search(parse_query("料"), SearchFilters(category="data_leak", limit=3))
    assert all(h.score > 0 for h in rare) and {h.id for h in rare} <= in_leaks


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    corpus=st.lists(st.text(ALPHABET, min_size=1, max_size=12), min_size=1, max_size=12),
    query=st.text(ALPHABET, min_size=1, max_size=4),
)
def test_rum_matches_the_reference_model(
    gin_and_rum: tuple[PostgresStore, PostgresStore], corpus: list[str], query: str
) -> None:
    _, store = gin_and_rum
    clauses = parse_query(query)
    if not clauses:
        return
    before = int(store._one("SELECT coalesce(max(id), 0) FROM messages")[0])
    batch = [make_message(f"h{before}_{i}", t) for i, t in enumerate(corpus)]
    store.write_batch(analyse(batch), None)  # inserts go through the RUM index
    found = {h.id for h in store.search(clauses, SearchFilters(limit=10000)) if h.id > before}
    rows = store._all("SELECT id, text FROM messages WHERE id > ?", (before,))
    expected = {int(r[0]) for r in rows if all(reference_match(r[1], c) for c in clauses)}
    assert found == expected


def test_switching_back_to_gin_keeps_every_match(
    gin_and_rum: tuple[PostgresStore, PostgresStore],
) -> None:
    gin, rum = gin_and_rum
    switch_search_indexes(rum._conn, "gin")
    again = open_store(rum.url)
    try:
        assert isinstance(again, PostgresStore) and index_method(again._conn) == "gin"
        for query in QUERIES:
            assert {h.text for h in again.search(parse_query(query), SearchFilters(limit=100))} == {
                h.text for h in gin.search(parse_query(query), SearchFilters(limit=100))
            }
    finally:
        again.close()


def test_an_unknown_method_is_refused(pg_url: str) -> None:
    with open_store(pg_url) as store:
        assert isinstance(store, PostgresStore)
        with pytest.raises(StoreError, match="expected one of gin, rum"):
            switch_search_indexes(store._conn, "brin")
        assert index_method(store._conn) == "gin"


def test_the_cli_shows_and_switches_the_search_index(pg_url: str) -> None:
    runner = CliRunner()
    shown = runner.invoke(app, ["store", "search-index", "--db", pg_url])
    assert shown.exit_code == 0 and shown.output.strip() == "search index: gin"
    switched = runner.invoke(app, ["store", "search-index", "rum", "--db", pg_url, "--json"])
    assert switched.exit_code == 0, switched.output
    assert '"before":"gin"' in switched.stdout.replace(" ", "")
    assert '"method":"rum"' in switched.stdout.replace(" ", "")
    bad = runner.invoke(app, ["store", "search-index", "bitmap", "--db", pg_url])
    assert bad.exit_code != 0 and "expected one of gin, rum" in bad.output
    assert "Traceback" not in bad.output


def test_the_cli_refuses_a_sqlite_store(tmp_path: object) -> None:
    result = CliRunner().invoke(
        app, ["store", "search-index", "rum", "--db", f"sqlite:///{tmp_path}/s.db"]
    )
    assert result.exit_code != 0
    assert "only a PostgreSQL store has a choice of search index" in result.output
    assert len(result.output.strip().splitlines()) == 1
