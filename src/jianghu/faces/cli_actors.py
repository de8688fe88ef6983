"""``jianghu actors`` and ``jianghu actor``: who is behind the accounts, and how far they
can be trusted, with the evidence."""

from __future__ import annotations

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
    print_json,
)
from jianghu.faces.cli_offers import EngineOption, SchedulerOption, WorkersOption
from jianghu.faces.safe_text import terminal_safe
from jianghu.settings import resolve_db_url

actors_app = typer.Typer(
    help="Actors: accounts linked by shared contacts, wallets and ads, with reputation.",
    invoke_without_command=True,
)


def actor_json(a: Any) -> dict[str, Any]:
    return {**a.summary_json(), "factors": a.factors, **a.profile}


@actors_app.callback()
@handles_errors
def actors(
    ctx: typer.Context,
    db: DbOption = None,
    json: JsonOption = False,
    category: Annotated[
        str | None, typer.Option(help="Only actors active in this category.")
    ] = None,
    min_reputation: Annotated[int | None, typer.Option(min=0, max=100)] = None,
    max_reputation: Annotated[int | None, typer.Option(min=0, max=100)] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 30,
) -> None:
    """List actors, most active first (run 'jianghu actors build' after 'offers build')."""
    if ctx.invoked_subcommand is not None:
        return
    from jianghu.analysis.lexicon import CATEGORIES
    from jianghu.store import open_store
    from jianghu.store.actors import list_actors

    check_choice("--category", category, CATEGORIES)
    with open_store(resolve_db_url(db)) as store:
        found = list_actors(store, category, min_reputation, max_reputation, limit)
    if json:
        print_json([actor_json(a) for a in found])
        return
    if not found:
        out.print("no actors match (built yet? run 'jianghu actors build')")
        return
    table = Table(header_style="bold")
    for name in ("id", "name", "rep.", "accounts", "messages", "categories", "last seen"):
        right = name in ("id", "rep.", "accounts", "messages")
        table.add_column(name, overflow="fold", justify="right" if right else "left")
    for a in found:
        table.add_row(
            str(a.id),
            Text(terminal_safe(a.name, keep_newlines=False)),
            str(a.reputation),
            str(len(a.account_ids)),
            str(a.messages),
            " ".join(a.categories[:3]),
            a.last_seen.strftime("%Y-%m-%d"),
        )
    out.print(table)


@actors_app.command("build")
@handles_errors
def build(
    db: DbOption = None,
    json: JsonOption = False,
    engine: EngineOption = "local",
    scheduler: SchedulerOption = None,
    workers: WorkersOption = 2,
) -> None:
    """Link accounts into actors and score their reputation (replaces the actor tables;
    analysts' merges and splits are kept and applied)."""
    from jianghu.intel.actor_build import build_actors
    from jianghu.scale.cluster import check_engine
    from jianghu.store import open_store

    url = resolve_db_url(db)
    check_engine(engine, url)
    with err.status("building actors") as status:
        if engine == "dask":
            from jianghu.scale.actors_dask import build_actors_dask
            from jianghu.scale.cluster import dask_client

            with dask_client(scheduler, workers) as client:
                report = build_actors_dask(client, url, step=lambda s: status.update(s))
        else:
            with open_store(url) as store:
                report = build_actors(store, step=lambda s: status.update(s))
    if json:
        print_json(report.to_json())
        return
    out.print(
        f"{report.actors} actors from {report.accounts} accounts "
        f"({report.multi_account_actors} with several accounts, {report.links} links); "
        f"{report.hubs} hub identifiers, {report.lookalikes} look-alike handle sets, "
        f"{report.reassigned_handles} reassigned handles"
    )


