"""STIX 2.1 export: a selection of the store as one bundle.

What each jianghu record becomes (docs/exports-stix.md has the full table):

    channel         identity (identity_class "group")
    account         user-account SCO (account_type = platform, user_id, account_login,
                    display_name), related-to its actor
    actor           threat-actor (criminal; aliases, first/last seen) when it advertises or
                    was exposed, else identity (individual); reputation, factors, offers
                    and flags in its description, categories as labels
    message         note: original text + English gloss; refs to channel, account, actor,
                    indicators and the actors it is evidence about
    offer           the abstract of each note that is a sighting of it
    entity          indicator (wallets, domains, URLs, e-mails; phones only when revealed),
                    indicates the threat actor that gave it as its own

Every SDO, SRO and SCO carries the chosen TLP marking (stix2's predefined TLP 1.0
marking definitions, core STIX 2.1; "clear" is TLP 2.0's name for white). Victims' data is
masked in every text unless ``reveal``. Ids are UUIDv5 of stable keys, timestamps come
from the data, objects are sorted: the same selection always exports the same bundle.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from jianghu.export.stix_actors import account_objects, actor_objects, channel_objects
from jianghu.export.stix_common import NAMESPACE, Context, StixObject, load_stix2
from jianghu.export.stix_indicators import indicator_objects
from jianghu.export.stix_notes import note_objects
from jianghu.store.selection import Selection

TLP_LEVELS: tuple[str, ...] = ("clear", "green", "amber", "red")
_TLP_ALIASES = {"white": "clear"}  # TLP 1.0's name, which STIX 2.1 core uses
_STIX2_TLP = {"clear": "TLP_WHITE", "green": "TLP_GREEN", "amber": "TLP_AMBER", "red": "TLP_RED"}
# Bundle order: markings, then what notes and relationships point at, then those.
_TYPE_ORDER = (
    "marking-definition",
    "identity",
    "threat-actor",
    "user-account",
    "indicator",
    "note",
    "relationship",
)


def tlp_level(tlp: str) -> str:
    """The TLP level named by ``tlp`` (any case, ``TLP:`` prefix allowed)."""
    name = tlp.strip().lower().removeprefix("tlp:")
    name = _TLP_ALIASES.get(name, name)
    if name not in TLP_LEVELS:
        raise ValueError(f"unknown TLP level {tlp!r}: expected one of {', '.join(TLP_LEVELS)}")
    return name


def tlp_marking(tlp: str) -> StixObject:
    """The marking-definition object of a TLP level, as stix2 predefines it."""
    marking = getattr(load_stix2(), _STIX2_TLP[tlp_level(tlp)])
    loaded: StixObject = json.loads(marking.serialize())
    return loaded


def _sort_key(obj: StixObject) -> tuple[int, str]:
    return _TYPE_ORDER.index(obj["type"]), obj["id"]


def bundle_id(objects: list[StixObject]) -> str:
    """Derived from the whole content, so two different exports never share an id."""
    canonical = json.dumps(objects, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return f"bundle--{uuid.uuid5(NAMESPACE, canonical)}"


def stix_bundle(
    selection: Selection, *, tlp: str = "amber", reveal: bool = False
) -> dict[str, Any]:
    """A STIX 2.1 bundle (JSON-ready dict) of the selection."""
    marking = tlp_marking(tlp)
    ctx = Context(selection=selection, marking_ref=marking["id"], reveal=reveal)
    # Order matters: each step reads the ids the earlier ones gave out.
    objects = [marking, *channel_objects(ctx), *account_objects(ctx), *actor_objects(ctx)]
    objects += indicator_objects(ctx)
    objects += note_objects(ctx)
    # Masking can make two records one (two phone-number logins masked alike): keep one.
    unique: dict[str, StixObject] = {}
    for obj in objects:
        unique.setdefault(obj["id"], obj)
    ordered = sorted(unique.values(), key=_sort_key)
    return {"type": "bundle", "id": bundle_id(ordered), "objects": ordered}
