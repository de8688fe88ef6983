"""Victims' data is shown masked on every face unless an analyst reveals it.

Card numbers, Chinese ID numbers and phone numbers are stored as found; here their spans
in a message's text are replaced by the masked form before the text is shown, and any
reveal is written to the store's ``reveal_log``.
"""

from __future__ import annotations

from collections.abc import Iterable

from jianghu.analysis.entities import Entity, extract_entities, mask
from jianghu.analysis.entities.masking import MASKED_TYPES

_SHOWN_ATTRS = frozenset({"scheme", "bin", "country", "region", "province", "platform"})


def mask_text(text: str, entities: Iterable[Entity]) -> str:
    """``text`` with the spans of victims' data replaced by their masked form."""
    sensitive = sorted(
        (e for e in entities if e.type in MASKED_TYPES and 0 <= e.start < e.end <= len(text)),
        key=lambda e: e.start,
    )
    if not sensitive:
        return text
    out: list[str] = []
    pos = 0
    for e in sensitive:
        if e.start < pos:  # overlapping spans: the first one masked already covers it
            continue
        out.append(text[pos : e.start])
        out.append(mask(e))
        pos = e.end
    out.append(text[pos:])
    return "".join(out)


def mask_found(text: str) -> str:
    """``text`` masked by what the extractor finds in it (for text whose indicators are
    not stored, such as a rule's matched span)."""
    return mask_text(text, extract_entities(text))


def mask_entity(entity: Entity) -> Entity:
    """The entity as shown: value and normalized form masked when it is victims' data."""
    if entity.type not in MASKED_TYPES:
        return entity
    shown = mask(entity)
    # Attributes that identify no one (birth dates and 8-digit BINs would) stay visible.
    attrs = {k: v for k, v in entity.attrs.items() if k in _SHOWN_ATTRS}
    return Entity(entity.type, shown, shown, entity.start, entity.end, entity.valid, attrs)


def entity_key(spec: str) -> tuple[str, str]:
    """``TYPE:VALUE`` from the command line, the value normalised the way the extractor
    normalises it (so ``@Card_King`` finds ``card_king``)."""
    entity_type, sep, value = spec.partition(":")
    if not sep or not value:
        raise ValueError(f"--entity {spec!r}: expected TYPE:VALUE, e.g. tron_address:T…")
    for found in extract_entities(value, include_invalid=True):
        if found.type == entity_type:
            return entity_type, found.normalized
    return entity_type, value.strip()
