"""Classification is stored with each message on both backends, with the lexicon and
model versions; search filters by category and intent; edits replace the analysis."""

from __future__ import annotations

from jianghu.analysis.pipeline import analyse, versions
from jianghu.store.base import SearchFilters, Store
from tests.conftest import make_message

ADS = {
    "1": "出一手快递料 实名手机号 日更 0.2U一条 飞机私聊",
    "2": "收外国信用卡 CVV 带余额的 长期收 价格好说",
    "3": "今天下雨了 出门记得带伞",
    "4": "高价出叶子 同城埋包 懂的来",
}


def _fill(store: Store) -> None:
    store.write_batch(analyse([make_message(i, t) for i, t in ADS.items()]), None)


def _ids_by_text(store: Store, filters: SearchFilters) -> set[str]:
    texts = {t: i for i, t in ADS.items()}
    return {texts[h.text] for h in store.search([], filters)}


def test_ingested_messages_carry_their_classification(store: Store) -> None:
    _fill(store)
    hits = store.search([], SearchFilters(limit=10))
    analyses = store.analyses_of([h.id for h in hits])
    assert len(analyses) == 4
    lex, model = versions()
    assert {(a.lexicon_version, a.model_version) for a in analyses.values()} == {(lex, model)}
    by_text = {h.text: analyses[h.id] for h in hits}
    assert by_text[ADS["1"]].categories == ("data_leak",)
    assert by_text[ADS["1"]].intent == "sell"
    assert by_text[ADS["3"]].categories == ()
    assert by_text[ADS["1"]].language == "zh-Hans"


def test_search_filters_by_category_and_intent(store: Store) -> None:
    _fill(store)
    assert _ids_by_text(store, SearchFilters(category="data_leak")) == {"1"}
    assert _ids_by_text(store, SearchFilters(category="card_fraud", intent="buy")) == {"2"}
    assert _ids_by_text(store, SearchFilters(intent="sell")) == {"1", "4"}
    assert _ids_by_text(store, SearchFilters(category="gambling")) == set()


def test_an_edit_replaces_the_analysis(store: Store) -> None:
    store.write_batch(analyse([make_message("9", "今天下雨了")]), None)
    from datetime import UTC, datetime

    edited = make_message(
        "9", "出台湾身份证正反面 手持照 一套20U", edited_at=datetime(2026, 3, 2, tzinfo=UTC)
    )
    store.write_batch(analyse([edited]), None)
    [hit] = store.search([], SearchFilters())
    [a] = store.analyses_of([hit.id]).values()
    assert "fake_identity" in a.categories and a.intent == "sell"
    assert store.count_stale(*versions()) == 0
    assert [c for c, _, _ in store.category_counts()].count("fake_identity") == 1