def _show(db: str | None, actor_id: int, json: bool) -> None:
    from jianghu.store import open_store
    from jianghu.store.actors import get_actor

    with open_store(resolve_db_url(db)) as store:
        a = get_actor(store, actor_id)
    if a is None:
        raise QueryError(f"no actor {actor_id}")
    if json:
        print_json(actor_json(a))
        return
    p = a.profile
    out.print(
        Text(terminal_safe(f"actor {a.id}: {a.name} — reputation {a.reputation}/100"), style="bold")
    )
    out.print(
        f"{len(a.account_ids)} account(s), {a.messages} messages in {p['channels']} channel(s), "
        f"{a.first_seen:%Y-%m-%d} to {a.last_seen:%Y-%m-%d}"
    )
    factors = Table(title="reputation factors (50 + these)", header_style="bold")
    for name in ("factor", "points", "detail", "messages"):
        factors.add_column(name, overflow="fold")
    for f in a.factors:
        factors.add_row(
            f["name"], f"{f['points']:+.1f}", f["detail"], " ".join(map(str, f["message_ids"][:8]))
        )
    out.print(factors)
    accounts = Table(title="accounts", header_style="bold")
    for name in ("account", "platform id", "names over time", "messages"):
        accounts.add_column(name, overflow="fold")
    for acc in p["accounts"]:
        shown = ", ".join(n["name"] for n in acc["names"]) or (acc["display_name"] or "?")
        accounts.add_row(
            str(acc["id"]),
            Text(terminal_safe(acc["key"], keep_newlines=False)),
            Text(terminal_safe(shown, keep_newlines=False)),
            str(acc["messages"]),
        )
    out.print(accounts)
    for link in p["links"]:
        out.print(
            Text(
                terminal_safe(
                    f"link {link['accounts'][0]}–{link['accounts'][1]}: {link['kind']} "
                    f"{link['identifier']} (strength {link['strength']}, messages "
                    f"{' '.join(map(str, link['message_ids'][:6]))})",
                    keep_newlines=False,
                )
            )
        )
    for flag in p["flags"]:
        out.print(
            Text(
                terminal_safe(f"{flag['kind']}: {flag['detail']}", keep_newlines=False),
                style="yellow",
            )
        )


def _decide(db: str | None, kind: str, ids: list[int], who: str, note: str, json: bool) -> None:
    from jianghu.intel.actor_build import build_actors
    from jianghu.store import open_store
    from jianghu.store.actors import get_actor, record_decision

    if len(ids) != 2 or ids[0] == ids[1]:
        raise QueryError(f"actor {kind} takes two different ids")
    with open_store(resolve_db_url(db)) as store:
        a, b = ids
        if kind == "join":
            # Actor ids are account ids (an actor's smallest); joining two actors joins those.
            for x in (a, b):
                if get_actor(store, x) is None:
                    raise QueryError(f"no actor {x}")
        record_decision(store, kind, a, b, who, note)
        report = build_actors(store)
    if json:
        print_json({"decision": kind, "accounts": ids, "who": who, **report.to_json()})
        return
    out.print(
        f"recorded {kind} of {ids[0]} and {ids[1]} by {who}; actors rebuilt "
        f"({report.actors} actors)"
    )


@handles_errors
def actor(
    target: Annotated[str, typer.Argument(help="An actor id; or 'merge' or 'split'.")],
    ids: Annotated[
        list[int] | None,
        typer.Argument(help="merge: two actor ids; split: two account ids to keep apart."),
    ] = None,
    who: Annotated[str, typer.Option(help="Analyst making a merge or split (audit log).")] = "",
    note: Annotated[str, typer.Option(help="Why (kept in the audit log).")] = "",
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """'jianghu actor ID': an actor's full profile (accounts and names over time, channels,
    activity by week, items, prices, regions, languages, contacts and wallets, links with
    evidence, reputation factors). 'jianghu actor merge A B --who NAME' joins two actors;
    'jianghu actor split A B --who NAME' keeps two accounts apart. Decisions are logged
    with who and when and survive every rebuild."""
    if target in ("merge", "split"):
        if not who.strip():
            raise QueryError(f"actor {target} needs --who NAME (it is written to the audit log)")
        _decide(db, "join" if target == "merge" else "split", ids or [], who, note, json)
        return
    if ids:
        raise QueryError("actor ID takes one id")
    try:
        actor_id = int(target)
    except ValueError:
        raise QueryError(f"actor: expected an id, 'merge' or 'split', not {target!r}") from None
    _show(db, actor_id, json)


@handles_errors
def eval_actors(
    messages: Annotated[int, typer.Option(min=1000, help="Demo messages to generate.")] = 5000,
    seed: Annotated[int, typer.Option(help="Seed of the demo corpus.")] = 7,
    json: JsonOption = False,
) -> None:
    """Pairwise precision and recall of actor linking against the demo corpus's ground
    truth (who owns which account), after ingesting it and building offers and actors."""
    from jianghu.intel.actor_eval import evaluate_linking

    with err.status("generating, ingesting and linking the demo corpus"):
        report = evaluate_linking(messages, seed)
    if json:
        print_json(report.to_json())
        return
    out.print(
        f"{report.accounts} accounts of {report.people} known owners: pairwise precision "
        f"{report.precision:.3f}, recall {report.recall:.3f} (TP {report.true_positive}, "
        f"FP {report.false_positive}, FN {report.false_negative})"
    )
    for owners in report.wrong_merges:
        out.print(Text(terminal_safe("merged: " + ", ".join(owners)), style="yellow"))
    if report.missed:
        out.print(Text(terminal_safe("not linked: " + ", ".join(report.missed)), style="dim"))
