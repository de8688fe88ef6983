"""``jianghu export``: the store, or a slice of it, as STIX 2.1, MISP, CSV or JSONL; and
``jianghu report``: the landscape report as HTML and Markdown."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from jianghu.errors import ConfigError, QueryError
from jianghu.faces.cli_common import DbOption, check_choice, err, handles_errors, out, parse_when
from jianghu.faces.safe_text import json_text
from jianghu.settings import resolve_db_url
from jianghu.store.selection import Selection, SelectionFilters

export_app = typer.Typer(help="Export to STIX 2.1, MISP, CSV or JSONL (filters as in search).")

OutOption = Annotated[str, typer.Option("--out", "-o", help="Write here ('-': standard output).")]
SinceOption = Annotated[str | None, typer.Option(help="Messages at or after (ISO date, UTC).")]
UntilOption = Annotated[
    str | None, typer.Option(help="Messages before (ISO date, UTC; a date includes that day).")
]
ChannelOption = Annotated[
    list[str] | None, typer.Option("--channel", help="Channel name (part of it) or id; repeatable.")
]
CategoryOption = Annotated[str | None, typer.Option(help="Only messages of this category.")]
ActorOption = Annotated[int | None, typer.Option(help="Only this actor's messages (actor id).")]
MinRepOption = Annotated[
    int | None, typer.Option(min=0, max=100, help="Only actors with at least this reputation.")
]
RevealOption = Annotated[
    bool,
    typer.Option("--reveal", help="Export victims' card, ID and phone numbers unmasked (logged)."),
]


def selection_filters(
    since: str | None,
    until: str | None,
    channel: list[str] | None,
    category: str | None,
    actor: int | None,
    min_reputation: int | None,
) -> SelectionFilters:
    from jianghu.analysis.lexicon import CATEGORIES

    check_choice("--category", category, CATEGORIES)
    return SelectionFilters(
        since=parse_when(since, "--since"),
        until=parse_when(until, "--until", end_of_day=True),
        channels=tuple(channel or ()),
        category=category,
        actor=actor,
        min_reputation=min_reputation,
    )


def write_out(target: str, chunks: Iterable[str]) -> None:
    """Write to standard output, or to a file through a temporary name, so an export
    that fails half-way never leaves a truncated file where the last good one was.

    A symbolic link is followed (its target is replaced, the link stays), and a FIFO or
    device is written into, never replaced by a regular file."""
    if target == "-":
        for chunk in chunks:
            sys.stdout.write(chunk)
        sys.stdout.flush()
        return
    path = Path(target).resolve() if Path(target).is_symlink() else Path(target)
    special = path.exists() and not path.is_file()  # a FIFO or a device: no renaming
    tmp = path if special else path.with_name(f".{path.name}.tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as f:
            for chunk in chunks:
                f.write(chunk)
        if not special:
            os.replace(tmp, path)
    except OSError as exc:
        if not special:
            tmp.unlink(missing_ok=True)
        raise ConfigError(f"{target}: cannot write: {exc.strerror or exc}") from exc


def _select(db: str | None, filters: SelectionFilters, reveal: bool, command: str) -> Selection:
    from jianghu.store import open_store
    from jianghu.store.selection import select

    with open_store(resolve_db_url(db)) as store:
        if reveal:
            store.log_reveal(command, f"filters={filters!r}")
        return select(store, filters)


def _said(target: str, what: str) -> None:
    if target != "-":
        err.print(Text(f"wrote {what} to {target}"))


def _export_records(
    fmt: str, kind: str, db: str | None, out_path: str, filters: SelectionFilters, reveal: bool
) -> None:
    from jianghu.export.tabular import KINDS, ROWS, to_csv, to_jsonl

    check_choice("KIND", kind, KINDS)
    sel = _select(db, filters, reveal, f"export {fmt} {kind}")
    rows = ROWS[kind](sel, reveal)
    write_out(out_path, to_csv(kind, rows) if fmt == "csv" else to_jsonl(rows))
    _said(out_path, f"{kind} as {'CSV' if fmt == 'csv' else 'JSON lines'}")


@export_app.command("csv")
@handles_errors
def export_csv(
    kind: Annotated[str, typer.Argument(help="messages, offers, actors or entities.")],
    db: DbOption = None,
    out_path: OutOption = "-",
    since: SinceOption = None,
    until: UntilOption = None,
    channel: ChannelOption = None,
    category: CategoryOption = None,
    actor: ActorOption = None,
    min_reputation: MinRepOption = None,
    reveal: RevealOption = False,
) -> None:
    """Records as CSV; cells a spreadsheet would run as formulas are neutralised."""
    filters = selection_filters(since, until, channel, category, actor, min_reputation)
    _export_records("csv", kind, db, out_path, filters, reveal)


@export_app.command("jsonl")
@handles_errors
def export_jsonl(
    kind: Annotated[str, typer.Argument(help="messages, offers, actors or entities.")],
    db: DbOption = None,
    out_path: OutOption = "-",
    since: SinceOption = None,
    until: UntilOption = None,
    channel: ChannelOption = None,
    category: CategoryOption = None,
    actor: ActorOption = None,
    min_reputation: MinRepOption = None,
    reveal: RevealOption = False,
) -> None:
    """Records as JSON lines, one object per record."""
    filters = selection_filters(since, until, channel, category, actor, min_reputation)
    _export_records("jsonl", kind, db, out_path, filters, reveal)


@export_app.command("stix")
@handles_errors
def export_stix(
    db: DbOption = None,
    out_path: OutOption = "-",
    tlp: Annotated[str, typer.Option(help="TLP marking of every object.")] = "amber",
    since: SinceOption = None,
    until: UntilOption = None,
    channel: ChannelOption = None,
    category: CategoryOption = None,
    actor: ActorOption = None,
    min_reputation: MinRepOption = None,
    reveal: RevealOption = False,
) -> None:
    """A STIX 2.1 bundle: actors, accounts, channels, messages with their English gloss,
    indicators and the relationships between them; the same store gives the same ids."""
    from jianghu.export.stix import TLP_LEVELS, stix_bundle

    check_choice("--tlp", tlp, TLP_LEVELS)
    filters = selection_filters(since, until, channel, category, actor, min_reputation)
    sel = _select(db, filters, reveal, "export stix")
    bundle = stix_bundle(sel, tlp=tlp, reveal=reveal)
    text = json_text(bundle, indent=True) + "\n"
    write_out(out_path, [text])
    _said(out_path, f"a STIX 2.1 bundle of {len(bundle.get('objects', []))} objects")


@export_app.command("misp")
@handles_errors
def export_misp(
    db: DbOption = None,
    out_path: OutOption = "-",
    per: Annotated[
        str, typer.Option(help="One event per export, per actor or per offer.")
    ] = "export",
    tlp: Annotated[str, typer.Option(help="TLP tag of the event(s).")] = "amber",
    full_cards: Annotated[
        bool,
        typer.Option(
            "--full-cards", help="Card numbers in full (logged); default first 6 + last 4."
        ),
    ] = False,
    push: Annotated[
        str | None, typer.Option(help="Also POST the event(s) to this MISP server URL.")
    ] = None,
    api_key_env: Annotated[
        str, typer.Option(help="Environment variable holding the MISP API key (for --push).")
    ] = "JIANGHU_MISP_KEY",
    since: SinceOption = None,
    until: UntilOption = None,
    channel: ChannelOption = None,
    category: CategoryOption = None,
    actor: ActorOption = None,
    min_reputation: MinRepOption = None,
    reveal: RevealOption = False,
) -> None:
    """MISP event JSON built from PyMISP's standard object templates. With --per actor or
    offer and --out DIR, one file per event; on standard output, one event per line."""
    from jianghu.export.misp import GROUPINGS, misp_events, push_events
    from jianghu.export.misp_tags import TLP_LEVELS

    check_choice("--per", per, GROUPINGS)
    check_choice("--tlp", tlp, TLP_LEVELS)
    api_key = ""
    if push is not None:
        api_key = os.environ.get(api_key_env, "")
        if not api_key:
            raise ConfigError(f"--push: the MISP API key is missing: set {api_key_env}")
    filters = selection_filters(since, until, channel, category, actor, min_reputation)
    sel = _select(db, filters, reveal or full_cards, "export misp")
    events = misp_events(sel, per=per, reveal=reveal, full_cards=full_cards, tlp=tlp)
    _write_events(out_path, per, events)
    if push is not None:
        for result in push_events(events, push, api_key):
            out.print(Text(f"pushed event {result.uuid}: HTTP {result.status}"))


def _write_events(target: str, per: str, events: list[dict[str, object]]) -> None:
    if not events:
        raise QueryError("no message matches the filters: no MISP event to write")
    if per == "export":
        text = json_text(events[0], indent=True) + "\n"
        write_out(target, [text])
        _said(target, "a MISP event")
        return
    if target == "-":
        write_out(target, (json_text(e) + "\n" for e in events))
        return
    folder = Path(target)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{target}: cannot create folder: {exc.strerror or exc}") from exc
    for event in events:
        uuid = str(event["Event"]["uuid"])  # type: ignore[index]
        write_out(str(folder / f"{uuid}.json"), [json_text(event) + "\n"])
    _said(target, f"{len(events)} MISP event(s)")


@handles_errors
def report(
    db: DbOption = None,
    out_path: Annotated[
        str, typer.Option("--out", "-o", help="Path without extension: writes PATH.html, PATH.md")
    ] = "jianghu-report",
    since: SinceOption = None,
    until: UntilOption = None,
    channel: ChannelOption = None,
    reveal: RevealOption = False,
) -> None:
    """The landscape report: offers by category week by week, card data, the price index,
    actors and exposed scammers, escrow markets, new jargon, tool mentions, the channels
    that matter; every figure cites its offers and messages."""
    from jianghu.report.build import landscape
    from jianghu.report.write import write_report
    from jianghu.store import open_store

    filters = selection_filters(since, until, channel, None, None, None)
    url = resolve_db_url(db)
    with open_store(url) as store, err.status("reading the store") as status:
        if reveal:
            store.log_reveal("report", f"filters={filters!r}")
        built = landscape(
            store, filters, _shown_url(url), reveal=reveal, step=lambda s: status.update(s)
        )
        status.update("writing")
        written = write_report(built, Path(out_path))
    out.print(Text(f"report: {written.html}"))
    out.print(Text(f"        {written.markdown} (charts in {written.markdown.stem}-charts/)"))


def _shown_url(url: str) -> str:
    """The store's URL without a password, for the report's header."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}@{host}"
    return url
