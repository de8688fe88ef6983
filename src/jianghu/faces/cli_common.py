"""What every part of the command line shares: the consoles, the common options, the
one-line error handling and JSON output. ``jianghu.cli`` and the sub-commands mounted
on it (collect, jargon) import from here, so none of them imports another."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from jianghu.errors import ConfigError, JianghuError, QueryError
from jianghu.faces.safe_text import json_text, terminal_safe

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
        except BrokenPipeError:
            # The reader went away (``| head``): stop quietly, and keep Python from
            # complaining when it flushes standard output at exit.
            _silence_stdout()
            raise typer.Exit(1) from None
        except OSError as exc:
            # Writing the output failed (a full disk, a closed terminal): one line, as
            # for every other error; reading errors are reported by the readers.
            where = exc.filename or "standard output"
            _silence_stdout()
            raise fail(f"{where}: cannot write: {exc.strerror or exc}") from None

    return wrapper  # type: ignore[return-value]


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (a test runner's buffer)
        pass


def print_json(value: Any) -> None:
    sys.stdout.write(json_text(value) + "\n")


def parse_when(value: str | None, option: str, end_of_day: bool = False) -> datetime | None:
    """ISO date or date-time; naive means UTC. A bare date as --until includes that day."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(
            f"{option} {value!r}: expected a date like 2026-03-01 or 2026-03-01T12:00"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        parsed = parsed.astimezone(UTC)  # the stores compare instants in UTC
        if end_of_day and len(value) == 10:
            parsed += timedelta(days=1)
    except OverflowError:
        # Within a day of the calendar's ends (9999-12-31 as "no end"): the end itself.
        edge = datetime.max if parsed.year > 1 else datetime.min
        parsed = edge.replace(tzinfo=UTC)
    return parsed


def check_choice(option: str, value: str | None, allowed: tuple[str, ...]) -> None:
    """A filter value that must be one of ``allowed`` (categories, intents …)."""
    if value is not None and value not in allowed:
        raise QueryError(f"{option} {value!r}: expected one of {', '.join(allowed)}")
