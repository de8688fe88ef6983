"""Masks for victims' data: card numbers, Chinese ID numbers and phone numbers are
stored as found but shown masked unless an analyst reveals them (DESIGN: victims' data)."""

from __future__ import annotations

from jianghu.analysis.entities.model import Entity

MASKED_TYPES = frozenset({"card_number", "card_bin", "cn_id", "phone"})


def _stars(s: str, keep_head: int, keep_tail: int) -> str:
    hidden = max(0, len(s) - keep_head - keep_tail)
    return s[:keep_head] + "*" * hidden + (s[len(s) - keep_tail :] if keep_tail else "")


def mask(entity: Entity) -> str:
    """The form every face shows: cards keep the first 6 and last 4 digits, ID numbers
    the region (6) and the check digit, phones the country code, 3 digits and the last
    4. Other types are not personal data of victims and are returned unchanged."""
    norm = entity.normalized
    if entity.type == "card_number":
        return _stars(norm, 6, 4)
    if entity.type == "card_bin":
        return entity.value
    if entity.type == "cn_id":
        return _stars(norm, 6, 1)
    if entity.type == "phone":
        if norm.startswith("+86") and len(norm) == 14:
            return _stars(norm, 6, 4)
        head = 4 if norm.startswith("+") else 3
        return _stars(norm, head, 4)
    return entity.value
