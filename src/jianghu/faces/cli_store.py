"""``jianghu store``: administration of the store itself."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.text import Text

from jianghu.errors import ConfigError
from jianghu.faces.cli_common import DbOption, JsonOption, err, handles_errors, out, print_json
from jianghu.settings import resolve_db_url

store_app = typer.Typer(help="Administer the store (PostgreSQL search indexes).")


@store_app.command("search-index")
@handles_errors
def search_index(
    method: Annotated[
        str | None,
        typer.Argument(help="gin (built in) or rum (the rum extension); omit to show."),
    ] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show or change which index answers full-text search on a PostgreSQL store. RUM
    keeps positions in the index, so phrases and ranking need no table reads (faster
    search at scale, larger index, slower inserts: see docs/deploy.md). Rebuilding takes
    minutes at millions of messages and locks writers out meanwhile."""
    from jianghu.store import open_store
    from jianghu.store.postgres import PostgresStore
    from jianghu.store.postgres_index import METHODS, index_method, switch_search_indexes

    if method is not None and method not in METHODS:
        raise ConfigError(f"search index {method!r}: expected one of {', '.join(METHODS)}")
    with open_store(resolve_db_url(db)) as store:
        if not isinstance(store, PostgresStore):
            raise ConfigError(
                "only a PostgreSQL store has a choice of search index (SQLite uses FTS5)"
            )
        before = index_method(store._conn)
        seconds = 0.0
        if method is not None and method != before:
            err.print(Text(f"rebuilding the search indexes with {method} …"))
            start = time.perf_counter()
            switch_search_indexes(store._conn, method)
            seconds = time.perf_counter() - start
        now = index_method(store._conn)
    if as_json:
        print_json({"before": before, "method": now, "seconds": round(seconds, 1)})
        return
    if method is None or method == before:
        out.print(Text(f"search index: {now}"))
    else:
        out.print(Text(f"search index: {before} → {now} in {seconds:.1f} s"))
