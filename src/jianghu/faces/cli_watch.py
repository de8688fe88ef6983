"""``jianghu watch`` (watchlist rules) and ``jianghu alerts`` (what they raised)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from jianghu.errors import ConfigError, QueryError
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

watch_app = typer.Typer(
    help="Watchlists: rules for an organisation's own assets.", no_args_is_help=True
)
alerts_app = typer.Typer(help="Alerts raised by watchlist rules.", invoke_without_command=True)

SinksOption = Annotated[
    Path | None, typer.Option("--sinks", help="Deliver new alerts to the sinks in this TOML.")
]
FileOption = Annotated[
    Path, typer.Option("--file", help="Watchlist file (TOML; see 'jianghu watch add').")
]


def _rule_json(r: Any) -> dict[str, Any]:
    return {
        "name": r.name,
        "kind": r.kind,
        "values": list(r.values),
        "severity": r.severity,
        "categories": list(r.categories),
        "intents": list(r.intents),
        "channels": list(r.channels),
        "platforms": list(r.platforms),
        "near": list(r.near),
        "within": r.within,
    }


@watch_app.command("add")
@handles_errors
def add(
    name: Annotated[str, typer.Option(help="Rule name, unique in the file.")],
    kind: Annotated[
        str, typer.Option(help="term, regex, domain, brand, bin, wallet, phone, handle or actor.")
    ],
    value: Annotated[list[str], typer.Option(help="What to match; repeatable.")],
    file: FileOption = Path("watchlist.toml"),
    severity: Annotated[str, typer.Option(help="low, medium, high or critical.")] = "medium",
    category: Annotated[list[str] | None, typer.Option(help="Only in this category.")] = None,
    intent: Annotated[list[str] | None, typer.Option(help="Only with this intent.")] = None,
    channel: Annotated[list[str] | None, typer.Option(help="Only in channels named so.")] = None,
    platform: Annotated[
        list[str] | None, typer.Option(help="Only on this platform (telegram, discord …).")
    ] = None,
    near: Annotated[
        list[str] | None, typer.Option(help="Term rules: within reach of this.")
    ] = None,
    within: Annotated[int, typer.Option(help="Reach of --near, in characters.")] = 20,
) -> None:
    """Add a rule to a watchlist file (created if missing); the whole file is validated
    before it is written."""
    from jianghu.intel.watchlist import Rule, load_watchlist, parse_watchlist

    current = load_watchlist(file)
    rule = Rule(
        name,
        kind,
        tuple(value),
        severity,
        tuple(category or ()),
        tuple(intent or ()),
        tuple(channel or ()),
        tuple(platform or ()),
        tuple(near or ()),
        within,
    )
    existing = file.read_text(encoding="utf-8") if file.exists() else ""
    text = existing + ("\n" if existing and not existing.endswith("\n\n") else "") + rule.to_toml()
    parse_watchlist(text, str(file))  # raises with the reason, nothing written
    file.write_text(text, encoding="utf-8")
    out.print(f"added rule {name!r} ({kind}); {len(current.rules) + 1} rule(s) in {file}")


@watch_app.command("list")
@handles_errors
def list_rules(file: FileOption = Path("watchlist.toml"), json: JsonOption = False) -> None:
    """The rules of a watchlist file."""
    from jianghu.intel.watchlist import load_watchlist

    wl = load_watchlist(file)
    if json:
        print_json([_rule_json(r) for r in wl.rules])
        return
    table = Table(header_style="bold")
    for name in ("rule", "kind", "severity", "values", "scope"):
        table.add_column(name, overflow="fold")
    for r in wl.rules:
        scope = " ".join([*r.categories, *r.intents, *r.channels, *r.platforms]) or "-"
        table.add_row(
            Text(terminal_safe(r.name)),
            r.kind,
            r.severity,
            Text(terminal_safe(", ".join(r.values))),
            Text(terminal_safe(scope)),
        )
    out.print(table)


@watch_app.command("test")
@handles_errors
def test(
    text: Annotated[str | None, typer.Argument(help="A message to try the rules on.")] = None,
    file: FileOption = Path("watchlist.toml"),
    store: Annotated[
        bool, typer.Option("--store", help="Try them on the store instead (nothing is saved).")
    ] = False,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Try a watchlist on one text (classified first, for scoped rules) or on the whole
    store without raising alerts."""
    from jianghu.analysis.classify import classify_inputs, feature_input
    from jianghu.intel.watchlist import Context, load_watchlist, match

    wl = load_watchlist(file)
    if not wl.rules:
        raise ConfigError(f"{file}: no rules")
    if store:
        from jianghu.intel.alerts import scan
        from jianghu.store import open_store

        with open_store(resolve_db_url(db)) as s:
            report = scan(s, wl, save=False)
        if json:
            print_json(report.to_json())
        else:
            out.print(f"{report.hits} hit(s) in {report.messages} messages (nothing saved)")
        return
    if text is None:
        raise QueryError("give a TEXT to test, or --store")
    item = feature_input(text)
    [c] = classify_inputs([item])
    result = match(wl, text, item.entities, Context(c.categories, c.intent))
    hits = [
        {
            "rule": h.rule,
            "severity": h.severity,
            "matched": h.matched,
            "start": h.start,
            "end": h.end,
        }
        for h in result.hits
    ]
    if json:
        print_json(
            {
                "hits": hits,
                "timeouts": result.timeouts,
                "categories": list(c.categories),
                "intent": c.intent,
            }
        )
        return
    if not hits:
        out.print("no rule matches")
    for h in hits:
        out.print(
            Text(
                terminal_safe(
                    f"{h['rule']} ({h['severity']}): {h['matched']!r} at {h['start']}–{h['end']}"
                )
            )
        )
    for name in result.timeouts:
        out.print(Text(terminal_safe(f"{name}: regular expression timed out"), style="yellow"))


