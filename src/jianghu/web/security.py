"""What every request goes through, in this order:

1. the Host header must name this server (no DNS rebinding);
2. the caller is identified: a bearer token (API clients), a session cookie (browsers),
   or, on loopback with no analysts defined, the local analyst;
3. a state-changing request from a browser session must carry the session's CSRF token
   in ``X-CSRF-Token`` (bearer requests cannot be forged by another site);
4. every response gets the security headers: a Content-Security-Policy with no inline
   script, no framing, no sniffing, no referrer.
"""

from __future__ import annotations

import getpass
import hmac
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse

from jianghu.web.config import WebConfig, is_loopback
from jianghu.web.errors import error_response
from jianghu.web.sessions import COOKIE, Sessions

CSP = (
    "default-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'; img-src 'self' data:; style-src 'self'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
OPEN_PATHS = ("/login", "/static/", "/api/v1/health", "/favicon.ico")
Next = Callable[[Request], Awaitable[Response]]


def local_analyst() -> str:
    try:
        return f"local:{getpass.getuser()}"
    except Exception:  # no user name in a minimal container
        return "local"


def install(app: FastAPI, config: WebConfig, sessions: Sessions, auth_required: Callable[[], bool],
            analyst_of: Callable[[str], str | None]) -> None:  # fmt: skip
    allowed = config.allowed_hosts()
    loopback = is_loopback(config.host)

    @app.middleware("http")
    async def guard(request: Request, call_next: Next) -> Response:
        response = await _guard(request, call_next)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    async def _guard(request: Request, call_next: Next) -> Response:
        host = request.headers.get("host", "").lower()
        if host not in allowed:
            return error_response(request, 400, "unknown Host header")
        path = request.url.path
        bearer = request.headers.get("authorization", "")
        sid = request.cookies.get(COOKIE)
        session = sessions.get(sid)
        request.state.session = session
        request.state.analyst = None
        request.state.csrf = session.csrf if session else ""
        if bearer.lower().startswith("bearer "):
            request.state.analyst = analyst_of(bearer[7:].strip())
            if request.state.analyst is None:
                return error_response(request, 401, "unknown or disabled token")
            return await call_next(request)
        if session is not None:
            request.state.analyst = session.analyst
        elif not auth_required() and loopback:
            # Loopback and no analysts defined: the person at this machine. A page visit
            # opens a session of its own, so state-changing requests still need its CSRF
            # token; an API read needs none.
            request.state.analyst = local_analyst()
            if not path.startswith("/api/") and request.method in SAFE_METHODS:
                sid, session = sessions.start(request.state.analyst)
                request.state.csrf, request.state.session = session.csrf, session
                request.state.new_sid = sid
        if request.method not in SAFE_METHODS and path != "/login":
            sent = request.headers.get("x-csrf-token", "")
            if session is None or not hmac.compare_digest(sent, session.csrf):
                return error_response(request, 403, "missing or wrong CSRF token")
        if request.state.analyst is None and not path.startswith(OPEN_PATHS):
            if path.startswith("/api/"):
                return error_response(request, 401, "sign in: a bearer token or a session")
            return RedirectResponse("/login", status_code=303)
        response = await call_next(request)
        new_sid = getattr(request.state, "new_sid", None)
        if new_sid:
            set_session_cookie(response, new_sid, config.secure_cookies)
        return response


def set_session_cookie(response: Response, sid: str, secure: bool) -> None:
    response.set_cookie(COOKIE, sid, httponly=True, samesite="strict", secure=secure, path="/")
