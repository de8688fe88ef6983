"""What every part of the command line shares: the consoles, the common options, the
one-line error handling and JSON output. ``jianghu.cli`` and the sub-commands mounted
on it (collect, jargon) import from here, so none of them imports another."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import orjson
import typer
from rich.console import Console
from rich.text import Text

from jianghu.errors import JianghuError
from jianghu.faces.safe_text import terminal_safe

out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Store URL: sqlite:///path (default ./jianghu.db) or postgresql://…"),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
LexiconOption = Annotated[
    list[str] | None,
    typer.Option("--lexicon", help="Extra lexicon file (TSV); repeatable. Env: JIANGHU_LEXICON."),
]

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = 2) -> typer.Exit:
    err.print(Text("error: " + terminal_safe(message, keep_newlines=False), style="red"))
    return typer.Exit(code)


def handles_errors(fn: F) -> F:
    """Turn library errors into one line and exit status 2."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except JianghuError as exc:
            raise fail(str(exc)) from None
        except KeyboardInterrupt:
            raise fail("interrupted", 130) from None

    return wrapper  # type: ignore[return-value]


def print_json(value: Any) -> None:
    sys.stdout.write(orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode() + "\n")