@watch_app.command("scan")
@handles_errors
def scan_store(
    file: FileOption = Path("watchlist.toml"),
    since: Annotated[
        str | None, typer.Option(help="Messages posted at or after (ISO date).")
    ] = None,
    sinks: SinksOption = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Scan stored messages and raise alerts (deduplicated: reposts of one ad are one
    alert; scanning again raises nothing new); with --sinks, deliver the new ones."""
    from jianghu.intel.alerts import scan
    from jianghu.intel.watchlist import load_watchlist
    from jianghu.store import open_store

    wl = load_watchlist(file)
    if not wl.rules:
        raise ConfigError(f"{file}: no rules")
    from jianghu.intel.delivery import SystemClock, deliver, enqueue, load_sinks

    targets = load_sinks(sinks) if sinks else []
    with open_store(resolve_db_url(db)) as s, err.status("scanning"):
        report = scan(s, wl, since=parse_when(since, "--since"))
        sent = None
        if targets:
            enqueue(s, report.new_alert_ids, targets, SystemClock())
            sent = deliver(s, targets, stdout=sys.stderr)
    if json:
        print_json({**report.to_json(), **({"delivery": sent.to_json()} if sent else {})})
        return
    out.print(
        f"{report.messages} messages scanned: {report.hits} hit(s), {report.new_alerts} "
        f"new alert(s), {report.new_sightings} new sighting(s)"
    )
    for name, n in report.timeouts.items():
        out.print(Text(terminal_safe(f"{name}: timed out on {n} message(s)"), style="yellow"))


@alerts_app.callback()
@handles_errors
def alerts(
    ctx: typer.Context,
    db: DbOption = None,
    json: JsonOption = False,
    status: Annotated[str | None, typer.Option(help="new, acknowledged or dismissed.")] = None,
    severity: Annotated[str | None, typer.Option(help="low, medium, high or critical.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 50,
) -> None:
    """List alerts, most recently seen first; 'alerts ack ID' and 'alerts dismiss ID'."""
    if ctx.invoked_subcommand is not None:
        return
    from jianghu.intel.alerts import STATUSES, alert_context, list_alerts
    from jianghu.store import open_store

    check_choice("--status", status, STATUSES)
    from jianghu.faces.masking import mask_found, mask_text

    with open_store(resolve_db_url(db)) as s:
        found = list_alerts(s, status, severity, limit)
        ents = s.entities_of([a.first_message_id for a in found])
        context = alert_context(s, found)
    # Victims' card, ID and phone numbers stay masked in every alert shown.
    matched = {a.id: mask_found(a.matched) for a in found}
    texts = {
        a.id: mask_text(a.first_text, [e.to_entity() for e in ents.get(a.first_message_id, [])])
        for a in found
    }
    if json:
        print_json(
            [{**a.to_json(matched[a.id], texts[a.id]), **context.get(a.id, {})} for a in found]
        )
        return
    if not found:
        out.print("no alerts")
        return
    table = Table(header_style="bold")
    for name in (
        "id",
        "rule",
        "severity",
        "status",
        "seen",
        "chats",
        "matched",
        "where",
        "actor",
        "last seen",
    ):
        table.add_column(name, overflow="fold")
    for a in found:
        cx = context.get(a.id, {})
        actor = (
            "-" if cx.get("actor_id") is None else f"{cx['actor_id']} ({cx['actor_reputation']})"
        )
        table.add_row(
            str(a.id),
            Text(terminal_safe(a.rule)),
            a.severity,
            a.status,
            str(a.sightings),
            str(a.channels),
            Text(terminal_safe(matched[a.id], keep_newlines=False)),
            Text(
                terminal_safe(
                    f"{cx.get('channel', '?')} / {cx.get('author') or '?'}", keep_newlines=False
                )
            ),
            actor,
            a.updated_at.strftime("%Y-%m-%d %H:%M"),
        )
    out.print(table)


def _triage(alert_id: int, status: str, who: str, note: str, db: str | None) -> None:
    from jianghu.intel.alerts import set_status
    from jianghu.store import open_store

    if not who.strip():
        raise QueryError("--who NAME is required (it is written to the audit log)")
    with open_store(resolve_db_url(db)) as s:
        if not set_status(s, alert_id, status, who, note):
            raise QueryError(f"no alert {alert_id}")
    out.print(f"alert {alert_id} {status} by {who}")


@alerts_app.command("deliver")
@handles_errors
def deliver_now(
    sinks: Annotated[Path, typer.Option("--sinks", help="Sink file (TOML).")],
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Send what is due in the outbox (retries after an outage; nothing is lost across
    restarts: the outbox is in the store)."""
    from jianghu.intel.delivery import deliver, load_sinks, pending
    from jianghu.store import open_store

    targets = load_sinks(sinks)
    with open_store(resolve_db_url(db)) as s:
        report = deliver(s, targets, stdout=sys.stderr)
        left = pending(s)
    if json:
        print_json({**report.to_json(), "pending": left})
        return
    out.print(
        f"{report.delivered} delivered, {report.failed} to retry, {report.dead} given up; "
        f"{left} pending"
    )
    for e in report.errors[:10]:
        out.print(Text(terminal_safe(e, keep_newlines=False), style="yellow"))


@alerts_app.command("ack")
@handles_errors
def ack(
    alert_id: int,
    who: Annotated[str, typer.Option(help="Analyst (audit log).")] = "",
    note: Annotated[str, typer.Option()] = "",
    db: DbOption = None,
) -> None:
    """Acknowledge an alert."""
    _triage(alert_id, "acknowledged", who, note, db)


@alerts_app.command("dismiss")
@handles_errors
def dismiss(
    alert_id: int,
    who: Annotated[str, typer.Option(help="Analyst (audit log).")] = "",
    note: Annotated[str, typer.Option()] = "",
    db: DbOption = None,
) -> None:
    """Dismiss an alert."""
    _triage(alert_id, "dismissed", who, note, db)
