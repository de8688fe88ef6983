"""``jianghu bench search``: PostgreSQL search latency and index size at growing sizes,
extrapolated to 100,000,000 messages (``jianghu.bench_pgsearch``)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from jianghu.bench_pgsearch import DEFAULT_ADMIN_URL
from jianghu.errors import ConfigError
from jianghu.faces.cli_common import JsonOption, err, handles_errors, out, print_json


def parse_sizes(value: str) -> list[int]:
    """``200000,1000000`` → [200000, 1000000]; each at least 1000."""
    try:
        sizes = [int(part.replace("_", "")) for part in value.split(",") if part.strip()]
    except ValueError:
        raise ConfigError(f"--sizes {value!r}: expected counts like 200000,1000000") from None
    if not sizes or min(sizes) < 1000:
        raise ConfigError(f"--sizes {value!r}: give message counts of at least 1000")
    return sizes


def _mib(n: float) -> str:
    return f"{n / 2**20:,.0f}"


def _gib(n: float) -> str:
    return f"{n / 2**30:,.0f} GiB"


def _table(title: str | None, columns: tuple[str, ...]) -> Table:
    table = Table(title=title, header_style="bold")
    for name in columns:
        table.add_column(name, justify="right")
    return table


def _print(result: dict[str, Any]) -> None:
    table = _table(None, ("messages", "p50 ms", "p95 ms", "max ms", "SQLite p95 ms",
                          "uni GIN MiB", "bi GIN MiB", "messages MiB", "database MiB",
                          "load 1/5/15"))  # fmt: skip
    for row in result["sizes"]:
        size = row["bytes"]
        base = row.get("sqlite_baseline", {}).get("p95_ms", "-")
        table.add_row(
            f"{row['messages']:,}", str(row["p50_ms"]), str(row["p95_ms"]), str(row["max_ms"]),
            str(base), _mib(size["messages_search_uni"]), _mib(size["messages_search_bi"]),
            _mib(size["messages"] + size["messages_toast"]), _mib(size["database"]),
            " ".join(map(str, row["loadavg_after"])),
        )  # fmt: skip
    out.print(table)
    _print_growth(result)
    _print_rum(result)


def _print_rum(result: dict[str, Any]) -> None:
    rum = result["rum"]
    if not rum["measured"]:
        out.print(Text(f"RUM not measured: {rum['why']}", style="dim"))
        return
    table = _table("the same stores with RUM search indexes",
                   ("messages", "p50 ms", "p95 ms", "max ms", "GIN p95 ms", "build s",
                    "uni RUM MiB", "bi RUM MiB", "inserts/s RUM", "inserts/s GIN"))  # fmt: skip
    for row in result["sizes"]:
        r = row["rum"]
        table.add_row(
            f"{row['messages']:,}", str(r["p50_ms"]), str(r["p95_ms"]), str(r["max_ms"]),
            str(row["p95_ms"]), str(r["build_seconds"]), _mib(r["bytes"]["messages_search_uni"]),
            _mib(r["bytes"]["messages_search_bi"]), f"{r['insert']['messages_per_second']:,}",
            f"{row['gin_insert']['messages_per_second']:,}",
        )  # fmt: skip
    out.print(table)
    _print_growth(rum)


def _print_growth(result: dict[str, Any]) -> None:
    at = result.get("extrapolated")
    if not at:
        out.print("(one size only: no growth curve fitted)")
        return
    fit = result["fit"]
    out.print(
        Text(
            f"at {at['messages']:,} messages: search indexes {_gib(at['search_indexes_bytes'])}, "
            f"database {_gib(at['database_bytes'])}, RAM for the hot indexes "
            f"{_gib(at['ram_for_hot_indexes_bytes'])}, disk {_gib(at['disk_bytes'])}; "
            f"p95 {at['p95_ms']} ms (p95 ∝ N^{fit['p95_ms']['exponent']:.2f})"
        )
    )
    for assumption in result["assumptions"]:
        out.print(Text(f"  assuming {assumption}", style="dim"))


@handles_errors
def bench_search(
    db: Annotated[
        str,
        typer.Option(
            "--db",
            help="PostgreSQL URL of a database to connect to for CREATE/DROP DATABASE "
            "(a password belongs in ~/.pgpass, not here).",
        ),
    ] = DEFAULT_ADMIN_URL,
    sizes: Annotated[
        str, typer.Option(help="Demo messages per measured size, comma-separated.")
    ] = "200000,1000000,2000000",
    keep: Annotated[
        bool, typer.Option("--keep", help="Keep the jianghu_bench_N databases afterwards.")
    ] = False,
    sqlite_baseline: Annotated[
        bool,
        typer.Option(help="Also time the same mix on a SQLite store of the same export."),
    ] = True,
    passes: Annotated[int, typer.Option(min=1, help="Timed passes over the mix.")] = 3,
    rum: Annotated[
        bool,
        typer.Option(
            help="Also measure each store with RUM search indexes (the rum extension), "
            "and what each index costs inserts."
        ),
    ] = True,
    json: JsonOption = False,
) -> None:
    """PostgreSQL search at growing sizes: for each size a fresh database of demo messages,
    p50/p95 over the fixed mix of 100 queries of 'bench serve', index and database sizes,
    then both extrapolated to 100,000,000 messages; the same with RUM search indexes when
    the server has the extension. Checks free disk before each size."""
    from jianghu.bench_pgsearch import run_pgsearch_bench

    result = run_pgsearch_bench(
        db,
        parse_sizes(sizes),
        keep,
        lambda s: err.print(Text(s, style="dim")),
        passes=passes,
        sqlite_baseline=sqlite_baseline,
        rum=rum,
    )
    if json:
        print_json(result)
    else:
        _print(result)
