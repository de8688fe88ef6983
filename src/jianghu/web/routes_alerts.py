"""The dashboard, the alerts and the audit log: the API under /api/v1 and the pages.

The figures come from :mod:`jianghu.web.views_dashboard` and
:mod:`jianghu.web.views_alerts`; this module only reads the
request, checks the filters and picks the response (JSON, a page or the SVG chart).
"""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel, Field

from jianghu.errors import ConfigError, QueryError
from jianghu.faces.cli_common import check_choice, parse_when
from jianghu.intel.alerts import STATUSES, set_status
from jianghu.intel.watchlist import SEVERITIES
from jianghu.store.base import Store
from jianghu.web.deps import AnalystDep, StoreDep
from jianghu.web.paging import Limit, Offset
from jianghu.web.render import render
from jianghu.web.segments import pieces
from jianghu.web.views_alerts import (
    AlertQuery,
    alert_counts,
    alert_items,
    alerts_page,
    audit_page,
    excerpt,
    find_alerts,
)
from jianghu.web.views_dashboard import DashboardCache, stats, store_state, volume_svg

router = APIRouter()

Text = Annotated[str | None, Query(max_length=500)]
Weeks = Annotated[int, Query(ge=1, le=156, description="ISO weeks up to the newest message.")]
AlertId = Annotated[int, Path(ge=1, le=2**63 - 1)]
# The chart is matplotlib's SVG, which styles with attributes; it runs no script and
# loads nothing, so it gets its own policy instead of the pages' strict one.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"
JARGON_WAIT = 2.0  # seconds a dashboard waits for the very first jargon mining
_cache_lock = threading.Lock()


def dashboard_cache(request: Request) -> DashboardCache:
    """The application's dashboard cache, made on first use and kept on the app."""
    with _cache_lock:
        cache: DashboardCache | None = getattr(request.app.state, "dashboard_cache", None)
        if cache is None:
            cache = request.app.state.dashboard_cache = DashboardCache()
    return cache


CacheDep = Annotated[DashboardCache, Depends(dashboard_cache)]


def alert_query(
    status: str | None,
    severity: str | None,
    rule: str | None,
    since: str | None,
    limit: int,
    offset: int,
) -> AlertQuery:
    """The filters checked: a wrong value is a 400 naming it, never an empty list."""
    check_choice("status", status, STATUSES)
    check_choice("severity", severity, SEVERITIES)
    return AlertQuery(status, severity, rule, parse_when(since, "since"), None, limit, offset)


# ---- API -------------------------------------------------------------------------------
@router.get("/api/v1/stats", tags=["dashboard"])
def api_stats(
    store: StoreDep,
    cache: CacheDep,
    weeks: Weeks = 26,
    top: Annotated[int, Query(ge=1, le=50, description="Actors and alerts listed.")] = 10,
) -> dict[str, Any]:
    """Totals, offer messages per category and ISO week, the most active, most and least
    trusted actors, and the most recently changed alerts (matched text masked)."""
    return stats(store, cache, weeks, top)


@router.get("/api/v1/alerts", tags=["alerts"])
def api_alerts(
    store: StoreDep,
    status: Annotated[str | None, Query(description="new, acknowledged or dismissed.")] = None,
    severity: Annotated[str | None, Query(description="low, medium, high or critical.")] = None,
    rule: Annotated[str | None, Query(max_length=500, description="Rule name.")] = None,
    since: Annotated[str | None, Query(max_length=40, description="Changed since.")] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Alerts, most recently changed first, with where they were seen; victims' data in
    the matched text and the first message is masked."""
    return alerts_page(store, alert_query(status, severity, rule, since, limit, offset))


class Triage(BaseModel):
    note: str = Field("", max_length=2000, description="Why; kept in the audit log.")


def triage(
    store: Store, alert_id: int, status: str, who: str, body: Triage | None
) -> dict[str, Any]:
    """Set the status (written to the audit log with who) and return the alert as now."""
    if not set_status(store, alert_id, status, who, body.note if body else ""):
        raise HTTPException(404, f"no alert {alert_id}")
    [item] = alert_items(store, find_alerts(store, AlertQuery(alert_id=alert_id, limit=1)))
    return item


@router.post("/api/v1/alerts/{alert_id}/ack", tags=["alerts"])
def api_ack(
    alert_id: AlertId, store: StoreDep, analyst: AnalystDep, body: Triage | None = None
) -> dict[str, Any]:
    """Acknowledge an alert: seen, being handled."""
    return triage(store, alert_id, "acknowledged", analyst, body)


@router.post("/api/v1/alerts/{alert_id}/dismiss", tags=["alerts"])
def api_dismiss(
    alert_id: AlertId, store: StoreDep, analyst: AnalystDep, body: Triage | None = None
) -> dict[str, Any]:
    """Dismiss an alert: not a concern."""
    return triage(store, alert_id, "dismissed", analyst, body)


@router.get("/api/v1/audit", tags=["audit"])
def api_audit(store: StoreDep, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    """The audit log, newest first: sign-ins, triage, reveals, analysts' decisions."""
    return audit_page(store, limit, offset)


@router.get("/charts/volume.svg", include_in_schema=False)
def volume_chart(store: StoreDep, cache: CacheDep, weeks: Weeks = 26) -> Response:
    """The dashboard's chart: offer messages by category per ISO week (SVG, cached)."""
    return Response(
        volume_svg(store, cache, weeks),
        media_type="image/svg+xml",
        headers={"Content-Security-Policy": SVG_CSP},
    )


# ---- pages -----------------------------------------------------------------------------
@router.get("/", include_in_schema=False)
def dashboard_page(request: Request, store: StoreDep, cache: CacheDep) -> Response:
    """Totals, the volume chart, top actors, the newest alerts and new jargon."""
    figures = stats(store, cache)
    jargon = cache.jargon.current(store, store_state(store), wait=JARGON_WAIT)
    return render(request, "dashboard.html", stats=figures, jargon=jargon)


@router.get("/alerts", include_in_schema=False)
def alerts_list_page(
    request: Request,
    store: StoreDep,
    status: Text = None,
    severity: Text = None,
    rule: Text = None,
    since: Text = None,
    offset: Offset = 0,
) -> Response:
    """Alerts to triage, filtered; a wrong filter is said on the page."""
    # An empty form field means "no filter".
    args = {"status": status or None, "severity": severity or None, "rule": rule or None,
            "since": since or None}  # fmt: skip
    results: dict[str, Any] | None = None
    error = ""
    try:
        results = alerts_page(store, alert_query(**args, limit=20, offset=offset))
    except (QueryError, ConfigError) as exc:
        error = str(exc)
    rows = []
    for a in (results or {}).get("items", []):
        text, span = excerpt(a["first_text"], a["highlight"])
        rows.append({**a, "pieces": pieces(text, [(span[0], span[1], "")] if span else [])})
    return render(
        request,
        "alerts.html",
        args={k: v or "" for k, v in args.items()},
        statuses=STATUSES,
        severities=SEVERITIES,
        counts=alert_counts(store),
        results=results,
        rows=rows,
        error=error,
    )


@router.get("/audit", include_in_schema=False)
def audit_log_page(request: Request, store: StoreDep, offset: Offset = 0) -> Response:
    """Who did what, newest first."""
    return render(request, "audit.html", results=audit_page(store, 50, offset))
