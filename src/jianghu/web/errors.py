"""One error shape for every API error, and an HTML error page for the pages.

{"error": {"status": 404, "code": "not_found", "message": "no message 12"}}
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from jianghu.errors import ConfigError, JianghuError, QueryError

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 422: "invalid", 500: "internal"}  # fmt: skip


def error_body(status: int, message: str) -> dict[str, Any]:
    return {"error": {"status": status, "code": CODES.get(status, "error"), "message": message}}


def wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    )


def error_response(request: Request, status: int, message: str) -> JSONResponse | HTMLResponse:
    if wants_html(request):
        from jianghu.web.render import render_error

        return render_error(request, status, message)
    return JSONResponse(error_body(status, message), status_code=status)


def install(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Any:
        return error_response(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Any:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "body"))
        return error_response(request, 422, f"{where}: {first.get('msg', 'invalid value')}")

    @app.exception_handler(QueryError)
    @app.exception_handler(ConfigError)
    async def bad_query(request: Request, exc: JianghuError) -> Any:
        return error_response(request, 400, str(exc))

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Any:
        # Never a traceback to the client; the server log has it.
        return error_response(request, 500, "internal error")
