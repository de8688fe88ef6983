"""``jianghu jargon candidates|accept`` and ``jianghu eval jargon``.

``jianghu.cli`` mounts :data:`jargon_app` and registers :func:`eval_jargon`; the helpers
all commands share come from :mod:`jianghu.faces.cli_common`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import msgspec
import typer
from rich.table import Table
from rich.text import Text

from jianghu.faces.cli_common import (
    DbOption,
    JsonOption,
    LexiconOption,
    handles_errors,
    out,
    print_json,
)
from jianghu.faces.safe_text import terminal_safe

jargon_app = typer.Typer(
    help="Discover unknown jargon in the store and add it to your lexicon.",
    no_args_is_help=True,
)

DEFAULT_LEXICON_FILE = Path("jianghu-lexicon.tsv")


def _safe(text: str) -> Text:
    return Text(terminal_safe(text, keep_newlines=False))


def _lexicon(flags: list[str] | None) -> Any:
    from jianghu.analysis.lexicon import load_lexicon
    from jianghu.settings import lexicon_paths

    return load_lexicon([Path(p) for p in lexicon_paths(flags)])


@jargon_app.command("candidates")
@handles_errors
def candidates(
    db: DbOption = None,
    limit: Annotated[int, typer.Option(min=1, help="How many candidates to show.")] = 30,
    json: JsonOption = False,
    lexicon: LexiconOption = None,
) -> None:
    """Unknown terms that behave like jargon: frequent in offers, rare in chat."""
    from jianghu.intel.jargon import mine_store
    from jianghu.settings import resolve_db_url
    from jianghu.store import open_store

    lex = _lexicon(lexicon)
    with open_store(resolve_db_url(db)) as store:
        found = mine_store(store, lex, limit)
    if json:
        print_json([msgspec.to_builtins(c) for c in found])
        return
    out.print(_candidate_table(found, f"{len(found)} jargon candidates"))


def _candidate_table(found: Sequence[Any], title: str) -> Table:
    table = Table(title=title, header_style="bold")
    for name in ("#", "term", "score", "offers", "chat", "near", "example"):
        table.add_column(name, justify="right" if name in ("#", "score", "offers") else "left")
    for position, c in enumerate(found, 1):
        table.add_row(str(position), _safe(c.term), f"{c.score:.2f}", str(c.offer_docs),
                      str(c.other_docs), f"{c.near:.0%}",
                      _safe(c.examples[0] if c.examples else ""))  # fmt: skip
    return table


@jargon_app.command("accept")
@handles_errors
def accept(
    term: Annotated[str, typer.Argument(help="The term as it is written.")],
    category: Annotated[str, typer.Option(help="A taxonomy category, or - for none.")],
    gloss: Annotated[str, typer.Option(help="What it means, in English.")],
    kind: Annotated[str, typer.Option(help="offer, trade_term, drug_slang, tool, …")] = "offer",
    file: Annotated[
        Path | None,
        typer.Option(
            help="Lexicon file to append to (default: the first JIANGHU_LEXICON "
            "file, else ./jianghu-lexicon.tsv)."
        ),
    ] = None,
) -> None:
    """Add a discovered term to your lexicon file."""
    from jianghu.intel.jargon import accept_term
    from jianghu.settings import lexicon_paths

    configured = lexicon_paths(None)
    path = file or (Path(configured[0]) if configured else DEFAULT_LEXICON_FILE)
    sense = accept_term(term, category, gloss, kind, path)
    line = f"added {sense.term} ({sense.kind}, {sense.category or '-'}) to {path}"
    out.print(_safe(line))


def _default_corpus() -> Path:
    shared = Path(os.environ.get("JIANGHU_SHARED", "../shared"))
    return shared / "corpora" / "tumcc" / "TUMCC-clean.txt"


@handles_errors
def eval_jargon(
    corpus: Annotated[
        Path | None,
        typer.Option(
            help="One message a line (default: $JIANGHU_SHARED or ../shared, "
            "corpora/tumcc/TUMCC-clean.txt)."
        ),
    ] = None,
    hide: Annotated[int, typer.Option(min=1, help="Known terms to hide.")] = 40,
    seed: Annotated[int, typer.Option(help="Seed of the choice of hidden terms.")] = 0,
    lines: Annotated[int | None, typer.Option(min=1, help="Use only the first N lines.")] = None,
    json: JsonOption = False,
    lexicon: LexiconOption = None,
) -> None:
    """Rediscovery of hidden lexicon terms by the jargon miner versus plain frequency."""
    from jianghu.analysis.jargon_eval import load_corpus, rediscover

    path = corpus or _default_corpus()
    texts = load_corpus(path, lines)
    report = rediscover(texts, _lexicon(lexicon), hide=hide, seed=seed, corpus=str(path))
    if json:
        print_json(msgspec.to_builtins(report))
        return
    out.print(
        _safe(
            f"{report.corpus}: {report.lines} lines, {report.unique_lines} distinct, "
            f"{report.offer_like} offer-like; hid {report.hide} of {report.eligible} "
            f"eligible terms (seed {report.seed}); {report.seconds:.1f} s"
        )
    )
    table = Table(title="recall of the hidden terms", header_style="bold")
    for name in ("cutoff", "miner", "frequency baseline"):
        table.add_column(name, justify="right")
    for cutoff, recall in report.miner_recall.items():
        table.add_row(f"@{cutoff}", f"{recall:.1%}", f"{report.baseline_recall[cutoff]:.1%}")
    out.print(table)
    hidden = Table(title="hidden terms", header_style="bold")
    for name in ("term", "category", "lines", "miner rank", "baseline rank"):
        hidden.add_column(name)
    for h in report.hidden:
        hidden.add_row(_safe(h.term), h.category, str(h.lines), str(h.miner_rank or "-"),
                       str(h.baseline_rank or "-"))  # fmt: skip
    out.print(hidden)
    out.print(_candidate_table(report.new_candidates, "top new candidates (not in the lexicon)"))
