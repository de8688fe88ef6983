"""Signing in and out, and who is signed in."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from jianghu.store.analysts import analyst_of, audit
from jianghu.web.deps import AnalystDep, StoreDep
from jianghu.web.render import render
from jianghu.web.security import set_session_cookie
from jianghu.web.sessions import COOKIE

router = APIRouter()


@router.get("/login", include_in_schema=False)
def login_page(request: Request) -> Response:
    return render(request, "login.html", failed=False)


@router.post("/login", include_in_schema=False)
async def login(request: Request, store: StoreDep) -> Response:
    body = (await request.body()).decode("utf-8", "replace")
    token = (parse_qs(body).get("token") or [""])[0].strip()
    who = analyst_of(store, token)
    if who is None:
        return render(request, "login.html", status=401, failed=True)
    sid, _ = request.app.state.sessions.start(who)
    audit(store, who, "signed in", "web")
    response = RedirectResponse("/", status_code=303)
    set_session_cookie(response, sid, request.app.state.config.secure_cookies)
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request, who: AnalystDep) -> Response:
    request.app.state.sessions.end(request.cookies.get(COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    # Browsers ask for it on every site; no icon, and no 404 in the analyst's console.
    return Response(status_code=204)


@router.get("/api/v1/health", tags=["meta"])
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/api/v1/me", tags=["meta"])
def me(request: Request, who: AnalystDep) -> dict[str, Any]:
    return {"analyst": who, "csrf_token": request.state.csrf or None}
