"""Phone numbers: Chinese mobiles (1[3-9] and 9 more digits, with or without +86) and
international numbers written with +, validated and put in E.164 by ``phonenumbers``.

A phone is never read out of a price, a quantity, a date, an order number or a card: the
digits must stand alone, must not be followed by a currency or counting unit, and must
not be introduced as an order, waybill or reference number. Cards and dates are claimed
by higher-priority finders before phones are considered (see ``extract``).
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

import phonenumbers

from jianghu.analysis.entities.model import Entity
from jianghu.analysis.entities.scan import Scan, first_not_after

# Both patterns mean ``(?<![0-9A-Za-z+])`` and then a number, spelled out by the number's
# first character (+86, 0086, 86 or 1 …; + or 00 …) so that the regex engine can skip
# ahead to the characters a number starts with (see scan.first_not_after). At any
# position only one of the branches can start, so they find what the plain pattern does.
_GLUE = "[0-9A-Za-z+]"
_MOBILE = r"1[3-9][0-9](?:[ \-]?[0-9]){8}(?![0-9A-Za-z])"
_CN_MOBILE = re.compile(
    rf"{first_not_after('[+]', _GLUE)}86[ \-]?{_MOBILE}"
    rf"|{first_not_after('0', _GLUE)}086[ \-]?{_MOBILE}"
    rf"|{first_not_after('8', _GLUE)}6[ \-]?{_MOBILE}"
    rf"|{first_not_after('1', _GLUE)}{_MOBILE[1:]}"
)
_INTL_NUMBER = (
    r"[1-9][0-9]{0,2}[ \-]?(?:\([0-9]{1,4}\)[ \-]?)?[0-9](?:[ \-]?[0-9]){5,13}(?![0-9A-Za-z])"
)
_INTL = re.compile(
    rf"{first_not_after('[+]', _GLUE)}{_INTL_NUMBER}|{first_not_after('0', _GLUE)}0{_INTL_NUMBER}"
)
NOT_A_PHONE = re.compile(
    r"(订单|单号|流水|运单|快递|编号|交易号|序列|工单|批次|条码|账单|凭证|参考号|卡号|"
    r"版本|群|order|ref|tracking|serial|uid|id|no\.?|qq|扣扣|企鹅)\s*(?:号|號)?\s*[:：#]?\s*$"
)
_UNIT_AFTER = re.compile(r"\s*[元块条张套个万亿刀笔]|\s?(?:rmb|usdt|[uwk](?![a-z]))")
_DIGITS_ONLY = str.maketrans("", "", " -()")


def parse_phone(raw: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        num = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    return num if phonenumbers.is_valid_number(num) else None


class PhoneForms(NamedTuple):
    """A valid number's written-out forms."""

    e164: str
    country: str  # region code, "" when the number has none
    plain: str  # "+", country code and national number, no italian leading zero


# Parsing costs tens of microseconds, and the same numbers come back in every repost.
@functools.lru_cache(maxsize=4096)
def phone_forms(raw: str, region: str | None) -> PhoneForms | None:
    """``parse_phone``'s number in its forms (None when not valid), remembered."""
    num = parse_phone(raw, region)
    if num is None:
        return None
    return PhoneForms(
        phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164),
        phonenumbers.region_code_for_number(num) or "",
        f"+{num.country_code}{num.national_number}",
    )


def phone_entity(text: str, start: int, end: int, raw: str) -> Entity:
    region = None if raw.startswith("+") else "CN"
    if raw.startswith("00"):
        raw, region = "+" + raw[2:], None
    forms = phone_forms(raw, region)
    if forms is None:
        digits = raw.translate(_DIGITS_ONLY)
        return Entity("phone", text[start:end], digits, start, end, False)
    attrs = {"country": forms.country}
    return Entity("phone", text[start:end], forms.e164, start, end, True, attrs)


def shrink_groups(raw: str) -> list[str]:
    """``raw`` and its prefixes cut at separators, longest first: a greedy match may
    have run on into the next number ("+1 2014 340454 24小时")."""
    out = [raw]
    for i in range(len(raw) - 1, 0, -1):
        if raw[i] in " -" and raw[i - 1].isdigit():
            out.append(raw[:i])
    return out


def find_phones(scan: Scan) -> list[Entity]:
    out: list[Entity] = []
    if scan.digit_run < 6:  # the shortest number (after +country) is 6 digits, one run
        return out
    norm = scan.norm
    spans: set[tuple[int, int]] = set()
    for pattern in (_CN_MOBILE, _INTL):
        for m in pattern.finditer(norm):
            start, end = m.span()
            if (start, end) in spans or _rejected(scan, start, end):
                continue
            spans.add((start, end))
            for raw in shrink_groups(m.group()):
                ent = phone_entity(scan.text, start, start + len(raw), raw)
                if ent.valid:
                    break
            out.append(ent)
    return out


def _rejected(scan: Scan, start: int, end: int) -> bool:
    if NOT_A_PHONE.search(scan.before(start, 12)):
        return True
    return _UNIT_AFTER.match(scan.low, end) is not None
