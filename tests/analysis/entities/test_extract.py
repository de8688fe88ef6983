"""The extractor's contract: spans, normalisation, overlaps, obfuscation, masking."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jianghu.analysis.entities import Entity, extract_entities, mask
from jianghu.analysis.entities.evaluate import evaluate


def kinds(text: str) -> list[tuple[str, str]]:
    return [(e.type, e.value) for e in extract_entities(text)]


def test_offer_with_contacts() -> None:
    text = "出四件套 800U一套 联系飞机 @HongYun_888 或者薇信 abc12345，QQ: 1 2 3 4 5 6 7"
    assert kinds(text) == [
        ("price", "800U"), ("telegram_handle", "@HongYun_888"), ("wechat", "abc12345"),
        ("qq", "1 2 3 4 5 6 7"),
    ]  # fmt: skip
    handle = extract_entities(text)[1]
    assert handle.normalized == "hongyun_888"


def test_full_width_and_chinese_numerals() -> None:
    (phone,) = extract_entities("电话 １３８１２３４５６７８")
    assert phone.normalized == "+8613812345678" and phone.value == "１３８１２３４５６７８"
    (qq,) = extract_entities("扣扣：一二三四五六七八 晚上在线")
    assert (qq.value, qq.normalized) == ("一二三四五六七八", "12345678")


def test_no_phone_out_of_price_quantity_order_or_card() -> None:
    assert kinds("订单号：13812345678") == []
    assert [t for t, _ in kinds("价格 13812345678元")] == ["price"]
    assert kinds("卡 4111 1111 1111 1111") == [("card_number", "4111 1111 1111 1111")]


def test_price_attrs() -> None:
    (p,) = extract_entities("300元/1万条")
    assert p.attrs == {"amount": "300", "currency": "CNY", "unit": "条", "per": "10000"}
    (r,) = extract_entities("5-10u一条")
    assert (r.attrs["amount"], r.attrs["amount_max"], r.attrs["currency"]) == ("5", "10", "USDT")


def test_quantities() -> None:
    got = [v for t, v in kinds("3万条 20w 1.2亿 12W+ 4G 的料 4G网络") if t == "quantity"]
    assert got == ["3万条", "20w", "1.2亿", "12W+", "4G"]


def test_defanged_network_indicators() -> None:
    ents = extract_entities("后台 hxxps://evil[.]com/login 备用 example(.)com")
    assert [(e.type, e.normalized) for e in ents] == [
        ("url", "https://evil.com/login"), ("domain", "example.com")]  # fmt: skip


def test_usdt_chain() -> None:
    (u,) = extract_entities("只收 USDT-TRC20")
    assert u.attrs == {"chain": "TRC20"}


def test_masking() -> None:
    card = Entity("card_number", "4111 1111 1111 1111", "4111111111111111", 0, 19)
    assert mask(card) == "411111******1111"
    cid = Entity("cn_id", "11010519491231002X", "11010519491231002X", 0, 18)
    assert mask(cid) == "110105***********X"
    phone = Entity("phone", "13812345678", "+8613812345678", 0, 11)
    assert mask(phone) == "+86138****5678"
    assert mask(Entity("domain", "a.com", "a.com", 0, 5)) == "a.com"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_never_raises_and_spans_slice_to_value(text: str) -> None:
    for ent in extract_entities(text, include_invalid=True):
        assert text[ent.start : ent.end] == ent.value


_PIECES = st.sampled_from(
    ["出", "料", " ", "：", "QQ", "微信", "@", "t.me/", "U", "元", "条", "w", ".", "-", "*",
     "0x", "T", "1", "3", "8", "9", "4111", "138", "[.]", "com", "http://", "ＱＱ", "１"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_underground_like_text_spans(text: str) -> None:
    for ent in extract_entities(text, include_invalid=True):
        assert text[ent.start : ent.end] == ent.value


def test_evaluation_targets() -> None:
    report = evaluate()
    assert report.messages >= 500
    for score in report.types:
        assert score.tp + score.fn >= 30, score.type
        assert score.precision >= 0.97, (score.type, report.errors[:10])
        assert score.recall >= 0.95, (score.type, report.errors[:10])
    assert sum(t.total for t in report.traps) >= 300
    assert report.trap_pass_rate >= 0.99


def test_bare_homophone_before_a_colon_is_a_wechat_cue() -> None:
    from jianghu.analysis.entities import extract_entities

    found = [(e.type, e.normalized) for e in extract_entities("出料 薇:laowang888 量大优惠")]
    assert ("wechat", "laowang888") in found
    assert [(e.type, e.normalized) for e in extract_entities("出料 威：abc_12345")] == [
        ("wechat", "abc_12345")
    ]
    # 威 in 威胁 (a threat) is no cue, colon or not.
    assert not [e for e in extract_entities("威胁:不给钱就曝光 abcdef123") if e.type == "wechat"]


def test_every_contact_cue_passes_the_cheap_gate() -> None:
    # The gate skips cue searching on texts holding none of its strings: a cue that holds
    # none of them was silently never found ("weixin laowang888" gave no WeChat id).
    import re

    from jianghu.analysis.entities.contacts import _CUE_GATE, _CUES

    for _, alternatives in _CUES:
        for alternative in alternatives:
            literal = re.sub(r"\(.*\)", "", alternative).replace("\\", "")
            assert _CUE_GATE.search(literal), alternative
    assert kinds("加我weixin: laowang888 私聊") == [("wechat", "laowang888")]


def _price(text: str) -> tuple[str, str, str | None]:
    (ent,) = [e for e in extract_entities(text) if e.type == "price"]
    return ent.attrs["amount"], ent.attrs["currency"], ent.attrs.get("unit")


def test_fiat_words_and_units_of_weight_and_pieces() -> None:
    # Real drug-trade ads price by the gram, pill or cartridge, often in 台币 or 泰铢.
    assert _price("500人民币") == ("500", "CNY", None)
    assert _price("大马 3000 台币 一克") == ("3000", "TWD", "克")
    assert _price("300港币/克") == ("300", "HKD", "克")
    assert _price("一万以内 800 泰铢 每颗") == ("800", "THB", "颗")
    assert _price("烟油 300元一根") == ("300", "CNY", "根")
    assert _price("每克 500元") == ("500", "CNY", "克")
    assert kinds("100克起 20颗 3支") == [
        ("quantity", "100克"), ("quantity", "20颗"), ("quantity", "3支"),
    ]  # fmt: skip
    assert kinds("3 万 条 新鲜") == [("quantity", "3 万 条")]


def test_unit_words_that_begin_another_word_are_not_units() -> None:
    assert kinds("3万 条件你自己看") == [("quantity", "3万")]
    assert not [e for e in extract_entities("转账100支付宝 10克隆 3根据") if e.type == "quantity"]
