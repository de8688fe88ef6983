"""Chinese resident identity numbers (GB 11643-1999): checksum, birth date and region,
all checked by python-stdnum's ``stdnum.cn.ric``."""

from __future__ import annotations

import re

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from jianghu.analysis.entities.model import Entity
from jianghu.analysis.entities.scan import Scan, first_not_after

# Region (6), birth date yyyymmdd (8), sequence (3), check digit or X.
# (first_not_after: not glued to a word or number, written for the regex skip-ahead.)
_RIC = re.compile(
    first_not_after("[1-9]", "[0-9A-Za-z]") + r"[0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])"
    r"(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9A-Za-z])"
)


def find_cn_ids(scan: Scan) -> list[Entity]:
    out: list[Entity] = []
    if scan.digit_run < 17:  # an ID number is 17 digits and a check character
        return out
    for m in _RIC.finditer(scan.norm):
        number = m.group().upper()
        attrs: dict[str, str] = {}
        try:
            ric.validate(number)
        except ValidationError:
            valid = False
        else:
            valid = True
            attrs["birth_date"] = ric.get_birth_date(number).isoformat()
            place = ric.get_birth_place(number)
            attrs["region"] = number[:6]
            attrs["province"] = str(place.get("province", ""))
        start, end = m.span()
        out.append(Entity("cn_id", scan.text[start:end], number, start, end, valid, attrs))
    return out
