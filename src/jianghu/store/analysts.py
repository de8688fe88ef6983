"""Analysts of the web workspace and the audit log of what they did.

A token is 32 random bytes shown once when the analyst is added; the store keeps only
its sha256, so a copy of the store gives nobody a way in.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from jianghu.errors import ConfigError
from jianghu.store.base import Store

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_analyst(store: Store, name: str) -> str:
    """Add an analyst and return their token (the only time it is seen)."""
    if not NAME.match(name):
        raise ConfigError(f"analyst name {name!r}: expected 1-64 letters, digits, '.', '_' or '-'")
    if store._all("SELECT id FROM analysts WHERE name = ?", (name,)):
        raise ConfigError(f"analyst {name!r} exists already")
    token = secrets.token_urlsafe(32)
    with store._transaction():
        store._execute(
            store._q("INSERT INTO analysts (name, token_sha256, created_at) VALUES (?, ?, ?)"),
            (name, _digest(token), store._ts(datetime.now(UTC))),
        )
    audit(store, "cli", "analyst added", name)
    return token


def analyst_of(store: Store, token: str) -> str | None:
    """The name of the analyst holding ``token``, if any (compared by digest)."""
    if not token:
        return None
    rows = store._all(
        "SELECT name FROM analysts WHERE token_sha256 = ? AND NOT disabled", (_digest(token),)
    )
    return str(rows[0][0]) if rows else None


def has_analysts(store: Store) -> bool:
    return bool(store._all("SELECT id FROM analysts WHERE NOT disabled LIMIT 1"))


def analyst_names(store: Store) -> list[str]:
    return [str(r[0]) for r in store._all("SELECT name FROM analysts ORDER BY name")]


def audit(store: Store, who: str, action: str, detail: str) -> None:
    """Write one line to the audit log: who did what, and when."""
    with store._transaction():
        store._execute(
            store._q("INSERT INTO audit_log (at, who, action, detail) VALUES (?, ?, ?, ?)"),
            (store._ts(datetime.now(UTC)), who, action, detail),
        )


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    who: str
    action: str
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at.isoformat(), "who": self.who,
                "action": self.action, "detail": self.detail}  # fmt: skip


def audit_entries(store: Store, limit: int = 100, offset: int = 0) -> list[AuditEntry]:
    rows = store._all(
        "SELECT id, at, who, action, detail FROM audit_log ORDER BY id DESC LIMIT ? OFFSET ?",
        (limit, offset),
    )
    return [AuditEntry(int(r[0]), store._read_ts(r[1]), r[2], r[3], r[4]) for r in rows]
