"""Search finds what it should, in Chinese and Latin, the same on both backends."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jianghu.analysis.pipeline import analyse
from jianghu.analysis.search_terms import Clause, parse_query, search_doc
from jianghu.records import AuthorRef, ChannelRef
from jianghu.store.base import SearchFilters, Store
from tests.conftest import make_message

CARDS = ChannelRef("telegram", "channel1", "1", "外卡 CVV 专群", "public_supergroup")
DATA = ChannelRef("telegram", "channel2", "2", "料 社工库", "private_supergroup")

CORPUS = {
    "1": ("出料 新鲜一手 3万条 50U/条 联系 @liao_boss", DATA, "料王"),
    "2": ("查詢系統 開房記錄 實名 資料", DATA, "查档哥"),
    "3": ("查询系统 开房记录 实名 资料 便宜", DATA, "查档哥"),
    "4": ("USA fulls CVV 101 fresh, 10u each, DM @card_king", CARDS, "Card King"),
    "5": ("收 U商 承兑 TRC20", CARDS, "U商老李"),
    "6": ("今天天气不错，大家早上好", DATA, "路人"),
    "7": ("料", DATA, "路人"),
    "8": ("CSS 教程 不卖CS", CARDS, "路人"),
}


def fill(store: Store) -> None:
    """Write CORPUS into ``store``, one message a day from 2026-03-01."""
    msgs = []
    for i, (text, channel, name) in CORPUS.items():
        posted = datetime(2026, 3, int(i), 12, tzinfo=UTC)
        msgs.append(
            make_message(
                i, text, channel=channel, author=AuthorRef(f"user{name}", name), posted_at=posted
            )
        )
    store.write_batch(analyse(msgs), None)


@pytest.fixture
def filled(store: Store) -> Store:
    fill(store)
    return store


def ids(store: Store, query: str, **filters: object) -> set[str]:
    hits = store.search(parse_query(query), SearchFilters(limit=100, **filters))  # type: ignore[arg-type]
    by_text = {text: i for i, (text, _, _) in CORPUS.items()}
    return {by_text[h.text] for h in hits}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("料", {"1", "2", "3", "7"}),  # one character: 資料 folds to 资料
        ("出料", {"1"}),  # two characters
        ("查询系统", {"2", "3"}),  # longer, and traditional finds simplified
        ("查詢", {"2", "3"}),  # and the other way round
        ("开房记录 实名", {"2", "3"}),  # every term must match
        ("系统开", set()),  # bigram phrase across a space does not match
        ("cvv", {"4"}),  # Latin words, case-folded
        ("@card_king", {"4"}),  # handles
        ("card_king", {"4"}),
        ("U商", {"5"}),  # a lone character beside a Latin word
        ("CS", {"8"}),  # a word, not a prefix of CSS
        ("css", {"8"}),
        ("50u", {"1"}),
        ("3万条", {"1"}),
        ('"新鲜一手"', {"1"}),
        ("便宜", {"3"}),
        ("不存在的词", set()),
    ],
)
def test_queries(filled: Store, query: str, expected: set[str]) -> None:
    assert ids(filled, query) == expected


def test_filters(filled: Store) -> None:
    assert ids(filled, "料", channel="社工库") == {"1", "2", "3", "7"}
    assert ids(filled, "料", channel="CVV") == set()
    assert ids(filled, "资料", author="查档哥") == {"2", "3"}
    assert ids(filled, "资料", author="user查档哥") == {"2", "3"}
    assert ids(filled, "料", since=datetime(2026, 3, 2, tzinfo=UTC)) == {"2", "3", "7"}
    assert ids(filled, "料", until=datetime(2026, 3, 3, tzinfo=UTC)) == {"1", "2"}
    assert ids(filled, "料", author="nobody") == set()


def test_results_are_ranked_and_limited(filled: Store) -> None:
    hits = filled.search(parse_query("料"), SearchFilters(limit=2))
    assert len(hits) == 2
    assert hits[0].score >= hits[1].score
    assert {h.channel for h in hits} == {"料 社工库"}


# ---- both backends agree with a reference model of the token semantics -------------
ALPHABET = "出料查询詢系统統ab 1，"


def reference_match(text: str, clause: Clause) -> bool:
    doc = search_doc(text)
    stream = (doc.uni if clause.column == "uni" else doc.bi).split()
    n = len(clause.tokens)
    return any(tuple(stream[i : i + n]) == clause.tokens for i in range(len(stream) - n + 1))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    corpus=st.lists(st.text(ALPHABET, min_size=1, max_size=12), min_size=1, max_size=12),
    query=st.text(ALPHABET, min_size=1, max_size=4),
)
def test_backend_matches_reference_model(store: Store, corpus: list[str], query: str) -> None:
    clauses = parse_query(query)
    if not clauses:
        return
    # Hypothesis reuses the store across examples: look only at this example's rows.
    before = int(store._one("SELECT coalesce(max(id), 0) FROM messages")[0])
    batch = [make_message(f"h{before}_{i}", t) for i, t in enumerate(corpus)]
    store.write_batch(analyse(batch), None)
    found = {h.id for h in store.search(clauses, SearchFilters(limit=10000)) if h.id > before}
    rows = store._all("SELECT id, text FROM messages WHERE id > ?", (before,))
    expected = {int(r[0]) for r in rows if all(reference_match(r[1], c) for c in clauses)}
    assert found == expected


def test_a_very_common_term_lists_the_newest_matches(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    from jianghu.store import open_store, sqlite

    monkeypatch.setattr(sqlite, "RANK_AT_MOST", 3)
    texts = ["出料 一手", "出料 料料料 一手料", "收料", "料子 新到", "今天天气不错"]
    with open_store(f"sqlite:///{Path(str(tmp_path)) / 's.db'}") as store:
        store.write_batch(analyse([make_message(str(i), t) for i, t in enumerate(texts)]), None)
        hits = store.search(parse_query("料"), SearchFilters(limit=2))
        # Four matches, more than the ranking limit: the two stored last, newest first.
        assert [h.text for h in hits] == ["料子 新到", "收料"]
        # Two matches: ranked as before (both hold 一手).
        ranked = store.search(parse_query("一手"), SearchFilters())
        assert {h.text for h in ranked} == {"出料 一手", "出料 料料料 一手料"}
        assert all(h.score > 0 for h in ranked)


def test_a_very_common_term_within_a_category_lists_the_same_newest_matches(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    from jianghu.store import open_store, sqlite

    texts = ["出料 CVV 一条15U 飞机@a_shop", "出料 叶子 埋包 同城", "收料 CVV 长期收",
             "料子 新到 四件套 对公", "出料 美国CVV 全料 20U", "料 今天 吃饭了吗"]  # fmt: skip
    with open_store(f"sqlite:///{Path(str(tmp_path)) / 's.db'}") as store:
        store.write_batch(analyse([make_message(str(i), t) for i, t in enumerate(texts)]), None)
        wanted = SearchFilters(category="card_fraud", limit=2)
        ranked = store.search(parse_query("料"), SearchFilters(category="card_fraud", limit=10))
        monkeypatch.setattr(sqlite, "RANK_AT_MOST", 1)  # now every query takes the fast path
        newest = store.search(parse_query("料"), wanted)
        card = sorted((h for h in ranked), key=lambda h: -h.id)[:2]
        assert [h.id for h in newest] == [h.id for h in card] and len(newest) == 2
        assert all("CVV" in h.text for h in newest)


def _backend_module(store: Store) -> Any:
    from jianghu.store import postgres, sqlite

    return postgres if store.url.startswith("postgresql") else sqlite


def test_newest_first_plan_gives_the_same_rows_on_both_backends(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PostgreSQL decides by the planner's estimate, SQLite by a count: force each plan.
    texts = ["出料 CVV 一条15U 飞机@a_shop", "出料 叶子 埋包 同城", "收料 CVV 长期收",
             "料子 新到 四件套 对公", "出料 美国CVV 全料 20U", "料 今天 吃饭了吗"]  # fmt: skip
    store.write_batch(analyse([make_message(str(i), t) for i, t in enumerate(texts)]), None)
    ids = {r[1]: int(r[0]) for r in store._all("SELECT id, text FROM messages")}
    backend = _backend_module(store)
    if backend.__name__.endswith("postgres"):
        store._execute("ANALYZE messages")  # PostgreSQL trusts only its common lexemes
    monkeypatch.setattr(backend, "RANK_AT_MOST", 10**9)
    ranked = store.search(parse_query("料"), SearchFilters(limit=10))
    in_cards = store.search(parse_query("料"), SearchFilters(category="card_fraud", limit=10))
    assert {h.id for h in ranked} == set(ids.values()) and all(h.score > 0 for h in ranked)
    monkeypatch.setattr(backend, "RANK_AT_MOST", 0)
    newest = store.search(parse_query("料"), SearchFilters(limit=3))
    assert [h.id for h in newest] == sorted(ids.values(), reverse=True)[:3]
    assert all(h.score == 0.0 for h in newest)
    cards = store.search(parse_query("料"), SearchFilters(category="card_fraud", limit=2))
    assert [h.id for h in cards] == sorted((h.id for h in in_cards), reverse=True)[:2]
    assert all("CVV" in h.text for h in cards) and len(cards) == 2
    # A phrase takes the same plan.
    assert [h.text for h in store.search(parse_query('"出料"'), SearchFilters(limit=1))] == [
        "出料 美国CVV 全料 20U"
    ]


def test_postgresql_estimates_matches_from_its_statistics(pg_url: str) -> None:
    from jianghu.store import open_store

    texts = [f"出料 一手 {i}号" if i % 2 else f"今天 天气 {i}" for i in range(400)]
    with open_store(pg_url) as store:
        store.write_batch(analyse([make_message(str(i), t) for i, t in enumerate(texts)]), None)
        store._execute("ANALYZE messages")
        common = store._estimated_matches("m.search_uni @@ %s::tsquery", ["'料'"])
        rare = store._estimated_matches("m.search_uni @@ %s::tsquery", ["'鑫'"])
    assert 100 <= common <= 300 and rare < 10
    with open_store(pg_url) as store:  # a new connection reads the statistics afresh
        assert store._known_common(parse_query("料"))
        # Absent from the statistics: its estimate is a default, never trusted.
        assert not store._known_common(parse_query("鑫"))
        assert not store._known_common(parse_query("出料 鑫"))


def test_postgresql_looks_up_stored_messages_by_both_keys_without_statistics(
    pg_url: str,
) -> None:
    # Ingest reads the stored rows of each batch's messages. Without fresh statistics
    # (autovacuum off, a table grown since its ANALYZE) an IN (…) list made the planner
    # use the index for the channel alone and filter the whole chat on every batch.
    from jianghu.store import open_store
    from jianghu.store.postgres import CURRENT_ROWS

    texts = [f"出料 {i}" for i in range(3000)]
    with open_store(pg_url) as store:
        store.write_batch(analyse([make_message(str(i), t) for i, t in enumerate(texts)]), None)
        # As many ids as a batch asks for: the old IN list of 500 got "Filter: message_id
        # = ANY (…)" over the whole channel on this table.
        batch = [str(i) for i in range(500)]
        plan = "\n".join(r[0] for r in store._all(f"EXPLAIN {CURRENT_ROWS}", [batch, 1]))
        rows = store._current_rows(1, ["5", "6", "missing"])
    assert "Index Cond: ((channel_id = " in plan and "(message_id = k.message_id)" in plan
    assert "Filter" not in plan and "Hash" not in plan
    assert sorted(r[1] for r in rows) == ["5", "6"]


def test_postgresql_lists_a_common_term_in_a_time_window_newest_first(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jianghu.store import open_store, postgres

    days = [3, 9, 5, 12, 7, 1]  # stored out of date order, as chats of several exports are
    with open_store(pg_url) as store:
        store.write_batch(
            analyse(
                [
                    make_message(str(i), f"出料 {i}", posted_at=datetime(2026, 3, d, tzinfo=UTC))
                    for i, d in enumerate(days)
                ]
            ),
            None,
        )
        store._execute("ANALYZE messages")
    monkeypatch.setattr(postgres, "RANK_AT_MOST", 0)
    window = SearchFilters(
        since=datetime(2026, 3, 4, tzinfo=UTC), until=datetime(2026, 3, 10, tzinfo=UTC), limit=2
    )
    with open_store(pg_url) as store:
        hits = store.search(parse_query("料"), window)
    assert [h.posted_at.day for h in hits] == [9, 7] and all(h.score == 0.0 for h in hits)


def test_postgresql_plans_every_search_for_its_own_values(pg_url: str) -> None:
    # A statement psycopg has prepared would otherwise get one generic plan for every
    # term, common or rare, after its fifth run.
    from jianghu.store import open_store

    with open_store(pg_url) as store:
        assert store._one("SHOW plan_cache_mode")[0] == "force_custom_plan"
