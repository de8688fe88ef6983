"""The ``jianghu`` command: a thin face over the library.

Every library error becomes one line on stderr and a non-zero exit; no traceback reaches
the analyst. Text from messages is made terminal-safe and handed to Rich as ``Text``
objects, never as markup.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from jianghu.errors import ConfigError, QueryError
from jianghu.faces.cli_actors import actor, actors_app, eval_actors
from jianghu.faces.cli_bench_search import bench_search
from jianghu.faces.cli_classify import annotation, eval_classify, train_app
from jianghu.faces.cli_collect import collect_app
from jianghu.faces.cli_common import (
    DbOption,
    JsonOption,
    LexiconOption,
    check_choice,
    err,
    handles_errors,
    out,
    parse_when,
    print_json,
)
from jianghu.faces.cli_export import export_app, report
from jianghu.faces.cli_jargon import eval_jargon, jargon_app
from jianghu.faces.cli_offers import offers_app
from jianghu.faces.cli_store import store_app
from jianghu.faces.cli_watch import alerts_app, watch_app
from jianghu.faces.cli_web import serve, users_app
from jianghu.faces.jsonl import entity_json
from jianghu.faces.progress import FileProgress
from jianghu.faces.safe_text import terminal_safe
from jianghu.settings import get_int, lexicon_paths, resolve_db_url

app = typer.Typer(
    name="jianghu",
    help="Threat intelligence for the Chinese-language cybercrime underground.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)
bench_app = typer.Typer(
    help="Measure throughput and memory; see BENCHMARKS.md.", no_args_is_help=True
)
app.add_typer(bench_app, name="bench")
eval_app = typer.Typer(help="Measure quality on the project's labelled data.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
app.add_typer(jargon_app, name="jargon")
app.add_typer(collect_app, name="collect")
eval_app.command("jargon")(eval_jargon)
eval_app.command("classify")(eval_classify)
eval_app.command("actors")(eval_actors)
app.add_typer(train_app, name="train")
app.add_typer(offers_app, name="offers")
app.add_typer(actors_app, name="actors")
app.add_typer(watch_app, name="watch")
app.add_typer(alerts_app, name="alerts")
app.command("actor")(actor)
app.add_typer(export_app, name="export")
app.command("report")(report)
app.command("serve")(serve)
app.add_typer(users_app, name="users")
app.add_typer(store_app, name="store")


# ---- ingest ----------------------------------------------------------------------------
EngineOption = Annotated[
    str,
    typer.Option(
        help="local: this machine's processes; dask: a Dask cluster's workers, which "
        "write to a PostgreSQL store themselves."
    ),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(help="Dask scheduler address (tcp://host:8786); without it a local cluster."),
]
ClusterWorkersOption = Annotated[
    int, typer.Option("--cluster-workers", min=1, help="Worker processes of a local cluster.")
]


@app.command()
@handles_errors
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Export files or folders of exports.")],
    db: DbOption = None,
    json: JsonOption = False,
    account: Annotated[
        str | None,
        typer.Option(
            help="Telegram account id that made single-chat exports (scopes ids "
            "of private chats and basic groups)."
        ),
    ] = None,
    forum_layouts: Annotated[
        list[Path] | None,
        typer.Option("--forum-layouts", help="Your own forum layout file (TOML); repeatable."),
    ] = None,
    tz_offset: Annotated[
        str | None,
        typer.Option(help="UTC offset of WhatsApp and forum times, e.g. +08:00."),
    ] = None,
    date_order: Annotated[
        str | None,
        typer.Option(help="WhatsApp date order when the file cannot tell: dmy, mdy or ymd."),
    ] = None,
    watchlist: Annotated[
        Path | None,
        typer.Option(help="Raise alerts from this watchlist after each stored batch."),
    ] = None,
    sinks: Annotated[
        Path | None,
        typer.Option(help="Deliver new alerts to these sinks (TOML) as they are raised."),
    ] = None,
    engine: EngineOption = "local",
    scheduler: SchedulerOption = None,
    cluster_workers: ClusterWorkersOption = 2,
) -> None:
    """Read exports into the store, analysing as it goes."""
    from jianghu.ingest import ingest as run_ingest
    from jianghu.intel.alerts import ScanReport, after_batch_scanner
    from jianghu.intel.delivery import DeliveryReport, SystemClock, deliver, enqueue, load_sinks
    from jianghu.intel.watchlist import load_watchlist
    from jianghu.scale.cluster import check_engine
    from jianghu.store import open_store

    url = resolve_db_url(db)
    check_engine(engine, url)
    if engine == "dask" and (watchlist or sinks):
        raise ConfigError(
            "--watchlist and --sinks scan each batch as this process stores it; with "
            "--engine dask the workers store it: run `jianghu watch scan` after the ingest"
        )
    rules = None if watchlist is None else load_watchlist(watchlist, must_exist=True)
    targets = load_sinks(sinks) if sinks else []
    sent = DeliveryReport()
    raised = ScanReport()
    with open_store(url) as store:
        scanner = None
        if rules is not None:
            scanner, raised = after_batch_scanner(store, rules)

        def after_batch(batch: Any, ids: Any) -> None:
            assert scanner is not None
            before = len(raised.new_alert_ids)
            scanner(batch, ids)
            if targets:
                enqueue(store, raised.new_alert_ids[before:], targets, SystemClock())
                done = deliver(store, targets, stdout=sys.stderr)
                sent.delivered += done.delivered
                sent.failed += done.failed
                sent.dead += done.dead

        progress = None if json else FileProgress(err)
        options = {
            key: value
            for key, value in (
                ("account", account),
                ("layouts", os.pathsep.join(map(str, forum_layouts or [])) or None),
                ("tz_offset", tz_offset),
                ("date_order", date_order),
            )
            if value
        }
        with progress or _nullcontext():
            if engine == "dask":
                from jianghu.scale.cluster import dask_client
                from jianghu.scale.ingest_dask import ingest_dask

                with dask_client(scheduler, cluster_workers) as client:
                    report = ingest_dask(
                        store, url, client, paths, options, progress, get_int("batch_size")
                    )
            else:
                report = run_ingest(
                    store,
                    paths,
                    options,
                    progress,
                    batch_size=get_int("batch_size"),
                    after_batch=after_batch if rules is not None and rules.rules else None,
                )
    if json:
        extra = {"alerts": raised.to_json()} if rules else {}
        if targets:
            extra["delivery"] = sent.to_json()
        print_json({**report.to_json(), **extra})
    else:
        for error in report.errors:
            err.print(Text(terminal_safe(str(error), keep_newlines=False), style="yellow"))
        for warning in report.warnings:
            line = f"{warning.path}: warning: {warning.message}"
            err.print(Text(terminal_safe(line, keep_newlines=False), style="yellow"))
        c = report.counts
        out.print(
            Text(
                f"read {report.read} messages in {report.files} file(s): {c.new} new, "
                f"{c.updated} updated, {c.unchanged} unchanged, {report.rejected} rejected; "
                f"{report.events} service events; {report.files_failed} file(s) with errors"
            )
        )
        if rules is not None:
            out.print(
                Text(
                    f"watchlist: {raised.hits} hit(s), {raised.new_alerts} new alert(s), "
                    f"{raised.new_sightings} new sighting(s)"
                )
            )
    if not report.ok:
        raise typer.Exit(1)


class _nullcontext:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


# ---- search ----------------------------------------------------------------------------
RevealOption = Annotated[
    bool,
    typer.Option("--reveal", help="Show victims' card, ID and phone numbers unmasked (logged)."),
]


@app.command()
@handles_errors
def search(
    query: Annotated[
        str, typer.Argument(help='Words to find (all must match); "quoted phrase".')
    ] = "",
    db: DbOption = None,
    json: JsonOption = False,
    channel: Annotated[str | None, typer.Option(help="Channel name (part of it) or id.")] = None,
    author: Annotated[
        str | None, typer.Option(help="Author name (part of it), id or handle.")
    ] = None,
    since: Annotated[str | None, typer.Option(help="Posted at or after (ISO date, UTC).")] = None,
    until: Annotated[
        str | None, typer.Option(help="Posted before; a bare date includes it.")
    ] = None,
    entity: Annotated[
        str | None,
        typer.Option(help="Only messages with this indicator, TYPE:VALUE (tron_address:T…)."),
    ] = None,
    category: Annotated[
        str | None, typer.Option(help="Only messages of this category (TAXONOMY.md).")
    ] = None,
    intent: Annotated[
        str | None, typer.Option(help="Only messages with this intent: sell, buy, recruit, other.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000, help="Most results to show.")] = 20,
    reveal: RevealOption = False,
) -> None:
    """Full-text search over messages (Chinese, traditional or simplified, and Latin),
    with each message's categories and intent."""
    from jianghu.analysis.classify.linear import INTENTS
    from jianghu.analysis.lexicon import CATEGORIES
    from jianghu.analysis.search_terms import parse_query
    from jianghu.analysis.snippet import make_snippet
    from jianghu.faces.masking import entity_key, mask_text
    from jianghu.store import open_store
    from jianghu.store.base import SearchFilters

    check_choice("--category", category, CATEGORIES)
    check_choice("--intent", intent, INTENTS)
    clauses = parse_query(query)
    if not clauses and entity is None and category is None and intent is None:
        raise QueryError(f"query {query!r} has no letters, digits or characters to search for")
    try:
        wanted = None if entity is None else entity_key(entity)
    except ValueError as exc:
        raise QueryError(str(exc)) from None
    filters = SearchFilters(
        channel=channel,
        author=author,
        since=parse_when(since, "--since"),
        until=parse_when(until, "--until", end_of_day=True),
        entity=wanted,
        category=category,
        intent=intent,
        limit=limit,
    )
    with open_store(resolve_db_url(db)) as store:
        hits = store.search(clauses, filters)
        found = store.entities_of([h.id for h in hits])
        analyses = store.analyses_of([h.id for h in hits])
        if reveal and hits:
            store.log_reveal(
                "search", f"query={query!r} entity={entity!r} ids={[h.id for h in hits]}"
            )
    texts = [
        h.text
        if reveal
        else mask_text(
            h.text,
            [e.to_entity() for e in found.get(h.id, [])],
        )
        for h in hits
    ]
    snippets = [make_snippet(t, clauses) for t in texts]
    if json:
        print_json(
            [
                {
                    "id": h.id,
                    "platform": h.platform,
                    "channel": h.channel,
                    "author": h.author,
                    "author_id": h.author_id,
                    "posted_at": h.posted_at.isoformat(),
                    "text": t,
                    "snippet": s.text,
                    "highlights": [list(x) for x in s.spans],
                    "score": h.score,
                    **analysis_json(analyses.get(h.id)),
                }
                for h, t, s in zip(hits, texts, snippets, strict=True)
            ]
        )
        return
    if not hits:
        out.print(Text(f"no messages match {terminal_safe(query)!r}"))
        return
    table = Table(show_lines=False, header_style="bold")
    for name in ("date", "channel", "author", "offer", "message"):
        table.add_column(name, overflow="fold")
    for hit, snip in zip(hits, snippets, strict=True):
        a = analyses.get(hit.id)
        table.add_row(
            hit.posted_at.strftime("%Y-%m-%d %H:%M"),
            Text(terminal_safe(hit.channel, keep_newlines=False)),
            Text(terminal_safe(hit.author or "?", keep_newlines=False)),
            Text("-" if a is None else f"{a.intent} " + (" ".join(a.categories) or "(none)")),
            highlighted(snip.text, snip.spans),
        )
    out.print(table)
    out.print(Text(f"{len(hits)} result(s)", style="dim"))


