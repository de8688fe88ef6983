"""Actors, offers and the link graph: the API under /api/v1 and the pages.

The data comes from ``views_actors``, ``views_offers`` and ``views_graph``; here are only
the HTTP shapes: query parameters, 404s, the analyst behind a merge or split, and the
timeline chart's own headers.
"""

from __future__ import annotations

import threading
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response
from pydantic import BaseModel, Field

from jianghu.analysis.lexicon import CATEGORIES
from jianghu.errors import ConfigError, QueryError
from jianghu.report.charts import render_svg
from jianghu.store.actors import ActorRow, get_actor
from jianghu.store.base import Store
from jianghu.web import views_actors as views
from jianghu.web import views_graph, views_offers
from jianghu.web.deps import AnalystDep, StoreDep
from jianghu.web.paging import Limit, Offset
from jianghu.web.render import render

router = APIRouter()

Text = Annotated[str | None, Query(max_length=200)]
Price = Annotated[float | None, Query(ge=0, description="US dollars (per unit if known).")]
Reputation = Annotated[int | None, Query(ge=0, le=100)]
Sort = Annotated[str, Query(description="activity (most messages first) or reputation.")]
# The chart is matplotlib's SVG, whose elements carry style attributes: it may use inline
# style and nothing else (no script, no fetch), and it is only ever loaded as an image.
CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'"
# pyplot keeps global state; routes run in a pool of threads.
_CHART_LOCK = threading.Lock()


class Decision(BaseModel):
    """Two account ids (an actor's id is its smallest account's id) and why."""

    a: int = Field(ge=1)
    b: int = Field(ge=1)
    note: str = Field("", max_length=2000)


def _actor(store: Store, actor_id: int) -> ActorRow:
    a = get_actor(store, actor_id)
    if a is None:
        raise HTTPException(404, f"no actor {actor_id}")
    return a


