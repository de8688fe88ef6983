"""Versioned schema migrations: numbered SQL files per backend, applied in order."""

from __future__ import annotations

import re
from importlib import resources

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def migrations(flavour: str) -> list[tuple[int, str, str]]:
    """(version, file name, SQL) for ``flavour`` ('sqlite' or 'postgres'), in order."""
    folder = resources.files("jianghu.store").joinpath("migrations", flavour)
    out = []
    for entry in folder.iterdir():
        m = _NAME.match(entry.name)
        if m:
            out.append((int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(out)


def latest_version(flavour: str) -> int:
    found = migrations(flavour)
    return found[-1][0] if found else 0
