"""``jianghu collect telegram``: live collection with the analyst's own Telegram account.

``jianghu.cli`` mounts :data:`collect_app` (``app.add_typer(collect_app, name="collect")``);
the helpers all commands share come from :mod:`jianghu.faces.cli_common`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from jianghu.faces.cli_common import (
    err,
    handles_errors,
    out,
    print_json,
)
from jianghu.faces.safe_text import terminal_safe

collect_app = typer.Typer(
    help="Collect messages live from chat platforms with your own account.",
    no_args_is_help=True,
)


def _line(text: str) -> Text:
    return Text(terminal_safe(text, keep_newlines=False))


@collect_app.command("telegram")
@handles_errors
def telegram(
    chats: Annotated[
        Path, typer.Option("--chats", help="File of chats: @username, t.me link or id a line.")
    ],
    session: Annotated[
        str | None,
        typer.Option(help="Telethon session name (file NAME.session). Env: JIANGHU_TG_SESSION."),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db", help="Store URL: sqlite:///path (default ./jianghu.db) or postgresql://…"
        ),
    ] = None,
    follow: Annotated[
        bool, typer.Option(help="After the backfill, keep storing new messages and edits.")
    ] = True,
    takeout: Annotated[
        bool, typer.Option(help="Read history through a takeout session (large backfills).")
    ] = False,
    json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
) -> None:
    """Backfill the listed chats from where the store left off, then follow them.

    API id and hash: JIANGHU_TG_API_ID, JIANGHU_TG_API_HASH (never printed). No media fetched.
    """
    from jianghu.errors import ConfigError
    from jianghu.intel.collect import ChatResult, Collector, read_chats_file
    from jianghu.intel.telethon_client import TelethonChatClient, credentials
    from jianghu.settings import resolve_db_url
    from jianghu.store import open_store

    refs = read_chats_file(chats)
    if not refs:
        raise ConfigError(f"--chats {chats}: no chats listed")
    name, api_id, api_hash = credentials(session)

    def on_wait(ref: str, seconds: int) -> None:
        err.print(_line(f"{ref}: Telegram asks to wait {seconds} s (flood wait); waiting"))

    def on_batch(result: ChatResult) -> None:
        if not json:
            err.print(_line(f"{result.ref}: stored up to message {result.last_id}"))

    store = open_store(resolve_db_url(db))
    try:

        async def main() -> Any:
            async with TelethonChatClient(name, api_id, api_hash, use_takeout=takeout) as client:
                collector = Collector(client, store, on_wait=on_wait, on_batch=on_batch)
                return await collector.run(refs, follow=follow)

        report = asyncio.run(main())
    finally:
        store.close()
    if json:
        print_json(
            {
                "ok": report.ok,
                "chats": [
                    {
                        "ref": c.ref,
                        "chat_key": c.chat_key,
                        "new": c.counts.new,
                        "updated": c.counts.updated,
                        "unchanged": c.counts.unchanged,
                        "events": c.counts.events,
                        "last_id": c.last_id,
                        "waited": c.waited,
                        "error": c.error,
                    }
                    for c in report.chats
                ],
            }
        )
    else:
        for c in report.chats:
            if c.error is not None:
                err.print(Text(terminal_safe(f"{c.ref}: {c.error}", keep_newlines=False),
                               style="yellow"))  # fmt: skip
            else:
                out.print(
                    _line(
                        f"{c.ref} ({c.name or c.chat_key}): {c.counts.new} new, "
                        f"{c.counts.updated} updated, {c.counts.unchanged} unchanged, "
                        f"{c.counts.events} service events; up to message {c.last_id}"
                    )
                )
    if not report.ok:
        raise typer.Exit(1)
