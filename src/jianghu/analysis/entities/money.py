"""Prices (amount, currency, unit) and quantities (3万条, 20w, 1.2亿, 12W+, 4G).

A price needs a currency: a suffix (800U, 5-10u, 200元, 300块, 50r, 20RMB, 100刀, 50美金,
0.01BTC) or a prefix (¥200, $50, RMB 500). Multipliers k/w/万/千/亿 scale the amount. The
unit comes from the words around it: "2u/条", "每条2u", "800U一套", "300元/1万条".
A price's ``value`` is the amount and currency as written; the unit lives in ``attrs``.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal, InvalidOperation

from jianghu.analysis.entities.model import Entity
from jianghu.analysis.entities.scan import Scan, first_not_after

_NUM_TAIL = r"(?:,[0-9]{3})*(?:\.[0-9]+)?"
_NUM = rf"[0-9]+{_NUM_TAIL}"
# The same number taken possessively (*+, ?+), for where what follows it can never be a
# digit, comma or point: giving any of it back could not make a match, and every number
# tried would try it.
_WHOLE_NUM = r"[0-9]*+(?:,[0-9]{3})*+(?:\.[0-9]+)?+"  # after its first digit
_MULT = r"(?:百万|千万|[kKwW万千亿])"


def _amount_re(lo: str) -> str:
    """An amount or a range (5-10, 3万~5万), its first number written as ``lo``."""
    return (
        rf"(?P<lo>{lo})(?:\s?(?P<m1>{_MULT}))?"
        rf"(?:\s?[-~～到至]\s?(?P<hi>{_NUM})(?:\s?(?P<m2>{_MULT}))?)?"
    )


_SUFFIX_CUR = (
    r"(?P<cur>usdt|USDT|Usdt|[uU](?![盘盾a-zA-Z])|元|块|rmb|RMB|[rR](?![a-zA-Z])|刀|美金|美元"
    r"|usd|USD|btc|BTC|个比特币|毛|角|人民币|港币|港元|新台币|台币|泰铢)"
)
# Both patterns start with a character class or literals, for the regex engine's skip-ahead
# (see scan.first_not_after); the number must not continue a word, number or decimal.
_LEAD_NUM = first_not_after("[0-9]", "[0-9A-Za-z.,]") + _WHOLE_NUM
_PRICE_SUFFIX = re.compile(rf"{_amount_re(_LEAD_NUM)}\s?{_SUFFIX_CUR}(?![A-Za-z])")
_PRICE_PREFIX = re.compile(
    rf"(?P<cur>¥|￥|\$|US\$|RMB|rmb|USDT|usdt)\s?{_amount_re(_NUM)}(?![0-9A-Za-z])"
)
_UNIT_AFTER = re.compile(
    r"\s?(?:/|每|一|1)\s?(?P<n>万|w|W|[0-9]+万?)?(?P<u>条|张|套|个|月|次|单|份|号|年|天|周|人|组|粉|克|颗|粒|根|支|瓶|G)"
)
_UNIT_BEFORE = re.compile(
    r"(?:每|一|1|单)(?P<u>条|张|套|个|月|次|单|份|号|组|克|颗|粒|根|支|瓶)\s?[:：]?\s?$|包(?P<p>月|年|周|天)\s?$"
)
# Goods by weight or by piece too: 克 (grams), 颗/粒 (pills), 根/支 (cartridges, cigarettes).
# A unit word must not begin another word: 条件 (condition), 支付 (pay), 根据 (according to).
_QTY_UNIT = (
    r"(?:条(?![件款例约])|张|套|份|组|粉(?!丝)|户|克(?![隆服制])|颗|粒|根(?![据本])"
    r"|支(?![付持援票])|GB|TB|G|T)"
)
_QUANTITY = re.compile(
    rf"(?P<n>{first_not_after('[0-9]', '[0-9A-Za-z.,/$¥￥每]')}{_WHOLE_NUM})"
    rf"\s?(?:(?P<m>{_MULT})\+?(?:\s?(?P<u1>{_QTY_UNIT}))?|(?P<u2>{_QTY_UNIT})\+?)(?![A-Za-z0-9])"
)
# "4G网络", "5G卡", "8G内存" are networks and memory, not amounts of data.
_NOT_DATA = re.compile(r"\s?(?:网|卡|流量|手机|信号|套餐|内存|运存|显存|基站|时代|路由)")
_CURRENCY = {"u": "USDT", "usdt": "USDT", "元": "CNY", "块": "CNY", "rmb": "CNY", "r": "CNY",
             "¥": "CNY", "￥": "CNY", "刀": "USD", "美金": "USD", "美元": "USD", "usd": "USD",
             "$": "USD", "us$": "USD", "btc": "BTC", "个比特币": "BTC",
             "毛": "CNY", "角": "CNY", "人民币": "CNY", "港币": "HKD", "港元": "HKD",
             "台币": "TWD", "新台币": "TWD", "泰铢": "THB"}  # fmt: skip
_SCALE: dict[str, int | Decimal] = {"k": 1000, "千": 1000, "w": 10_000, "万": 10_000,
          "百万": 1_000_000,
          "千万": 10_000_000, "亿": 100_000_000, "0.1": Decimal("0.1")}  # fmt: skip


# The same few prices come back in every ad and repost.
@functools.lru_cache(maxsize=4096)
def _amount(num: str, mult: str | None) -> str:
    """The amount as plain decimal digits: "1,500" → 1500, "0.40" → 0.4, "3" 万 → 30000."""
    digits = num.replace(",", "")
    scale = _SCALE.get((mult or "").lower(), 1)
    if isinstance(scale, int) and len(digits) <= 19:
        # Up to 18 digits, in int arithmetic: the same digits as the Decimal below (which
        # rounds nothing under its 28-digit precision), at a fraction of the cost.
        whole, _, frac = digits.partition(".")
        units, rest = divmod(int(whole + frac) * scale, 10 ** len(frac))
        return f"{units}.{rest:0{len(frac)}d}".rstrip("0") if rest else str(units)
    try:
        value = Decimal(digits) * scale
    except InvalidOperation:
        return num
    text = format(value.normalize(), "f")
    return text


def find_prices(scan: Scan) -> list[Entity]:
    out: list[Entity] = []
    norm, low = scan.norm, scan.low
    # A currency sign or word in front is rare: ``in`` tests before a regex pass for it.
    prefixed = "¥" in norm or "￥" in norm or "$" in norm or "rmb" in low or "usdt" in low
    for pattern in (_PRICE_SUFFIX, _PRICE_PREFIX) if prefixed else (_PRICE_SUFFIX,):
        for m in pattern.finditer(norm):
            start, end = m.span()
            lo, m1, hi, m2, cur = m.group("lo", "m1", "hi", "m2", "cur")
            cur = cur.lower()
            currency = _CURRENCY[cur]
            # 毛/角 are tenths of a yuan.
            mult = "0.1" if cur in ("毛", "角") else m1 or m2
            amount = _amount(lo, mult)
            attrs = {"amount": amount, "currency": currency}
            if hi:
                amount_max = attrs["amount_max"] = _amount(hi, m2 or m1)
                normalized = f"{amount}-{amount_max} {currency}"
            else:
                normalized = f"{amount} {currency}"
            attrs.update(_unit(norm, start, end))
            out.append(Entity("price", scan.text[start:end], normalized, start, end, True, attrs))
    return out


_PER_WORD = {"万": "10000", "w": "10000", "W": "10000"}


def _unit(norm: str, start: int, end: int) -> dict[str, str]:
    after = _UNIT_AFTER.match(norm, end)
    if after is not None:
        count, unit = after.group("n", "u")
        count = _PER_WORD.get(count, count) if count else "1"
        if count.endswith("万"):
            count = str(int(count[:-1]) * 10_000)
        return {"unit": unit, "per": count}
    before = _UNIT_BEFORE.search(norm[max(0, start - 6) : start])
    if before is not None:
        return {"unit": before.group("u") or before.group("p"), "per": "1"}
    return {}


def find_quantities(scan: Scan) -> list[Entity]:
    out: list[Entity] = []
    norm = scan.norm
    for m in _QUANTITY.finditer(norm):
        start, end = m.span()
        number, mult, u1, u2 = m.group("n", "m", "u1", "u2")
        unit = u1 or u2 or ""
        if unit in ("G", "T", "GB", "TB") and _NOT_DATA.match(norm, end):
            continue
        count = _amount(number, mult)
        attrs = {"count": count, "unit": unit}
        out.append(Entity("quantity", scan.text[start:end], count + unit, start, end, True, attrs))
    return out
