"""Push MISP events to a MISP server: ``POST {url}/events/add``, one event at a time.

httpx (the ``crawl`` extra) is imported only here and only when pushing. Redirects are
never followed: a MISP behind ``http://`` that redirects to ``https://`` would otherwise
receive the API key in clear, or a wrong URL would land on a login page that answers 200.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import orjson

from jianghu.errors import ConfigError, JianghuError
from jianghu.faces.safe_text import terminal_safe

if TYPE_CHECKING:
    import httpx

INSTALL_HINT = "pushing to MISP needs httpx: pip install 'jianghu[crawl]'"
_DETAIL_CHARS = 200


@dataclass(frozen=True)
class PushResult:
    uuid: str  # the event's uuid, as exported
    status: int  # HTTP status of MISP's answer
    event_id: str | None  # MISP's id of the new event, when its answer gives one


class MispPushError(JianghuError):
    """MISP refused an event or could not be reached. ``pushed`` lists the events that
    were added before it; ``status`` is None when no answer came."""

    def __init__(
        self, url: str, status: int | None, detail: str, pushed: list[PushResult] | None = None
    ) -> None:
        done = list(pushed or [])
        answer = "could not be reached" if status is None else f"answered {status}"
        super().__init__(f"MISP at {url} {answer}: {detail} ({len(done)} event(s) pushed before)")
        self.url = url
        self.status = status
        self.detail = detail
        self.pushed = done


def push_events(
    events: list[dict[str, Any]],
    url: str,
    api_key: str,
    *,
    timeout: float = 30.0,
    verify: bool | str = True,
) -> list[PushResult]:
    """POST each event to ``{url}/events/add`` with the API key in the Authorization
    header; stops at the first failure with a :class:`MispPushError` naming the URL and
    the status. ``verify`` is httpx's: False, or a CA bundle path, for a self-signed MISP."""
    endpoint = events_add_url(url)
    if not api_key.strip():
        raise ConfigError("MISP API key is empty")
    client = _client(timeout, verify)
    headers = {
        "Authorization": api_key,
        "Accept": "application/json",
        "Content-Type": "application/json",
        "User-Agent": "jianghu",
    }
    results: list[PushResult] = []
    with client:
        for event in events:
            results.append(_push_one(client, endpoint, headers, event, results))
    return results


def events_add_url(url: str) -> str:
    """``{url}/events/add`` for an http(s) URL with a host; anything else is refused."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError as exc:
        raise ConfigError(f"MISP URL {url!r}: {exc}") from exc
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigError(f"MISP URL {url!r}: expected http(s)://host[:port][/path]")
    path = parts.path.rstrip("/") + "/events/add"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _client(timeout: float, verify: bool | str) -> httpx.Client:
    try:
        import httpx
    except ImportError as exc:
        raise ConfigError(INSTALL_HINT) from exc
    return httpx.Client(timeout=timeout, verify=verify, follow_redirects=False)


def _push_one(
    client: httpx.Client,
    endpoint: str,
    headers: dict[str, str],
    event: dict[str, Any],
    done: list[PushResult],
) -> PushResult:
    import httpx

    shown = _without_credentials(endpoint)
    try:
        response = client.post(endpoint, content=orjson.dumps(event), headers=headers)
    except httpx.HTTPError as exc:  # refused, timed out, TLS failure …
        raise MispPushError(shown, None, _safe(str(exc) or type(exc).__name__), done) from exc
    status = response.status_code
    if response.is_redirect:
        where = _safe(response.headers.get("location", "?"))
        raise MispPushError(shown, status, f"redirect to {where} not followed; check the URL", done)
    if not response.is_success:
        raise MispPushError(shown, status, _error_detail(response), done)
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise MispPushError(shown, status, "the answer is not MISP's JSON; check the URL", done)
    created = body.get("Event")
    event_id = created.get("id") if isinstance(created, dict) else None
    uuid = str(event.get("Event", event).get("uuid", ""))
    return PushResult(uuid, status, None if event_id is None else str(event_id))


def _error_detail(response: httpx.Response) -> str:
    """MISP's own explanation (``message``, ``name``, ``errors``), else the start of the
    body, else the reason phrase."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        parts = [str(body[k]) for k in ("name", "message", "errors") if body.get(k)]
        if parts:
            return _safe("; ".join(dict.fromkeys(parts)))
    return _safe(response.text.strip() or response.reason_phrase or "no detail")


def _safe(text: str) -> str:
    one_line = terminal_safe(text, keep_newlines=False)
    return one_line if len(one_line) <= _DETAIL_CHARS else one_line[: _DETAIL_CHARS - 1] + "…"


def _without_credentials(url: str) -> str:
    """The URL as shown in errors: a user:password@ part is dropped."""
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
