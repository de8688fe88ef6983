"""What every part of the STIX export shares: content-derived ids, timestamps, the common
properties of an SDO or SRO, pattern literals and the masking switch.

Ids are ``type--UUIDv5(NAMESPACE, stable key)``: the same record exports under the same id
every time, from any store it was ingested into. The namespace is jianghu's own; the STIX
specification forbids producers from deriving SDO ids in the namespace it reserves for
cyber-observable ids (``00abedb4-…``), which stix2 uses for the user-account SCOs.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from jianghu.errors import ConfigError
from jianghu.faces.masking import mask_found
from jianghu.store.selection import Selection

INSTALL_HINT = "the STIX export needs stix2: pip install 'jianghu[export]'"
# uuid5(NAMESPACE_URL, "https://jianghu.invalid/stix"), fixed here so that it never moves.
NAMESPACE = uuid.UUID("f9e06f93-9000-57a1-aeb0-a9e08ebcd95a")

StixObject = dict[str, Any]


def load_stix2() -> Any:
    """The stix2 package, imported when an export runs (it is the ``export`` extra)."""
    try:
        import stix2  # type: ignore[import-untyped]
    except ImportError as exc:
        raise ConfigError(INSTALL_HINT) from exc
    return stix2


def stix_id(kind: str, *key: object) -> str:
    """``kind--UUIDv5`` of a stable key; parts are joined with a separator no key part
    of ours contains unescaped (reprs quote it)."""
    name = "\x1f".join([kind, *(repr(k) for k in key)])
    return f"{kind}--{uuid.uuid5(NAMESPACE, name)}"


def timestamp(at: datetime) -> str:
    """A STIX timestamp in UTC with millisecond precision (required for created and
    modified)."""
    if at.tzinfo is None:  # the stores hand back UTC; a naive value is UTC too
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def pattern_literal(value: str) -> str:
    """``value`` as a quoted string of a STIX pattern: backslash and quote escaped, so a
    crafted URL cannot end the literal and add a comparison of its own."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


@dataclass
class Context:
    """The selection being exported and the ids already given to its records."""

    selection: Selection
    marking_ref: str
    reveal: bool
    channels: dict[int, str] = field(default_factory=dict)  # channel id -> STIX id
    accounts: dict[int, str] = field(default_factory=dict)  # account id -> user-account id
    actors: dict[int, str] = field(default_factory=dict)  # actor id -> threat-actor/identity
    indicators: dict[int, list[str]] = field(default_factory=dict)  # message id -> ids

    def shown(self, text: str) -> str:
        """``text`` as exported: victims' data (cards, ID and phone numbers) masked unless
        the analyst revealed it. Names and flags are written by criminals and may hold
        a phone number as easily as a message does."""
        return text if self.reveal else mask_found(text)

    def sdo(self, kind: str, sid: str, created: datetime, modified: datetime) -> StixObject:
        """The common properties of an SDO or SRO, marked with the chosen TLP."""
        return {
            "type": kind,
            "spec_version": "2.1",
            "id": sid,
            "created": timestamp(created),
            "modified": timestamp(max(created, modified)),
            "object_marking_refs": [self.marking_ref],
        }

    def relationship(
        self,
        kind: str,
        source: str,
        target: str,
        span: tuple[datetime, datetime],
        description: str,
    ) -> StixObject:
        sid = stix_id("relationship", kind, source, target)
        rel = self.sdo("relationship", sid, span[0], span[1])
        rel.update(
            relationship_type=kind, source_ref=source, target_ref=target, description=description
        )
        return rel
