"""Prices (amount, currency, unit) and quantities (3万条, 20w, 1.2亿, 12W+, 4G).

A price needs a currency: a suffix (800U, 5-10u, 200元, 300块, 50r, 20RMB, 100刀, 50美金,
0.01BTC) or a prefix (¥200, $50, RMB 500). Multipliers k/w/万/千/亿 scale the amount. The
unit comes from the words around it: "2u/条", "每条2u", "800U一套", "300元/1万条".
A price's ``value`` is the amount and currency as written; the unit lives in ``attrs``.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from jianghu.analysis.entities.model import Entity
from jianghu.analysis.entities.scan import Scan

_NUM = r"[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?"
_MULT = r"(?:百万|千万|[kKwW万千亿])"
_AMOUNT = (
    rf"(?P<lo>{_NUM})(?:\s?(?P<m1>{_MULT}))?"
    rf"(?:\s?[-~～到至]\s?(?P<hi>{_NUM})(?:\s?(?P<m2>{_MULT}))?)?"
)
_SUFFIX_CUR = (
    r"(?P<cur>usdt|USDT|Usdt|[uU](?![盘盾a-zA-Z])|元|块|rmb|RMB|[rR](?![a-zA-Z])|刀|美金|美元"
    r"|usd|USD|btc|BTC|个比特币|毛|角)"
)
_PRICE_SUFFIX = re.compile(rf"(?<![0-9A-Za-z.,]){_AMOUNT}\s?{_SUFFIX_CUR}(?![A-Za-z])")
_PRICE_PREFIX = re.compile(rf"(?P<cur>[¥￥$]|US\$|RMB|rmb|USDT|usdt)\s?{_AMOUNT}(?![0-9A-Za-z])")
_UNIT_AFTER = re.compile(
    r"\s?(?:/|每|一|1)\s?(?P<n>万|w|W|[0-9]+万?)?(?P<u>条|张|套|个|月|次|单|份|号|年|天|周|人|组|粉|G)"
)
_UNIT_BEFORE = re.compile(
    r"(?:每|一|1|单)(?P<u>条|张|套|个|月|次|单|份|号|组)\s?[:：]?\s?$|包(?P<p>月|年|周|天)\s?$"
)
_QTY_UNIT = r"(?:条|张|套|份|组|粉(?!丝)|户|GB|TB|G|T)"
_QUANTITY = re.compile(
    rf"(?<![0-9A-Za-z.,/$¥￥每]){_NUM}\s?(?:(?P<m>{_MULT})\+?(?P<u1>{_QTY_UNIT})?|(?P<u2>{_QTY_UNIT})\+?)"
    r"(?![A-Za-z0-9])"
)
# "4G网络", "5G卡", "8G内存" are networks and memory, not amounts of data.
_NOT_DATA = re.compile(r"\s?(?:网|卡|流量|手机|信号|套餐|内存|运存|显存|基站|时代|路由)")
_CURRENCY = {"u": "USDT", "usdt": "USDT", "元": "CNY", "块": "CNY", "rmb": "CNY", "r": "CNY",
             "¥": "CNY", "￥": "CNY", "刀": "USD", "美金": "USD", "美元": "USD", "usd": "USD",
             "$": "USD", "us$": "USD", "btc": "BTC", "个比特币": "BTC",
             "毛": "CNY", "角": "CNY"}  # fmt: skip
_SCALE: dict[str, int | Decimal] = {"k": 1000, "千": 1000, "w": 10_000, "万": 10_000,
          "百万": 1_000_000,
          "千万": 10_000_000, "亿": 100_000_000, "0.1": Decimal("0.1")}  # fmt: skip


def _amount(num: str, mult: str | None) -> str:
    try:
        value = Decimal(num.replace(",", "")) * _SCALE.get((mult or "").lower(), 1)
    except InvalidOperation:
        return num
    text = format(value.normalize(), "f")
    return text


def find_prices(scan: Scan) -> list[Entity]:
    out: list[Entity] = []
    for pattern in (_PRICE_SUFFIX, _PRICE_PREFIX):
        for m in pattern.finditer(scan.norm):
            start, end = m.span()
            cur = m.group("cur").lower()
            currency = _CURRENCY[cur]
            # 毛/角 are tenths of a yuan.
            mult = "0.1" if cur in ("毛", "角") else m.group("m1") or m.group("m2")
            attrs = {"amount": _amount(m.group("lo"), mult),
                     "currency": currency}  # fmt: skip
            if m.group("hi"):
                attrs["amount_max"] = _amount(m.group("hi"), m.group("m2") or m.group("m1"))
            attrs.update(_unit(scan, start, end))
            normalized = f"{attrs['amount']} {currency}"
            if "amount_max" in attrs:
                normalized = f"{attrs['amount']}-{attrs['amount_max']} {currency}"
            out.append(Entity("price", scan.text[start:end], normalized, start, end, True, attrs))
    return out


def _unit(scan: Scan, start: int, end: int) -> dict[str, str]:
    after = _UNIT_AFTER.match(scan.norm, end)
    if after is not None:
        count = after.group("n") or "1"
        count = {"万": "10000", "w": "10000", "W": "10000"}.get(count, count)
        if count.endswith("万"):
            count = str(int(count[:-1]) * 10_000)
        return {"unit": after.group("u"), "per": count}
    before = _UNIT_BEFORE.search(scan.norm[max(0, start - 6) : start])
    if before is not None:
        return {"unit": before.group("u") or before.group("p"), "per": "1"}
    return {}


def find_quantities(scan: Scan) -> list[Entity]:
    out: list[Entity] = []
    for m in _QUANTITY.finditer(scan.norm):
        start, end = m.span()
        unit = m.group("u1") or m.group("u2") or ""
        if unit in ("G", "T", "GB", "TB") and _NOT_DATA.match(scan.norm, end):
            continue
        number = re.match(_NUM, m.group())
        assert number is not None
        attrs = {"count": _amount(number.group(), m.group("m")), "unit": unit}
        value = scan.text[start:end]
        out.append(Entity("quantity", value, attrs["count"] + unit, start, end, True, attrs))
    return out
