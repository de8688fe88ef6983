"""The jargon miner: a planted term surfaces, fragments and known terms do not, and on
the real TUMCC corpus it rediscovers hidden lexicon terms better than plain frequency."""

from __future__ import annotations

import os

import pytest

from jianghu.analysis.jargon import (
    MinerParams,
    count_ngrams,
    known_forms,
    mine,
    rank_by_frequency,
)
from jianghu.analysis.jargon_eval import load_corpus, rediscover
from jianghu.analysis.lexicon import load_lexicon
from tests.conftest import SHARED

PLANT = "蓝鲸卡"  # made up: not a word, not in the lexicon
BEFORE = ["出", "长期收", "现货", "批发", "诚招代理 "]
AFTER = ["，一手货源", " 量大从优", "，价格美丽", " 秒发", "，先款后货"]
CONTACT = ["私聊", "联系", "加我", "详询", "滴滴"]
CHAT = ["今天天气不错", "大家晚上好", "有人一起吃饭吗", "这个群好热闹", "周末去爬山",
        "新年快乐", "谢谢群主", "我刚下班回家", "明天见", "晚安各位"]  # fmt: skip
EVERY = MinerParams(min_docs=1)
TUMCC = SHARED / "corpora" / "tumcc" / "TUMCC-clean.txt"


def synthetic_corpus() -> list[str]:
    offers = [
        f"{BEFORE[i % 5]}{PLANT}{AFTER[(i * 3 + i // 5) % 5]} {CONTACT[(i * 2) % 5]} @seller_{i}"
        for i in range(25)
    ]
    chat = [CHAT[i % 10] + "！" * (i // 10 + 1) for i in range(30)]
    return offers + chat + offers[:5]  # reposts count once


def test_a_planted_unknown_offer_term_ranks_first_with_examples() -> None:
    found = mine(synthetic_corpus(), load_lexicon(), limit=10)
    assert found[0].term == PLANT
    assert found[0].offer_docs == 25 and found[0].other_docs == 0
    assert found[0].examples and all(PLANT in e for e in found[0].examples)
    assert len(found[0].examples) <= 3


def test_fragments_known_forms_handles_and_function_words_are_not_candidates() -> None:
    lexicon = load_lexicon()
    found = [c.term for c in mine(synthetic_corpus(), lexicon, limit=20)]
    assert "蓝鲸" not in found[:5] and "鲸卡" not in found[:5]
    assert not set(found) & known_forms(lexicon)  # 一手, 量大从优, 现货 … are known
    assert "seller" not in found  # inside a handle
    stats = count_ngrams(["我的我的我的", "我的我的", "我的"], lexicon, EVERY)
    assert not rank_by_frequency(stats, EVERY)


def test_identical_messages_count_once() -> None:
    stats = count_ngrams(["出蓝鲸卡 私聊"] * 5, load_lexicon(), EVERY)
    assert len(stats.docs) == 1 and stats.offer_docs[PLANT] == 1


@pytest.mark.skipif(
    not TUMCC.is_file() and os.environ.get("CI") != "true", reason="TUMCC corpus not present"
)
def test_rediscovery_on_tumcc_beats_the_frequency_baseline() -> None:
    lines = load_corpus(TUMCC)
    report = rediscover(lines, load_lexicon(), hide=40, seed=0)
    assert report.hide >= 20
    assert report.miner_recall[50] > report.baseline_recall[50]
    assert all(c.term not in {h.term for h in report.hidden} for c in report.new_candidates)
