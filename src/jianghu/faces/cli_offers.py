"""``jianghu offers``: reposted ads grouped into offers, listed, filtered and shown."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from jianghu.errors import QueryError
from jianghu.faces.cli_common import (
    DbOption,
    JsonOption,
    check_choice,
    err,
    handles_errors,
    out,
    parse_when,
    print_json,
)
from jianghu.faces.safe_text import terminal_safe
from jianghu.settings import resolve_db_url

# The engine options of the build commands (offers build, actors build).
EngineOption = Annotated[
    str,
    typer.Option(
        help="local: this process; dask: a Dask cluster's workers read the store "
        "(a PostgreSQL one) and do the per-message work."
    ),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(help="Dask scheduler address (tcp://host:8786); without it a local cluster."),
]
WorkersOption = Annotated[
    int,
    typer.Option(
        "--workers", "--cluster-workers", min=1, help="Worker processes of a local cluster."
    ),
]

offers_app = typer.Typer(
    help="Offers: the same ad reposted across channels, as one record with its sightings.",
    invoke_without_command=True,
)


def offer_json(o: Any) -> dict[str, Any]:
    return {**o.summary_json(), **o.details}


@offers_app.callback()
@handles_errors
def offers(
    ctx: typer.Context,
    db: DbOption = None,
    json: JsonOption = False,
    category: Annotated[str | None, typer.Option(help="Only offers of this category.")] = None,
    intent: Annotated[str | None, typer.Option(help="sell, buy or recruit.")] = None,
    region: Annotated[str | None, typer.Option(help="Targeted region code: US, JP, TW …")] = None,
    min_price: Annotated[
        float | None, typer.Option(help="Lowest typical price, US dollars (per unit if known).")
    ] = None,
    max_price: Annotated[float | None, typer.Option(help="Highest typical price, USD.")] = None,
    since: Annotated[str | None, typer.Option(help="Seen at or after (ISO date, UTC).")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000, help="Most offers to show.")] = 30,
) -> None:
    """List offers, most reposted first (run 'jianghu offers build' after ingesting);
    'jianghu offers show ID' gives one offer's summary, sightings and prices."""
    if ctx.invoked_subcommand is not None:
        return
    from jianghu.analysis.classify.linear import INTENTS
    from jianghu.analysis.lexicon import CATEGORIES
    from jianghu.store import open_store
    from jianghu.store.offers import OfferFilters, list_offers

    check_choice("--category", category, CATEGORIES)
    check_choice("--intent", intent, tuple(i for i in INTENTS if i != "other"))
    when = parse_when(since, "--since")
    filters = OfferFilters(category, intent, region, min_price, max_price, when, limit)
    with open_store(resolve_db_url(db)) as store:
        found = list_offers(store, filters)
    if json:
        print_json([offer_json(o) for o in found])
        return
    if not found:
        out.print("no offers match (built yet? run 'jianghu offers build')")
        return
    table = Table(header_style="bold")
    for name in ("id", "seen", "chats", "offer", "item", "regions", "USD", "last seen"):
        right = name in ("id", "seen", "chats", "USD")
        table.add_column(name, overflow="fold", justify="right" if right else "left")
    for o in found:
        price = "-" if o.price_usd is None else f"{o.price_usd:,.2f}"
        if o.price_usd is not None and o.price_unit:
            price += f"/{o.price_unit}"
        table.add_row(
            str(o.id), str(o.sightings), str(o.channels),
            f"{o.intent} {' '.join(o.categories)}", o.item, " ".join(o.regions) or "-",
            price, o.last_seen.strftime("%Y-%m-%d"),
        )  # fmt: skip
    out.print(table)


@offers_app.command("build")
@handles_errors
def build(
    db: DbOption = None,
    json: JsonOption = False,
    rates: Annotated[
        Path | None, typer.Option(help="Your own rate table (TOML, as intel/data/rates.toml).")
    ] = None,
    engine: EngineOption = "local",
    scheduler: SchedulerOption = None,
    workers: WorkersOption = 2,
) -> None:
    """Group the stored offer messages into offers (replaces the offer table)."""
    from jianghu.intel.offer_fields import load_rates
    from jianghu.intel.offers import build_offers
    from jianghu.scale.cluster import check_engine
    from jianghu.store import open_store

    url = resolve_db_url(db)
    check_engine(engine, url)
    table = load_rates(rates)
    with err.status("building offers") as status:
        if engine == "dask":
            from jianghu.scale.cluster import dask_client
            from jianghu.scale.offers_dask import build_offers_dask

            with dask_client(scheduler, workers) as client:
                report = build_offers_dask(client, url, table, step=lambda s: status.update(s))
        else:
            with open_store(url) as store:
                report = build_offers(store, table, step=lambda s: status.update(s))
    if json:
        print_json(report.to_json())
        return
    out.print(
        f"{report.offers} offers from {report.candidates} offer messages "
        f"({report.reposted} reposted); prices in USD at rates of {report.rates_date}"
    )


@offers_app.command("show")
@handles_errors
def show(
    offer_id: Annotated[int, typer.Argument(help="Offer id, as listed.")],
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """One offer: its fields, every sighting, and its prices over time."""
    from jianghu.store import open_store
    from jianghu.store.offers import get_offer, offer_sightings

    with open_store(resolve_db_url(db)) as store:
        o = get_offer(store, offer_id)
        if o is None:
            raise QueryError(f"no offer {offer_id}")
        seen = offer_sightings(store, offer_id)
    if json:
        print_json({**offer_json(o), "sightings_list": [
            {"message_id": m, "channel": c, "author": a, "posted_at": t.isoformat()}
            for m, c, a, t in seen]})  # fmt: skip
        return
    out.print(Text(terminal_safe(f"offer {o.id}: {o.summary}"), style="bold"))
    table = Table(title="sightings", header_style="bold")
    for name in ("date", "channel", "author", "message id"):
        table.add_column(name)
    for m, c, a, t in seen:
        table.add_row(t.strftime("%Y-%m-%d %H:%M"), Text(terminal_safe(c, keep_newlines=False)),
                      Text(terminal_safe(a or "?", keep_newlines=False)), str(m))  # fmt: skip
    out.print(table)
    prices = o.details.get("prices", [])
    if prices:
        ptable = Table(title="prices", header_style="bold")
        for name in ("date", "as written", "USD"):
            ptable.add_column(name)
        for p in prices:
            unit = f"/{p['per'] if p['per'] != 1 else ''}{p['unit']}" if p["unit"] else ""
            usd = "-" if p["usd"] is None else f"{p['usd']:,.2f}"
            written = terminal_safe(f"{p['amount']:g} {p['currency']}{unit}")
            ptable.add_row(p["posted_at"][:10], Text(written), usd)
        out.print(ptable)