def category_table(rows: list[tuple[str, str, int]]) -> Table:
    """Messages per category and intent, as the classifier stored them."""
    from jianghu.analysis.classify.linear import INTENTS

    counts = {(c, i): n for c, i, n in rows}
    table = Table(title="messages by category and intent", header_style="bold")
    table.add_column("category")
    for intent in INTENTS:
        table.add_column(intent, justify="right")
    for category in sorted({c for c, _, _ in rows}):
        table.add_row(category, *(str(counts.get((category, i), 0)) for i in INTENTS))
    return table


def analysis_json(a: Any) -> dict[str, Any]:
    """A stored classification as search and listings print it (None: not analysed)."""
    if a is None:
        return {"categories": None, "intent": None, "scores": None, "language": None}
    return {
        "categories": list(a.categories),
        "intent": a.intent,
        "scores": a.scores,
        "language": a.language,
        "model_version": a.model_version,
        "lexicon_version": a.lexicon_version,
    }


def highlighted(text: str, spans: tuple[tuple[int, int], ...]) -> Text:
    """Rich Text with the spans emphasised; every piece made terminal-safe separately."""
    result = Text()
    pos = 0
    for start, end in spans:
        result.append(terminal_safe(text[pos:start], keep_newlines=False))
        result.append(terminal_safe(text[start:end], keep_newlines=False), style="bold yellow")
        pos = end
    result.append(terminal_safe(text[pos:], keep_newlines=False))
    return result


