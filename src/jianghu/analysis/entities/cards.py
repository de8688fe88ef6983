"""Payment cards: Luhn-valid PANs with their scheme and BIN, and masked PANs as BINs."""

from __future__ import annotations

import re

from jianghu.analysis.entities.checksums import luhn_ok
from jianghu.analysis.entities.model import Entity
from jianghu.analysis.entities.scan import Scan, first_not_after

# Digits with at most one space or dash between any two; the caller checks the length.
# (first_not_after: not glued to a word or number, written for the regex skip-ahead.)
_PAN = re.compile(
    first_not_after("[0-9]", "[0-9A-Za-z]") + r"(?:[ \-]?[0-9]){12,18}(?![0-9A-Za-z])"
)
# Lazy: two masked numbers in a row must not run together.
_MASKED = re.compile(
    first_not_after("[0-9]", "[0-9A-Za-z*]") + r"[0-9]{3}[0-9 \-*xX#•]{8,21}?[0-9](?![0-9A-Za-z*])"
)
_MASKED_SHAPE = re.compile(r"([0-9]{6,8})([*xX#•]+)([0-9]{2,4})")
# Every masked PAN holds a digit and then a mask character (separators between): without
# one there is nothing to look for, whatever "x" or "*" the text holds elsewhere.
_MASK_HINT = re.compile(r"[0-9][ \-]*[*xX#•]")
_SEPARATORS = str.maketrans("", "", " -")
# A number introduced as an order, waybill, serial or reference number is not a card.
NOT_A_CARD = re.compile(
    r"(订单|单号|流水|运单|快递|编号|交易号|序列|工单|批次|条码|账单|凭证|参考号|"
    r"order|ref|tracking|serial|sn|uid|id|no\.?)\s*[:：#]?\s*$"
)

# (first digits range low, high, scheme, allowed lengths), most specific first.
_IIN: tuple[tuple[int, int, str, tuple[int, ...]], ...] = (
    (2200, 2204, "mir", (16, 17, 18, 19)),
    (2221, 2720, "mastercard", (16,)),
    (3528, 3589, "jcb", (16, 17, 18, 19)),
    (6011, 6011, "discover", (16, 17, 18, 19)),
    (5018, 5018, "maestro", (12, 13, 14, 15, 16, 17, 18, 19)),
    (5020, 5020, "maestro", (12, 13, 14, 15, 16, 17, 18, 19)),
    (5038, 5038, "maestro", (12, 13, 14, 15, 16, 17, 18, 19)),
    (5893, 5893, "maestro", (12, 13, 14, 15, 16, 17, 18, 19)),
    (6304, 6304, "maestro", (12, 13, 14, 15, 16, 17, 18, 19)),
    (6759, 6759, "maestro", (12, 13, 14, 15, 16, 17, 18, 19)),
    (6761, 6763, "maestro", (12, 13, 14, 15, 16, 17, 18, 19)),
    (3000, 3059, "diners", (14, 15, 16, 17, 18, 19)),
    (3600, 3699, "diners", (14, 15, 16, 17, 18, 19)),
    (3800, 3999, "diners", (14, 15, 16, 17, 18, 19)),
    (3400, 3499, "amex", (15,)),
    (3700, 3799, "amex", (15,)),
    (6440, 6599, "discover", (16, 17, 18, 19)),
    (6200, 6299, "unionpay", (16, 17, 18, 19)),
    (5100, 5599, "mastercard", (16,)),
    (4000, 4999, "visa", (13, 16, 19)),
)


def scheme_of(digits: str, length: int | None = None) -> str | None:
    """The card scheme of a PAN (or of a BIN when ``length`` is None), by IIN range."""
    head = int(digits[:4])
    for low, high, scheme, lengths in _IIN:
        if low <= head <= high and (length is None or length in lengths):
            return scheme
    return None


def find_cards(scan: Scan) -> list[Entity]:
    out: list[Entity] = []
    text, norm = scan.text, scan.norm
    # A PAN is 13 digits or more, one run (see Scan.digit_run).
    for m in _PAN.finditer(norm) if scan.digit_run >= 13 else ():
        if NOT_A_CARD.search(scan.before(m.start(), 12)):
            continue
        ent = _best_card(text, m.start(), m.group())
        if ent is not None:
            out.append(ent)
    # The ``in`` tests first: they cost far less than a regex trying every digit.
    has_mask = "*" in norm or "x" in scan.low or "#" in norm or "•" in norm
    if has_mask and _MASK_HINT.search(norm):
        out.extend(_masked(scan))
    return out


def _best_card(text: str, start: int, raw: str) -> Entity | None:
    """The longest valid card in ``raw`` cut at a separator (a greedy match may have run
    on into an expiry date or the next number), else the whole run marked invalid."""
    seps = [c for c in raw if c in " -"]
    if seps and any(c != seps[0] for c in seps):  # "5365-7987-5648-2177 12/27": cut
        other = " " if seps[0] == "-" else "-"
        raw = raw[: raw.index(other)]
    first: Entity | None = None
    for i in [len(raw)] + [i for i in range(len(raw) - 1, 12, -1) if raw[i] in " -"]:
        digits = raw[:i].translate(_SEPARATORS)
        scheme = scheme_of(digits, len(digits)) if len(digits) >= 12 else None
        if scheme is None:
            continue
        attrs = {"scheme": scheme, "bin": digits[:6], "bin8": digits[:8], "last4": digits[-4:]}
        ent = Entity("card_number", text[start : start + i], digits, start, start + i,
                     luhn_ok(digits), attrs)  # fmt: skip
        if ent.valid:
            return ent
        first = first or ent
    return first


def _masked(scan: Scan) -> list[Entity]:
    out: list[Entity] = []
    for m in _MASKED.finditer(scan.norm):
        if NOT_A_CARD.search(scan.before(m.start(), 12)):
            continue
        raw = m.group()
        compact = raw.translate(_SEPARATORS)
        shape = _MASKED_SHAPE.fullmatch(compact)
        if shape is None or not 13 <= len(compact) <= 19:
            continue
        bin_digits = shape.group(1)[:8]
        scheme = scheme_of(bin_digits)
        if scheme is None:
            continue
        attrs = {"scheme": scheme, "bin": bin_digits[:6], "last4": shape.group(3)}
        if len(bin_digits) == 8:
            attrs["bin8"] = bin_digits
        value = scan.text[m.start() : m.end()]
        out.append(Entity("card_bin", value, bin_digits, m.start(), m.end(), True, attrs))
    return out
