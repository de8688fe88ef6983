"""The fast normaliser gives exactly what the reference one gives: same text, same offsets.

The reference (normalize_reference.py) is the implementation before it was made fast. The
comparison runs on the demo corpus, on the real TUMCC lines, on every character alone and
beside characters that compose, and on generated text that mixes what sellers write.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from jianghu.analysis import normalize_fold
from jianghu.analysis.jargon_eval import load_corpus
from jianghu.analysis.normalize import Normalized, normalize
from jianghu.demo import write_demo_export
from jianghu.sources.base import open_source
from tests.analysis import normalize_reference as reference
from tests.conftest import SHARED

TUMCC = SHARED / "corpora" / "tumcc" / "TUMCC-clean.txt"


def assert_same(raw: str) -> None:
    got, want = normalize(raw), reference.normalize(raw)
    assert got.text == want.text, raw
    assert got.offsets == want.offsets, raw
    n = len(got.text)
    spans = [(0, n), *((i, i) for i in range(n + 1)), *((i, i + 1) for i in range(n))]
    for start, end in spans:
        assert got.to_original(start, end) == want.to_original(start, end), (raw, start, end)


def test_spans_are_mapped_by_the_same_code() -> None:
    # With equal offsets, equal code maps every span the same way.
    ours, theirs = Normalized.to_original.__code__, reference.Normalized.to_original.__code__
    assert ours.co_code == theirs.co_code
    assert ours.co_consts == theirs.co_consts
    assert ours.co_names == theirs.co_names


# --- real and realistic text ------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_texts(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    path = tmp_path_factory.mktemp("demo") / "result.json"
    write_demo_export(path, messages=5000, seed=7)  # the corpus of `jianghu demo`
    return [m.text for m in open_source(path, {}).iter_messages() if m.kind == "message"]


def test_demo_corpus(demo_texts: list[str]) -> None:
    assert len(demo_texts) == 5000
    for raw in demo_texts:
        assert_same(raw)


@pytest.mark.skipif(
    not TUMCC.is_file() and os.environ.get("CI") != "true", reason="TUMCC corpus not present"
)
def test_tumcc_lines() -> None:
    segmented = TUMCC.read_text(encoding="utf-8", errors="replace").splitlines()
    joined = load_corpus(TUMCC)  # the segmenter's spaces between Han characters removed
    assert len(segmented) > 10_000
    for raw in segmented + joined:
        assert_same(raw)


# --- every character --------------------------------------------------------------------

_ASTRAL_SAMPLE = [
    *range(0x1F000, 0x1FB00),  # the emoji planes, which the fast path folds
    *range(0x10000, 0x10100),
    *range(0x1D400, 0x1D500),  # mathematical letters: NFKC to Latin
    *range(0x20000, 0x20100),
    *range(0x2F800, 0x2F900),  # compatibility ideographs: NFKC to extension B
    *range(0xE0000, 0xE0080),  # tags
    *range(0xE0100, 0xE01F0),  # variation selectors
    0x10FFFF,
]
_EVERY_CHARACTER = [chr(c) for c in [*range(0x10000), *_ASTRAL_SAMPLE] if not 0xD800 <= c <= 0xDFFF]


def test_every_character_folds_alone_as_before() -> None:
    for ch in _EVERY_CHARACTER:
        assert normalize_fold.fold_characters(ch) == reference._fold(ch), hex(ord(ch))


# Characters that join the one before them (combining marks, jamo vowels and finals, the
# half-width sound marks), compatibility characters, a traditional character (the
# traditional step looks at its whole run) and one that NFKC turns into a traditional one.
_NEIGHBOURS = ["\u0301", "\u0345", "\u1161", "\u11a8", "\uff9e", "\u3099", "ㅏ", "ｶ", "Ａ"]
_NEIGHBOURS += ["㈱", "ß", "國", "\ufa6c", "\u2f8a6", "\ufe0f", "\u200b", "🔥", "✈", "a", "中"]


def test_every_character_folds_beside_others_as_before() -> None:
    notable = [ch for ch in _EVERY_CHARACTER if reference._fold(ch) != (ch.casefold(), None)]
    assert len(notable) > 10_000
    for ch in notable:
        for other in _NEIGHBOURS:
            for raw in (ch + other, other + ch, other + ch + other):
                assert normalize_fold.fold_characters(raw) == reference._fold(raw), raw


# --- generated text ---------------------------------------------------------------------

_NICKNAMES = [
    *("薇", "威", "微", "维", "V", "v", "ｖ", "vx", "VX", "Vx", "ｖｘ", "wx", "WX", "微信"),
    *("薇信", "威信", "维信", "徽信", "v信", "V信", "绿泡泡", "weixin", "wechat", "WeChat"),
    *("扣扣", "抠抠", "企鹅", "企鵝", "q", "Q", "Ｑ", "qq", "QQ", "飞机", "飛機", "纸飞机"),
    *("紙飛機", "小飞机", "TG", "tg", "Tg", "电报", "電報", "telegram", "Telegram", "✈"),
    *("✈️", "🛩", "🐧", "➕", "✚", "+", "＋"),
]
_CUES = [
    *("加", "私", "联系", "聯繫", "联络", "咨询", "諮詢", "添加", "扫码", "备用", "客服"),
    *("认准", "官方", "找我", "号", "號", "群", "id", "ID", "账号", "频道", "t.me/", "私聊"),
    *("电话", "手机", "tel", "码", "@", ":", "：", "=", "＝"),
]
_NUMERALS = [*"〇零一二三四五六七八九幺", *"0123456789", *"０１２３", "一二三四五六七八"]
_HAN = [*"出料卡四件套担保价格优惠请联系长期有效国内带网银密码后台发货", "坐飞机去北京"]
_HAN += [*"價格優惠請聯繫長國內帶網銀密碼後臺發貨擔", "威胁", "微博", "威信很高"]
_WIDE = [*"ＡＢＣａｂｃ：（），！？＠＝　１２３", "㈱", "ｶ", "ﾞ", "ｶﾞ", "ㄱ", "ㅏ", "\ufa6c", "①"]
_EMOJI = ["❤", "🔥", "👉", "⚠️", "✔️", "🆕", "😀", "1️⃣", "🇨🇳", "→", "◆", "▪"]
_INVISIBLE = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad", "\u2060", "\ufe0f"]
_INVISIBLE += ["\U000e0041", "\u202e", "\u3164"]
_SEPARATORS = [" ", ".", "-", "_", "*", "|", "/", "~", "·", "•", "...", "\t", "\n", "\\"]
_SEPARATORS += ["`", "^", "・", "，", "。", "…"]
_LATIN = ["a", "b", "x", "abc", "ABC", "abc_123", "vip", "usdt", "USDT", "ß", "é", "e\u0301"]
_LATIN += ["İ", "ﬁ", "k", "z"]

_PIECES = st.sampled_from(
    _NICKNAMES + _CUES + _NUMERALS + _HAN + _WIDE + _EMOJI + _INVISIBLE + _SEPARATORS + _LATIN
)
_MESSAGES = st.lists(_PIECES, max_size=40).map("".join)
# Pieces in runs: a split nickname, a number, a handle, each with separators or emoji.
_SPLIT = st.lists(
    st.tuples(st.sampled_from(_NICKNAMES + _NUMERALS + _LATIN), st.sampled_from(_SEPARATORS)),
    max_size=12,
).map(lambda pairs: "".join(a + b for a, b in pairs))
_CHARACTERS = st.text(
    st.sampled_from([ch for piece in _NICKNAMES + _NUMERALS + _WIDE + _EMOJI for ch in piece]),
    max_size=30,
)


@settings(max_examples=3000, deadline=None)
@given(st.one_of(_MESSAGES, _SPLIT, st.lists(_SPLIT | _MESSAGES, max_size=3).map("".join)))
# Placeholders between letters or digits: the rules can match only once they are gone.
@example("w🔥x: abc_123")
@example("t\u200bg @abc")
@example("一🔥2345678")
@example("1🔥二三四五六七")
@example("q🔥q12345678")
@example("加 v🔥x abc_123")
# Characters that compose in NFKC, and a compatibility ideograph beside a traditional one.
@example("ｶﾞ微 信")
@example("ㄱㅏ 加薇")
@example("\ufa6c國 飛機@abc")
# Found by this test: offsets that run past the folded text (ｶﾞ composed) are cut by a rule.
@example("vxｶﾞß")
def test_generated_messages(raw: str) -> None:
    assert_same(raw)


@settings(max_examples=2000, deadline=None)
@given(st.one_of(_CHARACTERS, st.text(max_size=60)))
def test_generated_text(raw: str) -> None:
    assert_same(raw)


def test_long_traditional_text() -> None:
    # Many distinct characters to fold (str.translate rather than str.replace) and a
    # text longer than the precomputed identity offsets.
    raw = "".join(chr(c) for c in range(0x4E00, 0x9FA6) if chr(c) != reference._fold(chr(c))[0])
    raw = (raw + " 飛 機 @abc ") * 3
    assert len(raw) > 4096
    assert_same(raw)
    assert_same(raw.replace(" ", "\u200b"))