# ---- indicators --------------------------------------------------------------------------
@app.command()
@handles_errors
def annotate(
    source: Annotated[
        str, typer.Argument(help='JSONL file of {"id","text"}, or - for stdin.')
    ] = "-",
    reveal: RevealOption = False,
    db: DbOption = None,
    lexicon: LexiconOption = None,
    explain: Annotated[
        bool,
        typer.Option("--explain", help="Add the model features behind each decision (evidence)."),
    ] = False,
) -> None:
    """Everything analysis finds in each line: JSONL {"id","text"} in, one line out per
    input line, in order: {"id","language","normalized","terms","entities","categories",
    "scores","intent"}. A line that is empty or has no text gets {"id","error"}, and
    then the exit status is 1."""
    from jianghu.analysis.lexicon import load_lexicon
    from jianghu.faces.jsonl import read_jsonl_texts

    if reveal:
        _log_reveal(db, "annotate", f"source={source!r}")
    lex = load_lexicon([Path(p) for p in lexicon_paths(lexicon)])
    failed = 0
    for item in read_jsonl_texts(source, require_text=True):
        if item.error is not None:
            print_json({"id": item.id, "error": item.error})
            failed += 1
            continue
        print_json(annotation(item.id, item.text, lex, reveal, explain))
    if failed:  # every line was answered, but not every line was read
        raise typer.Exit(1)


