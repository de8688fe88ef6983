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
    DbOption,
    JsonOption,
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
    media_limit: Annotated[
        int,
        typer.Option(min=0, help="Save media files up to this many bytes (0: never, the default)."),
    ] = 0,
    media_dir: Annotated[
        Path, typer.Option(help="Folder for saved media (never opened by jianghu).")
    ] = Path("media"),
    watchlist: Annotated[
        Path | None, typer.Option(help="Raise alerts from this watchlist as batches are stored.")
    ] = None,
) -> None:
    """Backfill the listed chats from where the store left off, then follow them.

    API id and hash: JIANGHU_TG_API_ID, JIANGHU_TG_API_HASH (never printed). Media is not
    fetched unless --media-limit is given.
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

    from jianghu.intel.alerts import after_batch_scanner
    from jianghu.intel.watchlist import load_watchlist

    rules = None if watchlist is None else load_watchlist(watchlist, must_exist=True)
    with open_store(resolve_db_url(db)) as store:
        hook, raised = after_batch_scanner(store, rules) if rules else (None, None)

        async def main() -> Any:
            async with TelethonChatClient(name, api_id, api_hash, use_takeout=takeout) as client:
                collector = Collector(
                    client,
                    store,
                    on_wait=on_wait,
                    on_batch=on_batch,
                    media_dir=media_dir,
                    media_limit=media_limit,
                    after_batch=hook,
                )
                return await collector.run(refs, follow=follow)

        report = asyncio.run(main())
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
                **({"alerts": raised.to_json()} if raised is not None else {}),
            }
        )
    else:
        if raised is not None:
            out.print(_line(f"watchlist: {raised.hits} hit(s), {raised.new_alerts} new alert(s)"))
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


@collect_app.command("forum")
@handles_errors
def forum(
    url: Annotated[str, typer.Argument(help="First thread page to fetch (http or https).")],
    layout: Annotated[
        str, typer.Option("--layout", help="Built-in layout name (discuz, phpbb, xenforo) or file.")
    ],
    pages: Annotated[
        int,
        typer.Option(min=1, help="Walk at most this many pages (saved ones are not refetched)."),
    ] = 10,
    delay: Annotated[
        float, typer.Option(min=0.0, help="Seconds between requests (robots Crawl-delay wins).")
    ] = 3.0,
    proxy: Annotated[
        str | None, typer.Option(help="Proxy URL, e.g. socks5h://127.0.0.1:9050 for Tor.")
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Folder for saved pages (default ./crawl/HOST/).")
    ] = None,
    refresh: Annotated[
        bool, typer.Option(help="Revalidate pages already saved instead of reusing them.")
    ] = False,
    contact: Annotated[
        str | None,
        typer.Option(
            envvar="JIANGHU_CRAWL_CONTACT", help="Contact put in the User-Agent (URL or e-mail)."
        ),
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Politely crawl one forum thread (its next-page links only), save and ingest the pages.

    One host per run; robots.txt honoured; resumable from the state file in the folder.
    """
    from jianghu.errors import ConfigError
    from jianghu.intel.crawl_state import CrawlOptions

    try:  # httpx (and socksio for --proxy socks5h://…) are an optional part
        from jianghu.intel.crawl_forum import ForumCrawler, default_folder, ingest_pages
    except ImportError as exc:
        raise ConfigError(f'{exc}; install with: pip install "httpx[socks]"') from exc
    from jianghu.settings import resolve_db_url
    from jianghu.store import open_store

    options = CrawlOptions(pages=pages, delay=delay, refresh=refresh, proxy=proxy, contact=contact)
    try:
        crawler = ForumCrawler(out_dir or default_folder(url), layout, options)
    except ImportError as exc:  # httpx asks for socksio only when a SOCKS proxy is used
        raise ConfigError(f'{exc}; install with: pip install "httpx[socks]"') from exc
    try:
        report = crawler.crawl(url)
    finally:
        crawler.close()
    with open_store(resolve_db_url(db)) as store:
        ingested = ingest_pages(store, crawler, report)
    if json:
        print_json({**report.to_json(), "ingest": ingested.to_json()})
    else:
        for skipped, reason in report.skipped:
            err.print(Text(terminal_safe(f"skipped {skipped}: {reason}", keep_newlines=False),
                           style="yellow"))  # fmt: skip
        out.print(
            _line(
                f"{report.host}: {len(report.fetched)} pages fetched, {len(report.reused)} "
                f"already saved; {ingested.counts.new} new messages, {ingested.counts.updated} "
                f"updated, {ingested.rejected} rejected"
            )
        )
        if report.next_url:
            out.print(_line(f"next page (rerun with more --pages): {report.next_url}"))
    # A skipped link (robots, other host) is reported above but is not a failure.
    if not ingested.ok:
        raise typer.Exit(1)
