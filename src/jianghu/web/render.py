"""Server-rendered pages: Jinja2 with autoescaping on for everything, so every string
from the store is escaped wherever a template puts it."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from jianghu.faces.safe_text import terminal_safe
from jianghu.report.safe import defang

TEMPLATES = Path(__file__).with_name("templates")


def shown(value: object) -> str:
    """A hostile string as a page shows it: links defanged, controls made visible (the
    template escapes it afterwards)."""
    return terminal_safe(defang(str(value)), keep_newlines=True)


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template, whatever its name
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["shown"] = shown
    return env


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    page = (
        environment()
        .get_template(template)
        .render(
            request=request,
            analyst=getattr(request.state, "analyst", None),
            csrf=getattr(request.state, "csrf", ""),
            **context,
        )
    )
    return HTMLResponse(page, status_code=status)


def render_error(request: Request, status: int, message: str) -> HTMLResponse:
    return render(request, "error.html", status=status, status_code=status, message=message)