@app.command()
@handles_errors
def extract(
    source: Annotated[
        str, typer.Argument(help='JSONL file of {"id","text"}, or - for stdin.')
    ] = "-",
    all_: Annotated[bool, typer.Option("--all", help="Include invalid candidates.")] = False,
    reveal: RevealOption = False,
    db: DbOption = None,
) -> None:
    """Indicators in each line: JSONL {"id","text"} in, {"id","entities"} out, one line
    out per input line; a line that cannot be read gets {"id","error"}, and then the exit
    status is 1."""
    from jianghu.analysis.entities import extract_entities
    from jianghu.faces.jsonl import read_jsonl_texts
    from jianghu.faces.masking import mask_entity

    if reveal:
        _log_reveal(db, "extract", f"source={source!r}")
    failed = 0
    for item in read_jsonl_texts(source):
        if item.error is not None:
            print_json({"id": item.id, "error": item.error})
            failed += 1
            continue
        found = extract_entities(item.text, include_invalid=all_)
        shown = found if reveal else [mask_entity(e) for e in found]
        print_json({"id": item.id, "entities": [entity_json(e) for e in shown]})
    if failed:  # every line was answered, but not every line was read
        raise typer.Exit(1)


def _log_reveal(db: str | None, command: str, detail: str) -> None:
    from jianghu.store import open_store

    with open_store(resolve_db_url(db)) as store:
        store.log_reveal(command, detail)


