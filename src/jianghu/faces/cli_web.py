"""``jianghu serve`` (the web workspace) and ``jianghu users`` (its analysts)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from jianghu.errors import ConfigError
from jianghu.faces.cli_common import DbOption, err, handles_errors, out
from jianghu.settings import resolve_db_url

users_app = typer.Typer(help="Analysts of the web workspace, each with their own token.")

INSTALL_HINT = "the web workspace needs its extra: pip install 'jianghu[web]'"


@handles_errors
def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8411,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option("--allowed-host", help="Another Host name to answer (a proxy's); repeatable."),
    ] = None,
    secure_cookies: Annotated[
        bool, typer.Option(help="Mark cookies Secure (when a TLS proxy is in front).")
    ] = False,
) -> None:
    """Serve the analysts' workspace and the HTTP API (/api/v1) on HOST:PORT. Off
    loopback, analysts must sign in with their tokens and the server refuses to start
    until there is at least one ('jianghu users add NAME')."""
    try:
        import uvicorn

        from jianghu.web.app import create_app
        from jianghu.web.config import WebConfig, is_loopback
    except ImportError as exc:
        raise ConfigError(INSTALL_HINT) from exc
    from jianghu.store import open_store
    from jianghu.store.analysts import has_analysts

    url = resolve_db_url(db)
    with open_store(url) as store:
        analysts = has_analysts(store)
    if not is_loopback(host) and not analysts:
        raise ConfigError(
            f"--host {host}: off loopback every analyst signs in; add one first with "
            "'jianghu users add NAME'"
        )
    config = WebConfig(url, host, port, tuple(allowed_host or ()), secure_cookies)
    shown = f"[{host}]" if ":" in host else host
    err.print(Text(f"jianghu workspace on http://{shown}:{port}/ (Ctrl-C stops)"))
    if not analysts:
        err.print(Text("no analysts defined: loopback only, as the local analyst"))
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning",
                server_header=False, proxy_headers=False)  # fmt: skip


@users_app.command("add")
@handles_errors
def users_add(
    name: Annotated[str, typer.Argument(help="The analyst's name (letters, digits, . _ -).")],
    db: DbOption = None,
) -> None:
    """Add an analyst and print their token, once: keep it, it is not stored."""
    from jianghu.store import open_store
    from jianghu.store.analysts import add_analyst

    with open_store(resolve_db_url(db)) as store:
        token = add_analyst(store, name)
    out.print(Text(token))
    err.print(Text(f"token of {name} (shown once; the store keeps only its hash)"))


@users_app.command("list")
@handles_errors
def users_list(db: DbOption = None) -> None:
    """The analysts' names."""
    from jianghu.store import open_store
    from jianghu.store.analysts import analyst_names

    with open_store(resolve_db_url(db)) as store:
        for name in analyst_names(store):
            out.print(Text(name))
