"""The lexicon: its data, its validation, and matching over normalised text."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from jianghu.analysis.lexicon import CATEGORIES, Lexicon, load_lexicon
from jianghu.analysis.normalize import normalize
from jianghu.errors import ConfigError

HEADER = "term\tvariants\tkind\tcategory\tgloss\tcues\tattack_id\tsource\n"


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


def _spans(lexicon: Lexicon, text: str) -> list[tuple[str, str, str | None]]:
    return [
        (text[h.start : h.end], h.canonical, h.category) for h in lexicon.match(normalize(text))
    ]


def test_size_and_coverage(lexicon: Lexicon) -> None:
    assert len(lexicon.terms()) >= 600
    per_category: dict[str, set[str]] = defaultdict(set)
    for sense in lexicon.senses:
        if sense.category:
            per_category[sense.category].add(sense.term)
    assert {c: len(per_category[c]) >= 20 for c in CATEGORIES} == dict.fromkeys(CATEGORIES, True)
    project_only = [s for s in lexicon.senses if s.source.startswith("jianghu analysts")]
    assert all(s.source for s in lexicon.senses)
    assert len(project_only) < len(lexicon.senses) / 2


@pytest.mark.parametrize(
    ("term", "attack_id"),
    [
        ("中国菜刀", "S0020"),
        ("PlugX", "S0013"),
        ("ShadowPad", "S0596"),
        ("Mimikatz", "S0002"),
        ("Impacket", "S0357"),
        ("Cobalt Strike", "S0154"),
        ("frp", "S1144"),
        ("冰蝎", None),
    ],
)
def test_tools_carry_attack_ids(lexicon: Lexicon, term: str, attack_id: str | None) -> None:
    (sense,) = [s for s in lexicon.senses if s.term == term and s.kind == "tool"]
    assert sense.attack_id == attack_id
    assert sense.category == "hacking_tool"


def test_latin_terms_match_on_token_boundaries_only(lexicon: Lexicon) -> None:
    assert _spans(lexicon, "CSS 样式") == []
    assert ("CS", "CS", "hacking_tool") in _spans(lexicon, "CS上线 免杀")
    units = [s for s in _spans(lexicon, "100U 5u USB") if s[1] == "U"]
    assert [s[0] for s in units] == ["U", "u"]


def test_longest_match_wins_and_spans_are_original(lexicon: Lexicon) -> None:
    text = "出 U盾 四件套"
    assert _spans(lexicon, text) == [
        ("出", "出", None),
        ("U盾", "U盾", "money_laundering"),
        ("四件套", "四件套", "money_laundering"),
    ]


def test_variants_traditional_spaced_and_emoji_split(lexicon: Lexicon) -> None:
    assert _spans(lexicon, "要 擔保") == [("擔保", "担保", "escrow_guarantee")]
    assert _spans(lexicon, "走 擔保")[0][:2] == ("走 擔保", "走担保")
    assert _spans(lexicon, "社❤工❤库")[0][1:] == ("社工库", "data_leak")
    assert _spans(lexicon, "出 sgk")[1] == ("sgk", "社工库", "data_leak")
    assert _spans(lexicon, "飛機：@abc")[0][1] == "telegram"


def test_senses_are_picked_by_context(lexicon: Lexicon) -> None:
    assert ("料", "料", "card_fraud") in _spans(lexicon, "出料 cvv 卡头")
    assert ("料", "料", "data_leak") in _spans(lexicon, "出料 查户籍")
    both = [h for h in lexicon.match(normalize("出料"), all_senses=True) if h.canonical == "料"]
    assert {h.category for h in both} == {"card_fraud", "data_leak"}
    assert sum(h.score for h in both) == pytest.approx(1.0, abs=0.01)


def test_intent_words_only_start_clauses(lexicon: Lexicon) -> None:
    assert _spans(lexicon, "今天出去玩") == []
    assert _spans(lexicon, "出叶子")[0][1] == "出"
    assert ("出", "出", None) in _spans(lexicon, "叶子 出")


def test_ordinary_words_shield_jargon(lexicon: Lexicon) -> None:
    assert _spans(lexicon, "冰箱里有饮料") == []
    assert _spans(lexicon, "坐飞机去北京") == []


def _write(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "mine.tsv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def test_user_file_extends_and_overrides(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "蓝莓\t-\toffer\tdrugs\tnew slang\t-\t-\tanalysts\n"
        "冰蝎\tbehinder\ttool\thacking_tool\tmy gloss\t-\t-\thttps://example.org\n",
    )
    lexicon = load_lexicon([path])
    hits = lexicon.match(normalize("出蓝莓 冰蝎"))
    assert [(h.canonical, h.gloss) for h in hits][1:] == [
        ("蓝莓", "new slang"),
        ("冰蝎", "my gloss"),
    ]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("x\t-\toffer\tcats\tg\t-\t-\tanalysts\n", "mine.tsv:2: unknown category 'cats'"),
        ("x\t-\tthing\t-\tg\t-\t-\tanalysts\n", "mine.tsv:2: unknown kind 'thing'"),
        ("x\t-\toffer\t-\tg\t-\t-\tnowhere\n", "mine.tsv:2: unknown source key 'nowhere'"),
        ("x\t-\toffer\t-\tg\n", "mine.tsv:2: expected 8 tab-separated columns"),
        ("x\t-\ttool\t-\tg\t-\tT1000\tanalysts\n", "mine.tsv:2: bad ATT&CK software id"),
        (
            "x\t-\toffer\tdrugs\tg\t-\t-\tanalysts\nx\ty\toffer\tdrugs\th\t-\t-\tanalysts\n",
            "mine.tsv:3: the same sense of 'x' (offer, drugs) is already at",
        ),
    ],
)
def test_bad_rows_name_file_and_line(tmp_path: Path, rows: str, message: str) -> None:
    path = _write(tmp_path, rows)
    with pytest.raises(ConfigError) as err:
        load_lexicon([path])
    assert message in str(err.value)
    assert str(path) in str(err.value)