@app.command()
@handles_errors
def entities(
    db: DbOption = None,
    json: JsonOption = False,
    type_: Annotated[str | None, typer.Option("--type", help="Only this indicator type.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100000, help="How many to list.")] = 50,
    all_: Annotated[
        bool, typer.Option("--all", help="Include prices, quantities and USDT mentions.")
    ] = False,
    reveal: RevealOption = False,
) -> None:
    """The most seen indicators, with how many messages, channels and authors."""
    from jianghu.analysis.entities import Entity
    from jianghu.analysis.entities.masking import MASKED_TYPES
    from jianghu.faces.masking import mask_entity
    from jianghu.store import open_store

    with open_store(resolve_db_url(db)) as store:
        # Prices and quantities describe offers; they are not indicators to look up, so
        # they are listed only when asked for.
        hidden = () if all_ or type_ else ("price", "quantity", "usdt")
        rows = store.top_entities(type_, limit, exclude=hidden)
        if reveal and any(r.type in MASKED_TYPES for r in rows):
            store.log_reveal("entities", f"type={type_!r} limit={limit}")

    def shown(r: Any) -> tuple[str, str]:
        if reveal or r.type not in MASKED_TYPES:
            return r.normalized, r.example
        masked = mask_entity(Entity(r.type, r.example, r.normalized, 0, 0))
        return masked.normalized, masked.value

    if json:
        print_json(
            [
                {
                    "type": r.type,
                    "normalized": shown(r)[0],
                    "example": shown(r)[1],
                    "messages": r.messages,
                    "channels": r.channels,
                    "authors": r.authors,
                    "first_seen": r.first_seen.isoformat(),
                    "last_seen": r.last_seen.isoformat(),
                }
                for r in rows
            ]
        )
        return
    table = Table(header_style="bold")
    for name in ("type", "indicator", "messages", "channels", "authors", "first seen", "last seen"):
        table.add_column(name, overflow="fold")
    for r in rows:
        table.add_row(
            r.type,
            Text(terminal_safe(shown(r)[0], keep_newlines=False)),
            str(r.messages),
            str(r.channels),
            str(r.authors),
            r.first_seen.strftime("%Y-%m-%d"),
            r.last_seen.strftime("%Y-%m-%d"),
        )
    out.print(table)


# ---- language ----------------------------------------------------------------------------


@app.command()
@handles_errors
def gloss(
    text: Annotated[str, typer.Argument(help="A message, or - to gloss each line of stdin.")],
    json: JsonOption = False,
    lexicon: LexiconOption = None,
) -> None:
    """The message with every recognised jargon term explained in English."""
    from pathlib import Path as _Path

    from jianghu.analysis.gloss import gloss as run_gloss
    from jianghu.analysis.language import detect_language
    from jianghu.analysis.lexicon import load_lexicon
    from jianghu.faces.masking import mask_entity, mask_text

    lex = load_lexicon([_Path(p) for p in lexicon_paths(lexicon)])
    texts = [line.rstrip("\n") for line in sys.stdin] if text == "-" else [text]
    for message in texts:
        result = run_gloss(message, lex)
        if json:
            print_json(
                {
                    # Victims' data is masked here too; spans still index the original.
                    "text": mask_text(message, result.entities),
                    "language": detect_language(message),
                    "annotated": result.annotated,
                    "entities": [entity_json(mask_entity(e)) for e in result.entities],
                    "terms": [
                        {
                            "term": h.term,
                            "canonical": h.canonical,
                            "kind": h.kind,
                            "category": h.category,
                            "gloss": h.gloss,
                            "start": h.start,
                            "end": h.end,
                            "score": h.score,
                            "attack_id": h.attack_id,
                        }
                        for h in result.terms
                    ],
                }
            )
            continue
        out.print(glossed(message, result.spans))


def glossed(text: str, spans: Any) -> Text:
    """Each term in colour with its gloss after it; every piece made terminal-safe."""
    shown = Text()
    pos = 0
    for span in spans:
        shown.append(terminal_safe(text[pos : span.start]))
        shown.append(terminal_safe(span.shown), style="bold cyan")
        shown.append(f"[{terminal_safe(span.label, keep_newlines=False)}]", style="dim")
        pos = span.end
    shown.append(terminal_safe(text[pos:]))
    return shown


# ---- eval ------------------------------------------------------------------------------
@eval_app.command("entities")
@handles_errors
def eval_entities(
    json: JsonOption = False,
    labelled: Annotated[
        Path | None, typer.Option(help="JSONL of {id,text,entities} (default: the shipped set).")
    ] = None,
    traps: Annotated[Path | None, typer.Option(help="JSONL of {text,imitates} traps.")] = None,
    show_errors: Annotated[int, typer.Option(help="Print this many disagreements.")] = 0,
) -> None:
    """Precision and recall per indicator type, and the trap corpus pass rate."""
    from jianghu.analysis.entities.evaluate import DATA_DIR, evaluate

    report = evaluate(labelled or DATA_DIR / "labelled.jsonl", traps or DATA_DIR / "traps.jsonl")
    if json:
        print_json(
            {
                "messages": report.messages,
                "types": {
                    s.type: {
                        "tp": s.tp,
                        "fp": s.fp,
                        "fn": s.fn,
                        "precision": s.precision,
                        "recall": s.recall,
                    }
                    for s in report.types
                },
                "traps": {t.imitates: {"total": t.total, "clean": t.clean} for t in report.traps},
                "trap_pass_rate": report.trap_pass_rate,
                "errors": report.errors,
            }
        )
        return
    table = Table(title=f"indicators on {report.messages} labelled messages", header_style="bold")
    for name in ("type", "tp", "fp", "fn", "precision", "recall"):
        table.add_column(name, justify="left" if name == "type" else "right")
    for sc in report.types:
        table.add_row(
            sc.type, str(sc.tp), str(sc.fp), str(sc.fn), f"{sc.precision:.3f}", f"{sc.recall:.3f}"
        )
    out.print(table)
    traps_total = sum(t.total for t in report.traps)
    out.print(
        Text(
            f"trap corpus: {traps_total} look-alikes, {report.trap_pass_rate:.1%} produce no "
            "entity of the type they imitate"
        )
    )
    for line in report.errors[:show_errors]:
        out.print(Text(terminal_safe(line, keep_newlines=False), style="yellow"))


@eval_app.command("language")
@handles_errors
def eval_language(json: JsonOption = False) -> None:
    """Accuracy of language identification on the project's labelled set."""
    from jianghu.analysis.language import evaluate_language

    report: dict[str, Any] = evaluate_language()
    if json:
        print_json(report)
        return
    table = Table(title=f"language on {report['messages']} labelled messages", header_style="bold")
    for name in ("label", "right", "total"):
        table.add_column(name, justify="left" if name == "label" else "right")
    for label, row in report["by_label"].items():
        table.add_row(label, str(row["right"]), str(row["total"]))
    out.print(table)
    out.print(Text(f"accuracy {report['accuracy']:.1%}"))
    for c in report["confusions"]:
        out.print(Text(f"{c['expected']} read as {c['got']}: {c['count']}", style="yellow"))


@eval_app.command("lexicon")
@handles_errors
def eval_lexicon(
    json: JsonOption = False,
    lexicon: LexiconOption = None,
    demo: Annotated[
        int, typer.Option(min=0, help="Also measure coverage on N generated demo messages.")
    ] = 2000,
) -> None:
    """Coverage of labelled spelling variants (traditional, spaced, emoji-split, homophone,
    abbreviated) of known terms, kept apart from the lexicon files; and the share of demo
    messages in which the lexicon recognises at least one term, per chat."""
    from pathlib import Path as _Path

    from jianghu.analysis.gloss import evaluate_lexicon
    from jianghu.analysis.lexicon import load_lexicon

    lex = load_lexicon([_Path(p) for p in lexicon_paths(lexicon)])
    report = evaluate_lexicon(lex)
    on_demo = _demo_coverage(lex, demo) if demo else {}
    if json:
        print_json(
            {
                "total": report.total,
                "recognised": report.recognised,
                "coverage": report.coverage,
                "by_variant": {
                    k: {"recognised": a, "total": b} for k, (a, b) in report.by_variant.items()
                },
                "misses": [
                    {"text": m.text, "expected": m.expected, "variant": m.variant, "found": m.found}
                    for m in report.misses
                ],
                "terms": len(lex.terms()),
                "demo": on_demo,
            }
        )
        return
    table = Table(
        title=f"lexicon coverage of {report.total} spelling variants", header_style="bold"
    )
    for name in ("variant", "recognised", "total", "coverage"):
        table.add_column(name, justify="left" if name == "variant" else "right")
    for kind, (good, total) in report.by_variant.items():
        table.add_row(kind, str(good), str(total), f"{good / total:.1%}" if total else "-")
    table.add_row("all", str(report.recognised), str(report.total), f"{report.coverage:.1%}")
    out.print(table)
    if on_demo:
        demo_table = Table(
            title=f"demo corpus ({demo} messages): messages with a known term", header_style="bold"
        )
        for name in ("chat", "with a term", "messages", "share"):
            demo_table.add_column(name, justify="left" if name == "chat" else "right")
        for chat, row in on_demo.items():
            demo_table.add_row(
                Text(terminal_safe(chat, keep_newlines=False)),
                str(row["with_term"]),
                str(row["messages"]),
                f"{row['with_term'] / row['messages']:.1%}",
            )
        out.print(demo_table)
    for miss in report.misses:
        found = ", ".join(miss.found) or "nothing"
        line = f"missed {miss.text!r}: expected {miss.expected}, found {found}"
        out.print(Text(terminal_safe(line, keep_newlines=False), style="yellow"))


def _demo_coverage(lex: Any, count: int) -> dict[str, dict[str, int]]:
    """Per demo chat: messages, and those with at least one recognised term."""
    import tempfile

    from jianghu.analysis.normalize import normalize
    from jianghu.demo import write_demo_export
    from jianghu.sources.base import open_source

    rows: dict[str, dict[str, int]] = {}
    with tempfile.TemporaryDirectory(prefix="jianghu-eval-") as tmp:
        path = Path(tmp) / "result.json"
        write_demo_export(path, messages=count, seed=11)
        for message in open_source(path).iter_messages():
            if message.kind != "message" or not message.text:
                continue
            row = rows.setdefault(
                message.channel.name or message.channel.key, {"messages": 0, "with_term": 0}
            )
            row["messages"] += 1
            row["with_term"] += bool(lex.match(normalize(message.text)))
    total = {
        "messages": sum(r["messages"] for r in rows.values()),
        "with_term": sum(r["with_term"] for r in rows.values()),
    }
    return {**rows, "all chats": total}


# ---- demo ------------------------------------------------------------------------------
@app.command()
@handles_errors
def demo(
    db: DbOption = None,
    json: JsonOption = False,
    messages: Annotated[int, typer.Option(min=1, help="How many messages to generate.")] = 5000,
    seed: Annotated[int, typer.Option(help="Seed of the generator (same seed, same corpus).")] = 7,
    out_path: Annotated[
        Path | None,
        typer.Option("--out", help="Write the export here and stop (no ingest)."),
    ] = None,
) -> None:
    """Generate the demo corpus (a Telegram Desktop export) and ingest it."""
    from jianghu.demo import write_demo_export
    from jianghu.ingest import ingest as run_ingest
    from jianghu.store import DEFAULT_URL, open_store

    target = out_path or Path("demo") / "result.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileProgress(err, label="generating") as gen_progress:
        gen_progress.start_file(target, messages)
        summary = write_demo_export(
            target, messages=messages, seed=seed, progress=gen_progress.advance
        )
        gen_progress.end_file()
    if out_path is not None:
        if json:
            print_json(
                {
                    "path": str(target),
                    "messages": summary.messages,
                    "service_messages": summary.service_messages,
                    "chats": summary.chats,
                    "bytes": summary.bytes_written,
                }
            )
        else:
            out.print(
                Text(f"wrote {summary.messages} messages in {summary.chats} chats to {target}")
            )
        return
    url = resolve_db_url(db)
    with open_store(url) as store:
        with FileProgress(err) as progress:
            report = run_ingest(store, [target], {}, progress)
        totals = store.summary()
        by_category = store.category_counts()
        from jianghu.intel.actor_build import build_actors
        from jianghu.intel.offers import build_offers

        with err.status("grouping reposted ads into offers"):
            offer_report = build_offers(store)
        with err.status("linking accounts into actors"):
            actor_report = build_actors(store)
        from jianghu.report.build import landscape
        from jianghu.report.write import write_report
        from jianghu.store.selection import SelectionFilters

        with err.status("writing the landscape report") as status:
            built = landscape(store, SelectionFilters(), url, step=lambda s: status.update(s))
            written = write_report(built, target.parent / "report")
    if json:
        print_json(
            {
                "ingest": report.to_json(),
                "store": url,
                "messages": totals.messages,
                "channels": totals.channels,
                "authors": totals.authors,
                "categories": [
                    {"category": c, "intent": i, "messages": n} for c, i, n in by_category
                ],
                "offers": offer_report.to_json(),
                "actors": actor_report.to_json(),
                "report": {"html": str(written.html), "markdown": str(written.markdown)},
            }
        )
        return
    table = Table(title=f"demo corpus in {url}", header_style="bold")
    table.add_column("channel")
    table.add_column("messages", justify="right")
    for name, count in totals.by_channel:
        table.add_row(Text(terminal_safe(name, keep_newlines=False)), str(count))
    out.print(table)
    out.print(
        Text(
            f"{totals.messages} messages, {totals.events} service events, "
            f"{totals.channels} channels, {totals.authors} authors"
        )
    )
    out.print(category_table(by_category))
    out.print(
        Text(
            f"{offer_report.offers} offers from {offer_report.candidates} offer messages "
            f"({offer_report.reposted} reposted); {actor_report.actors} actors from "
            f"{actor_report.accounts} accounts ({actor_report.multi_account_actors} with several)"
        )
    )
    command = sys.argv[0] if "/" in sys.argv[0] else "jianghu"
    where = "" if url == DEFAULT_URL else f" --db {url}"
    out.print(Text("try next:", style="bold"))
    for example in (
        "search 料",
        "search 查詢",
        "search 四件套 --channel 担保",
        "search CVV --json",
        "search --category card_fraud --intent buy",
        "offers --category data_leak",
        "actors --max-reputation 20",
        "entities --limit 10",
        f"export stix -o {target.parent / 'bundle.json'}",
    ):
        out.print(Text(f"  {command} {example}{where}"))
    out.print(Text(f'  {command} gloss "出一手料 四件套 菠菜 冰蝎免杀 飛機@example_boss"'))
    out.print(Text(f"  {command} --help"))
    out.print(Text(f"landscape report: {written.html.resolve()}", style="bold"))
    out.print(Text(f"  (Markdown: {written.markdown})"))


# ---- bench -----------------------------------------------------------------------------
@app.command()
@handles_errors
def reanalyze(
    db: DbOption = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Messages per transaction.")] = 1000,
    workers: Annotated[
        int, typer.Option(min=0, help="Analysis processes (0: in this process).")
    ] = 0,
    json: JsonOption = False,
    engine: EngineOption = "local",
    scheduler: SchedulerOption = None,
    cluster_workers: ClusterWorkersOption = 2,
) -> None:
    """Re-run analysis (indicators, language, categories, intent) over stored messages
    that have none or one from another lexicon or model version. Safe to interrupt: run
    it again and it goes on where it stopped."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from jianghu.reanalyze import reanalyze as run
    from jianghu.scale.cluster import check_engine
    from jianghu.store import open_store

    url = resolve_db_url(db)
    check_engine(engine, url)
    with (
        open_store(url) as store,
        Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err,
            disable=json,
        ) as bar,
    ):
        task = bar.add_task("reanalysing", total=None)
        if engine == "dask":
            from jianghu.scale.cluster import dask_client
            from jianghu.scale.reanalyze_dask import reanalyze_dask

            with dask_client(scheduler, cluster_workers) as client:
                report = reanalyze_dask(
                    store,
                    url,
                    client,
                    batch_size=batch_size,
                    advance=lambda n: bar.advance(task, n),
                    on_start=lambda total: bar.update(task, total=total),
                )
        else:
            report = run(
                store,
                batch_size=batch_size,
                workers=workers,
                advance=lambda n: bar.advance(task, n),
                on_start=lambda total: bar.update(task, total=total),
            )
    if json:
        print_json(report.to_json())
        return
    out.print(
        f"reanalysed {report.analysed} of {report.stale} stale message(s) with lexicon "
        f"{report.lexicon_version} and model {report.model_version}"
    )


def _print_bench(result: dict[str, Any], json: bool) -> None:
    if json:
        print_json(result)
        return
    width = max(map(len, result), default=0)
    for key, value in result.items():
        out.print(Text(f"{key:>{width}}: {value}"))


@bench_app.command("ingest")
@handles_errors
def bench_ingest(
    messages: Annotated[
        int, typer.Option(min=1000, help="Messages to generate and ingest.")
    ] = 100_000,
    json: JsonOption = False,
    workdir: Annotated[
        Path | None, typer.Option(help="Folder for the export and the store.")
    ] = None,
    watchlist_rules: Annotated[
        int, typer.Option(min=0, help="Also ingest with N generated watchlist rules active.")
    ] = 0,
) -> None:
    """Generate N messages, ingest them into a fresh SQLite store, compare with orjson."""
    from jianghu.bench import run_ingest_bench

    result = run_ingest_bench(
        messages,
        workdir,
        log=lambda s: err.print(Text(s, style="dim")),
        watchlist_rules=watchlist_rules,
    )
    _print_bench(result, json)


@bench_app.command("analyze")
@handles_errors
def bench_analyze(
    messages: Annotated[int, typer.Option(min=1000, help="Demo messages to analyse.")] = 20_000,
    json: JsonOption = False,
    workdir: Annotated[Path | None, typer.Option(help="Folder for the export.")] = None,
) -> None:
    """Analysis throughput (normalise, lexicon, entities, language, classify) per step on
    one core and in two processes, against the lexicon alone as the baseline."""
    from jianghu.bench import run_analyze_bench

    result = run_analyze_bench(messages, workdir, log=lambda s: err.print(Text(s, style="dim")))
    _print_bench(result, json)


@bench_app.command("intel")
@handles_errors
def bench_intel(
    messages: Annotated[
        int, typer.Option(min=1000, help="Demo messages to generate and ingest first.")
    ] = 1_000_000,
    json: JsonOption = False,
    workdir: Annotated[Path | None, typer.Option(help="Folder for the export and store.")] = None,
) -> None:
    """Offer clustering and actor linking on N demo messages (after ingesting them), each
    in a fresh process, against reading every offer message once as the baseline."""
    from jianghu.bench import run_intel_bench

    result = run_intel_bench(messages, workdir, log=lambda s: err.print(Text(s, style="dim")))
    _print_bench(result, json)


@bench_app.command("scale")
@handles_errors
def bench_scale(
    messages: Annotated[
        int, typer.Option(min=1000, help="Demo messages to generate and ingest each time.")
    ] = 100_000,
    db: Annotated[
        str,
        typer.Option(
            "--db", help="PostgreSQL server (a database to connect to; runs get their own)."
        ),
    ] = "postgresql://postgres@127.0.0.1:5432/test",
    json: JsonOption = False,
    workdir: Annotated[Path | None, typer.Option(help="Folder for the export.")] = None,
) -> None:
    """Ingest throughput on a local Dask cluster of 1 and 2 worker processes into
    PostgreSQL, against the single-machine ingest into PostgreSQL as the baseline."""
    from jianghu.bench_scale import run_scale_bench

    result = run_scale_bench(messages, db, workdir, log=lambda s: err.print(Text(s, style="dim")))
    _print_bench(result, json)


bench_app.command("search")(bench_search)


@bench_app.command("serve")
@handles_errors
def bench_serve(
    messages: Annotated[
        int, typer.Option(min=1000, help="Demo messages in the store (generated once).")
    ] = 1_000_000,
    db: Annotated[
        str | None, typer.Option("--db", help="Measure this store instead of a demo one.")
    ] = None,
    json: JsonOption = False,
    workdir: Annotated[
        Path | None, typer.Option(help="Folder for the demo store (kept for reuse).")
    ] = None,
    passes: Annotated[int, typer.Option(min=1, help="Timed passes over the mix.")] = 3,
) -> None:
    """Search latency through the HTTP API (p50/p95 over a fixed mix of 100 queries)
    against the same queries on the store directly."""
    from jianghu.bench_serve import prepare_store, run_serve_bench

    def log(s: str) -> None:
        err.print(Text(s, style="dim"))

    folder = workdir or Path("bench-serve")
    folder.mkdir(parents=True, exist_ok=True)
    url = db or prepare_store(folder, messages, log)
    result = run_serve_bench(url, None if db else messages, passes, log)
    _print_bench(result, json)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
