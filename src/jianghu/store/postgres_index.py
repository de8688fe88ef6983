"""Which index answers full-text search on PostgreSQL: GIN (built in) or RUM (extension).

GIN stores no positions, so every phrase (each Chinese term of three characters or more
is a phrase of bigrams, each handle a phrase of words) is rechecked against the row, and
ranking reads every match's ``tsvector`` from the table: at 1,000,000 messages a
boilerplate phrase in 50,000 of them took 0.7 s to rank. RUM (the ``rum`` extension,
Debian package ``postgresql-15-rum``, offered by several managed services) keeps
positions in the index: phrases are checked and matches ranked (``<=>``) without reading
the table. It costs about 2.2 times GIN's disk and slower inserts (BENCHMARKS.md).

The index keeps its name whichever method builds it, so nothing else in the schema or
the migrations depends on the choice; the store asks the catalogue which one it has.
"""

from __future__ import annotations

from typing import Any

from jianghu.errors import StoreError

SEARCH_INDEXES = {"search_uni": "messages_search_uni", "search_bi": "messages_search_bi"}
METHODS = ("gin", "rum")


def index_method(conn: Any) -> str:
    """``rum`` when the bigram search index is a RUM index, else ``gin``."""
    row = conn.execute(
        "SELECT am.amname FROM pg_class c JOIN pg_am am ON am.oid = c.relam "
        "WHERE c.oid = to_regclass(%s)",
        (SEARCH_INDEXES["search_bi"],),
    ).fetchone()
    return "rum" if row and row[0] == "rum" else "gin"


def rum_schema(conn: Any) -> str | None:
    """The schema the rum extension's operators live in, or None when not installed."""
    row = conn.execute(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'rum'"
    ).fetchone()
    return str(row[0]) if row else None


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def distance_operator(schema: str) -> str:
    """RUM's rank distance operator, qualified: a store's search_path may not hold the
    extension's schema (each test store is a schema of its own)."""
    return f"OPERATOR({quote_ident(schema)}.<=>)"


def index_definitions(conn: Any, method: str) -> dict[str, str]:
    """``CREATE INDEX`` statements for both search indexes with ``method``."""
    if method == "gin":
        return {
            name: f"CREATE INDEX {name} ON messages USING gin ({column})"
            for column, name in SEARCH_INDEXES.items()
        }
    schema = rum_schema(conn)
    if schema is None:
        raise StoreError("the rum extension is not created in this database")
    return {
        name: f"CREATE INDEX {name} ON messages USING rum "
        f"({column} {quote_ident(schema)}.rum_tsvector_ops)"
        for column, name in SEARCH_INDEXES.items()
    }


def create_rum_extension(conn: Any) -> None:
    """Create the rum extension (in ``public``, which every store's search path may not
    hold but every database has) unless it exists; one clear line when it cannot be."""
    import psycopg

    if rum_schema(conn) is not None:
        return
    available = conn.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'").fetchone()
    if not available:
        raise StoreError(
            "the rum extension is not installed on this PostgreSQL server "
            "(Debian: apt install postgresql-15-rum); search keeps its GIN indexes"
        )
    try:
        with conn.transaction():
            conn.execute("CREATE EXTENSION IF NOT EXISTS rum SCHEMA public")
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreError(f"cannot create the rum extension: {first}") from exc


def switch_search_indexes(conn: Any, method: str, work_mem_mb: int = 1024) -> None:
    """Rebuild both search indexes with ``method`` (``gin`` or ``rum``), in one
    transaction: a failure leaves the old indexes in place."""
    if method not in METHODS:
        raise StoreError(f"search index method {method!r}: expected one of {', '.join(METHODS)}")
    if method == "rum":
        create_rum_extension(conn)
    statements = index_definitions(conn, method)
    with conn.transaction():
        conn.execute(f"SET LOCAL maintenance_work_mem = '{int(work_mem_mb)}MB'")
        for name, create in statements.items():
            conn.execute(f"DROP INDEX IF EXISTS {name}")
            conn.execute(create)
