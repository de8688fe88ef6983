"""SQLite backend: the embedded default (``sqlite:///path``, default ``./jianghu.db``)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jianghu.analysis.search_terms import Clause, SearchDoc
from jianghu.errors import StoreError
from jianghu.store.base import Store
from jianghu.store.migrate import latest_version, migrations


def fts_query(clauses: Sequence[Clause]) -> str:
    """An FTS5 MATCH expression: every clause a phrase in its column, all required.

    Tokens hold only letters and digits (search_terms guarantees it); quotes are doubled
    all the same so no query can ever change the expression's structure.
    """
    parts = []
    for clause in clauses:
        phrase = " ".join(clause.tokens).replace('"', '""')
        parts.append(f'{clause.column} : "{phrase}"')
    return " AND ".join(parts)


# Above this many matches a query is listed newest first instead of ranked (see
# ``SQLiteStore._search_ids``).
RANK_AT_MOST = 10_000


class SQLiteStore(Store):
    def __init__(self, path: Path, url: str) -> None:
        super().__init__()
        self.url = url
        self.path = path
        try:
            # Autocommit mode: transactions are explicit (BEGIN IMMEDIATE ... COMMIT).
            self._conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = NORMAL")
            # Ingest writes batches of a few MB: with SQLite's default checkpoint every
            # 4 MB of WAL nearly every commit also checkpointed. The WAL now grows to
            # about 160 MB between checkpoints and is folded back when the store is
            # closed. (A 16 MiB page cache as well wrote batches faster, but took the
            # ingest of 1,000,000 messages over its 500 MB budget: BENCHMARKS.md.)
            self._conn.execute("PRAGMA wal_autocheckpoint = 40000")  # pages of 4 KiB
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._conn.execute("PRAGMA busy_timeout = 10000")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open SQLite store {path}: {exc}") from exc
        self._in_tx = False

    def close(self) -> None:
        self._conn.close()

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._conn.execute(sql, params)

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self._conn.executemany(sql, rows)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        if self._in_tx:
            yield
            return
        self._conn.execute("BEGIN IMMEDIATE")
        self._in_tx = True
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        else:
            self._conn.execute("COMMIT")
        finally:
            self._in_tx = False

    def _next_message_ids(self, n: int) -> list[int]:
        start = int(self._conn.execute("SELECT coalesce(max(id), 0) FROM messages").fetchone()[0])
        return list(range(start + 1, start + n + 1))

    def _ts(self, value: datetime | None) -> Any:
        # One fixed-width format, so that text comparison is time comparison.
        return None if value is None else value.astimezone(UTC).isoformat(timespec="microseconds")

    def _read_ts(self, value: Any) -> datetime:
        return datetime.fromisoformat(value)

    def _index_new(self, rows: Sequence[tuple[int, SearchDoc]]) -> None:
        self._conn.executemany(
            "INSERT INTO message_search (rowid, uni, bi) VALUES (?, ?, ?)",
            [(i, d.uni, d.bi) for i, d in rows],
        )

    def _categories_replaced(self, rows: Sequence[tuple[int, Sequence[str]]]) -> None:
        pass  # SQLite filters by category through a join: nothing else holds them

    def _reindex(
        self, message_id: int, old: SearchDoc, new: SearchDoc, categories: Sequence[str]
    ) -> None:
        # Categories are not indexed here: SQLite filters by them through a join.
        # A contentless FTS5 table forgets a row when told the exact tokens it indexed;
        # the tokenizer is deterministic, so the old text gives them back.
        if old.uni or old.bi:
            self._conn.execute(
                "INSERT INTO message_search (message_search, rowid, uni, bi) "
                "VALUES ('delete', ?, ?, ?)",
                (message_id, old.uni, old.bi),
            )
        self._index_new([(message_id, new)])

    def _upsert_names(self, rows: Sequence[tuple[int, str, Any, Any]]) -> None:
        self._conn.executemany(
            "INSERT INTO author_names (author_id, name, first_seen, last_seen) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (author_id, name) DO UPDATE SET "
            "first_seen = min(first_seen, excluded.first_seen), "
            "last_seen = max(last_seen, excluded.last_seen)",
            rows,
        )

    def _search_ids(
        self,
        clauses: Sequence[Clause],
        where: str,
        params: list[Any],
        limit: int,
        category: str | None = None,  # also in ``where``; a backend may plan by it
    ) -> list[tuple[int, float]]:
        query = fts_query(clauses)
        (matches,) = self._conn.execute(
            "SELECT count(*) FROM message_search WHERE message_search MATCH ?", [query]
        ).fetchone()
        if matches > RANK_AT_MOST:
            # Ranking every match of a common term (料 is in one message of six) takes
            # bm25 over them all: half a second at a million messages. Such a query lists
            # the most recently stored matches instead, read in index order and stopped at
            # the limit.
            rows = self._newest_matches(query, where, params, limit, category)
            return [(int(i), 0.0) for (i,) in rows]
        rows = self._conn.execute(
            "SELECT m.id, bm25(message_search) AS rank FROM message_search "
            "JOIN messages m ON m.id = message_search.rowid "
            f"WHERE message_search MATCH ? AND {where} ORDER BY rank, m.posted_at DESC LIMIT ?",
            [query, *params, limit],
        ).fetchall()
        return [(int(i), -float(rank)) for i, rank in rows]

    def _newest_matches(
        self, query: str, where: str, params: list[Any], limit: int, category: str | None
    ) -> list[Any]:
        if category is None:
            return self._conn.execute(
                "SELECT m.id FROM message_search JOIN messages m ON m.id = message_search.rowid "
                f"WHERE message_search MATCH ? AND {where} "
                "ORDER BY message_search.rowid DESC LIMIT ?",
                [query, *params, limit],
            ).fetchall()
        # A common term within one category (料 in drugs messages): walking every match
        # newest first may read all 150,000 of them to find none; walking the category's
        # index newest first and looking each id up in the set of matches does not.
        # Same rows, same order (message ids are the index's rowids).
        return self._conn.execute(
            "SELECT m.id FROM message_categories c JOIN messages m ON m.id = c.message_id "
            "WHERE c.category = ? AND c.message_id IN "
            f"(SELECT rowid FROM message_search WHERE message_search MATCH ?) AND {where} "
            "ORDER BY c.message_id DESC LIMIT ?",
            [category, query, *params, limit],
        ).fetchall()

    def schema_version(self) -> int:
        try:
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"
            )
            row = self._conn.execute("SELECT max(version) FROM schema_version").fetchone()
            return int(row[0] or 0)
        except sqlite3.Error as exc:  # not a database, or not one that can be written
            raise StoreError(f"cannot use {self.path} as a SQLite store: {exc}") from exc
        except (TypeError, ValueError) as exc:
            raise StoreError(
                f"{self.path}: not a jianghu store (schema_version holds {row[0]!r})"
            ) from exc

    def migrate(self) -> int:
        current = self.schema_version()
        newest = latest_version("sqlite")
        if current > newest:
            raise StoreError(
                f"store {self.path} has schema version {current}, newer than this jianghu "
                f"({newest}); upgrade jianghu"
            )
        for version, name, sql in migrations("sqlite"):
            if version <= current:
                continue
            try:
                self._conn.executescript(
                    f"BEGIN IMMEDIATE;\n{sql}\n"
                    f"INSERT INTO schema_version (version) VALUES ({version});\nCOMMIT;"
                )
            except sqlite3.Error as exc:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise StoreError(f"migration {name} failed on {self.path}: {exc}") from exc
        return newest
