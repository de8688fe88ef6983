"""Storage: one interface (:class:`~jianghu.store.base.Store`), two backends."""

from __future__ import annotations

from pathlib import Path

from jianghu.errors import ConfigError
from jianghu.store.base import Store

DEFAULT_URL = "sqlite:///jianghu.db"


def open_store(url: str = DEFAULT_URL, migrate: bool = True) -> Store:
    """Open ``sqlite:///path`` (or a plain path) or ``postgresql://…`` and migrate it."""
    store: Store
    if url.startswith(("postgresql://", "postgres://")):
        from jianghu.store.postgres import PostgresStore

        store = PostgresStore(url)
    elif url.startswith("sqlite:///") or "://" not in url:
        from jianghu.store.sqlite import SQLiteStore

        path = Path(url[len("sqlite:///") :] if url.startswith("sqlite:///") else url)
        if url.startswith("sqlite:///") and "?" in url:
            # SQLite URI options (?mode=ro) are not read here: the file would be created
            # under a name ending in "?mode=ro" instead.
            raise ConfigError(f"--db {url}: expected sqlite:///path, without ?options")
        if not path.parent.exists():
            raise ConfigError(f"--db {url}: folder {path.parent} does not exist")
        store = SQLiteStore(path, url)
    else:
        raise ConfigError(f"--db {url}: expected sqlite:///path or postgresql://user@host/db")
    if migrate:
        try:
            store.migrate()
        except BaseException:
            store.close()
            raise
    return store


__all__ = ["DEFAULT_URL", "Store", "open_store"]