# ---- API ------------------------------------------------------------------------------------
@router.get("/api/v1/offers", tags=["offers"])
def api_offers(
    store: StoreDep,
    category: Text = None,
    intent: Text = None,
    region: Text = None,
    min_price: Price = None,
    max_price: Price = None,
    since: Text = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Offers (the same ad reposted, as one record), most sighted first, with the CLI's
    filters."""
    q = views_offers.OfferQuery(category, intent, region, min_price, max_price, since)
    return views_offers.offer_page(store, q, limit, offset)


@router.get("/api/v1/offers/{offer_id}", tags=["offers"])
def api_offer(store: StoreDep, offer_id: int) -> dict[str, Any]:
    """One offer with every sighting (message links) and its price history."""
    found = views_offers.offer_detail(store, offer_id)
    if found is None:
        raise HTTPException(404, f"no offer {offer_id}")
    return found


@router.get("/api/v1/actors", tags=["actors"])
def api_actors(
    store: StoreDep,
    category: Text = None,
    min_reputation: Reputation = None,
    max_reputation: Reputation = None,
    sort: Sort = "activity",
    limit: Limit = 20,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Actors (accounts linked by shared contacts, wallets and ads) with reputation."""
    return views.actor_page(store, category, min_reputation, max_reputation, sort, limit, offset)


@router.get("/api/v1/actors/{actor_id}", tags=["actors"])
def api_actor(store: StoreDep, actor_id: int) -> dict[str, Any]:
    """An actor's profile: reputation factors with their evidence messages, linked
    accounts and why, contacts and wallets (phones masked), weekly activity, flags."""
    return views.actor_detail(_actor(store, actor_id))


@router.get("/api/v1/actors/{actor_id}/graph", tags=["actors"])
def api_actor_graph(store: StoreDep, actor_id: int) -> dict[str, Any]:
    """The actor's link graph: accounts, channels, contacts, wallets and the other actors
    naming the same contacts or wallets (one hop), at most ``cap`` nodes."""
    return views_graph.actor_graph(store, _actor(store, actor_id))


@router.post("/api/v1/actors/merge", tags=["actors"])
def api_merge(store: StoreDep, who: AnalystDep, body: Decision) -> dict[str, Any]:
    """Join two accounts (and so their actors) into one actor; logged, kept over rebuilds."""
    return _decide(store, "join", body, who)


@router.post("/api/v1/actors/split", tags=["actors"])
def api_split(store: StoreDep, who: AnalystDep, body: Decision) -> dict[str, Any]:
    """Keep two accounts apart, whatever links them; logged, kept over rebuilds."""
    return _decide(store, "split", body, who)


def _decide(store: Store, kind: str, body: Decision, who: str) -> dict[str, Any]:
    missing = views.unknown_account(store, body.a, body.b)
    if missing is not None:
        raise HTTPException(404, f"no account {missing} among the actors")
    return views.decide(store, kind, body.a, body.b, who, body.note)


@router.get("/charts/actors/{actor_id}/timeline.svg", include_in_schema=False)
def timeline_svg(store: StoreDep, actor_id: int) -> Response:
    chart = views.timeline_chart(_actor(store, actor_id))
    with _CHART_LOCK:
        svg = render_svg(chart)
    return Response(svg, media_type="image/svg+xml", headers={"Content-Security-Policy": CHART_CSP})


# ---- pages ----------------------------------------------------------------------------------
def _number(value: str | None, name: str) -> float | None:
    """A number typed in a form; empty means no filter."""
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise QueryError(f"{name} {value!r}: expected a number") from None


@router.get("/offers", include_in_schema=False)
def offers_page(
    request: Request,
    store: StoreDep,
    category: Text = None,
    intent: Text = None,
    region: Text = None,
    min_price: Text = None,
    max_price: Text = None,
    since: Text = None,
    offset: Offset = 0,
) -> Response:
    args = {
        "category": category or "",
        "intent": intent or "",
        "region": region or "",
        "min_price": min_price or "",
        "max_price": max_price or "",
        "since": since or "",
    }
    results: dict[str, Any] | None = None
    error = ""
    try:
        q = views_offers.OfferQuery(
            category or None,
            intent or None,
            region or None,
            _number(min_price, "min_price"),
            _number(max_price, "max_price"),
            since or None,
        )
        results = views_offers.offer_page(store, q, 30, offset)
    except (QueryError, ConfigError) as exc:
        error = str(exc)
    return render(
        request,
        "offers.html",
        args=args,
        results=results,
        error=error,
        categories=CATEGORIES,
        intents=views_offers.OFFER_INTENTS,
    )


@router.get("/offers/{offer_id}", include_in_schema=False)
def offer_page(request: Request, store: StoreDep, offer_id: int) -> Response:
    found = views_offers.offer_detail(store, offer_id)
    if found is None:
        raise HTTPException(404, f"no offer {offer_id}")
    return render(request, "offer.html", offer=found)


@router.get("/actors", include_in_schema=False)
def actors_page(
    request: Request,
    store: StoreDep,
    category: Text = None,
    min_reputation: Text = None,
    max_reputation: Text = None,
    sort: Sort = "activity",
    offset: Offset = 0,
) -> Response:
    args = {
        "category": category or "",
        "min_reputation": min_reputation or "",
        "max_reputation": max_reputation or "",
        "sort": sort,
    }
    results: dict[str, Any] | None = None
    error = ""
    try:
        low, high = (
            _number(v, n)
            for v, n in ((min_reputation, "min_reputation"), (max_reputation, "max_reputation"))
        )
        results = views.actor_page(
            store,
            category or None,
            None if low is None else int(low),
            None if high is None else int(high),
            sort,
            30,
            offset,
        )
    except QueryError as exc:
        error = str(exc)
    return render(
        request,
        "actors.html",
        args=args,
        results=results,
        error=error,
        categories=CATEGORIES,
        sorts=views.SORTS,
    )


@router.get("/actors/{actor_id}", include_in_schema=False)
def actor_page(request: Request, store: StoreDep, actor_id: int) -> Response:
    a = _actor(store, actor_id)
    related = views_graph.related_actors(views_graph.actor_graph(store, a), a.id)
    return render(request, "actor.html", actor=views.actor_detail(a), related=related)


@router.get("/actors/{actor_id}/graph", include_in_schema=False)
def graph_page(request: Request, store: StoreDep, actor_id: int) -> Response:
    a = _actor(store, actor_id)
    graph = views_graph.actor_graph(store, a)
    labels = {n["id"]: n["label"] for n in graph["nodes"]}
    return render(request, "graph.html", actor=views.actor_summary(a), graph=graph,
                  labels=labels, cap=views_graph.MAX_NODES)  # fmt: skip
