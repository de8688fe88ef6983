"""Indicator extraction: contacts, wallets, cards, IDs, network indicators, prices.

Pure analysis, no I/O. ``extract_entities(text)`` is the entry point; ``mask(entity)``
is how victims' data is shown.
"""

from __future__ import annotations

from jianghu.analysis.entities.extract import extract_entities
from jianghu.analysis.entities.masking import mask
from jianghu.analysis.entities.model import CONTACT_TYPES, ENTITY_TYPES, WALLET_TYPES, Entity

__all__ = [
    "CONTACT_TYPES",
    "ENTITY_TYPES",
    "WALLET_TYPES",
    "Entity",
    "extract_entities",
    "mask",
]
