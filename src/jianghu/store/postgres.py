"""PostgreSQL backend: the team store (``postgresql://user@host:port/db``).

Debian's PostgreSQL has no CJK text-search parser, so the search index is built from the
project's own tokens: each message's token streams become ``tsvector`` values written
lexeme by lexeme with their positions, and queries become ``tsquery`` phrases (``<->``).
PostgreSQL's parser never sees message text, so both backends split text identically.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from jianghu.analysis.search_terms import Clause, SearchDoc
from jianghu.errors import StoreError, StoreUnavailable
from jianghu.store.base import Store
from jianghu.store.migrate import latest_version, migrations

MAX_POSITION = 16383  # PostgreSQL clamps larger positions to this
MAX_POSITIONS_PER_LEXEME = 256  # and keeps no more than this many


def _quote(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(tokens: str) -> str:
    """A tsvector literal for a space-separated token stream, positions included."""
    positions: dict[str, list[int]] = {}
    for pos, token in enumerate(tokens.split(), start=1):
        found = positions.setdefault(token, [])
        if len(found) < MAX_POSITIONS_PER_LEXEME:
            found.append(min(pos, MAX_POSITION))
    return " ".join(f"{_quote(t)}:{','.join(map(str, p))}" for t, p in positions.items())


def tsquery_literal(clause: Clause) -> str:
    """A tsquery phrase: every token in order, at consecutive positions."""
    return " <-> ".join(_quote(t) for t in clause.tokens)


def _connect(url: str) -> Any:
    try:
        import psycopg
    except ImportError as exc:
        raise StoreUnavailable(
            "the PostgreSQL store needs psycopg: pip install 'jianghu[postgres]'"
        ) from exc
    try:
        return psycopg.connect(url, autocommit=True)
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreUnavailable(f"cannot connect to PostgreSQL at {_redact(url)}: {first}") from exc


def _redact(url: str) -> str:
    """Never print a password from a connection URL."""
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}@{host}" if user else f"{scheme}://{host}"


class PostgresStore(Store):
    placeholder = "%s"
    search_columns = ("search_uni", "search_bi")

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self._conn = _connect(url)
        self._tx_depth = 0

    def close(self) -> None:
        self._conn.close()

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._conn.execute(sql, params)

    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self._conn.cursor() as cur:
            cur.executemany(sql, rows)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._conn.transaction():
            yield

    def _next_message_ids(self, n: int) -> list[int]:
        rows = self._conn.execute(
            "SELECT nextval(pg_get_serial_sequence('messages', 'id')) FROM generate_series(1, %s)",
            (n,),
        ).fetchall()
        return [int(r[0]) for r in rows]

    def _ts(self, value: datetime | None) -> Any:
        return None if value is None else value.astimezone(UTC)

    def _read_ts(self, value: Any) -> datetime:
        if isinstance(value, str):
            return datetime.fromisoformat(value)
        return value.astimezone(UTC)  # type: ignore[no-any-return]

    def _search_values(self, doc: SearchDoc) -> list[Any]:
        return [tsvector_literal(doc.uni), tsvector_literal(doc.bi)]

    def _index_new(self, rows: Sequence[tuple[int, SearchDoc]]) -> None:
        pass  # the tsvector columns were written with the rows themselves

    def _reindex(self, message_id: int, old: SearchDoc, new: SearchDoc) -> None:
        self._conn.execute(
            "UPDATE messages SET search_uni = %s::tsvector, search_bi = %s::tsvector WHERE id = %s",
            (*self._search_values(new), message_id),
        )

    def _upsert_names(self, rows: Sequence[tuple[int, str, Any, Any]]) -> None:
        self._executemany(
            "INSERT INTO author_names (author_id, name, first_seen, last_seen) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (author_id, name) DO UPDATE SET "
            "first_seen = LEAST(author_names.first_seen, excluded.first_seen), "
            "last_seen = GREATEST(author_names.last_seen, excluded.last_seen)",
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
        conds, ranks, qparams = [], [], []
        for clause in clauses:
            column = "m.search_uni" if clause.column == "uni" else "m.search_bi"
            conds.append(f"{column} @@ %s::tsquery")
            ranks.append(f"ts_rank({column}, %s::tsquery)")
            qparams.append(tsquery_literal(clause))
        sql = (
            f"SELECT m.id, ({' + '.join(ranks)}) AS score FROM messages m "
            f"WHERE {' AND '.join(conds)} AND {self._q(where)} "
            "ORDER BY score DESC, m.posted_at DESC LIMIT %s"
        )
        rows = self._conn.execute(sql, [*qparams, *qparams, *params, limit]).fetchall()
        return [(int(i), float(score)) for i, score in rows]

    def migrate(self) -> int:
        newest = latest_version("postgres")
        with self._conn.transaction():
            # One migrator at a time, whoever else is connected.
            self._conn.execute("SELECT pg_advisory_xact_lock(7341020)")
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"
            )
            current = int(
                self._conn.execute(
                    "SELECT coalesce(max(version), 0) FROM schema_version"
                ).fetchone()[0]
            )
            if current > newest:
                raise StoreError(
                    f"store has schema version {current}, newer than this jianghu ({newest}); "
                    "upgrade jianghu"
                )
            for version, _name, sql in migrations("postgres"):
                if version > current:
                    self._conn.execute(sql)
                    self._conn.execute(
                        "INSERT INTO schema_version (version) VALUES (%s)", (version,)
                    )
        return newest
