"""Actors as the API and the pages show them: plain data read from the store, victims'
data masked, nothing FastAPI-specific.

Every string here may have been written by a criminal; the API returns it as data and
the templates escape it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from jianghu.analysis.entities import Entity, mask
from jianghu.analysis.entities.masking import MASKED_TYPES
from jianghu.analysis.lexicon import CATEGORIES
from jianghu.errors import QueryError
from jianghu.faces.cli_common import check_choice
from jianghu.faces.masking import mask_found
from jianghu.intel.actor_build import build_actors
from jianghu.report.model import Chart
from jianghu.store.actors import ActorRow, actor_of_account, list_actors, record_decision
from jianghu.store.base import Store
from jianghu.web.paging import page

SORTS = ("activity", "reputation")
MAX_WEEKS = 260  # a timeline of five years; older weeks are left off


def masked(kind: str, value: str) -> str:
    """An identifier as every face shows it: victims' data (phones, cards …) masked."""
    if kind not in MASKED_TYPES:
        return value
    return mask(Entity(kind, value, value, 0, len(value)))


def _masked_key(key: str) -> str:
    kind, sep, value = key.partition(":")
    return f"{kind}:{masked(kind, value)}" if sep else key


# ---- actors -----------------------------------------------------------------------------
def actor_summary(a: ActorRow) -> dict[str, Any]:
    return {**a.summary_json(), "url": f"/actors/{a.id}"}


def actor_page(
    store: Store,
    category: str | None,
    min_rep: int | None,
    max_rep: int | None,
    sort: str,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    check_choice("category", category, CATEGORIES)
    check_choice("sort", sort, SORTS)
    found = list_actors(store, category, min_rep, max_rep, limit + 1, sort, offset)
    items = [actor_summary(a) for a in found[:limit]]
    return {**page(items, limit, offset, len(found) > limit), "sort": sort}


_LINK_WHY = {
    "offer": "posted the same ad (offer {identifier})",
    "forward": "one forwards the other's messages",
    "analyst_join": "an analyst merged them",
}


def link_why(kind: str, identifier: str) -> str:
    """Why the builder put two accounts together, in words."""
    if kind in _LINK_WHY:
        return _LINK_WHY[kind].format(identifier=identifier)
    return f"both gave {kind.replace('_', ' ')} {identifier} as their own"


def timeline(weeks: dict[str, int]) -> list[dict[str, Any]]:
    """Messages per ISO week, from the first active week to the last, quiet weeks as 0."""
    if not weeks:
        return []
    starts = {_week_start(w): n for w, n in weeks.items()}
    day, last = min(starts), max(starts)
    day = max(day, last - timedelta(weeks=MAX_WEEKS - 1))
    out = []
    while day <= last:
        year, week, _ = day.isocalendar()
        out.append({"week": f"{year}-W{week:02d}", "messages": starts.get(day, 0)})
        day += timedelta(weeks=1)
    return out


def _week_start(key: str) -> date:
    year, week = key.split("-W")
    return date.fromisocalendar(int(year), int(week), 1)


def actor_detail(a: ActorRow) -> dict[str, Any]:
    """An actor's profile with the evidence: reputation factors with their messages, the
    accounts and why they are linked, contacts and wallets (masked), weekly activity."""
    p = a.profile
    links = [
        {
            **x,
            "identifier": _masked_key(f"{x['kind']}:{x['identifier']}").partition(":")[2],
            "why": mask_found(link_why(x["kind"], masked(x["kind"], x["identifier"]))),
        }
        for x in p.get("links", [])
    ]
    flags = [
        {**f, "identifier": _masked_key(f["identifier"]), "detail": mask_found(f["detail"])}
        for f in p.get("flags", [])
    ]
    idents = [{**i, "value": masked(i["type"], i["value"])} for i in p.get("identifiers", [])]
    return {
        **actor_summary(a),
        "graph_url": f"/actors/{a.id}/graph",
        "timeline_url": f"/charts/actors/{a.id}/timeline.svg",
        "factors": [
            {**f, "messages": [f"/messages/{m}" for m in f["message_ids"]]} for f in a.factors
        ],
        "account_list": p.get("accounts", []),
        "links": links,
        "flags": flags,
        "identifiers": idents,
        "timeline": timeline(p.get("activity_by_week", {})),
        "mentions": p.get("mentions", []),
        "channel_names": p.get("channel_names", []),
        "items": p.get("items", {}),
        "regions": p.get("regions", {}),
        "languages": p.get("languages", {}),
        "platforms": p.get("platforms", []),
        "offers": p.get("offers", 0),
    }


def timeline_chart(a: ActorRow) -> Chart:
    # The actor's name stays out of the chart: it is a criminal's text, and matplotlib
    # would read "$…$" in it as mathematics.
    weeks = timeline(a.profile.get("activity_by_week", {}))
    return Chart(
        key=f"actor-{a.id}-timeline",
        title=f"Messages per week, actor {a.id}",
        kind="bar",
        x=[w["week"] for w in weeks],
        series={"messages": [float(w["messages"]) for w in weeks]},
        ylabel="messages",
    )


# ---- analysts' decisions ------------------------------------------------------------------
def unknown_account(store: Store, a: int, b: int) -> int | None:
    """The first of ``a``, ``b`` that belongs to no actor (None: both do)."""
    return next((x for x in (a, b) if actor_of_account(store, x) is None), None)


def decide(store: Store, kind: str, a: int, b: int, who: str, note: str) -> dict[str, Any]:
    """Record an analyst's join or split of two accounts (audit-logged with ``who``), then
    rebuild the actors so it takes effect."""
    if a == b:
        raise QueryError(f"{kind} takes two different accounts")
    record_decision(store, kind, a, b, who, note)
    report = build_actors(store)
    return {
        "decision": kind,
        "accounts": [a, b],
        "who": who,
        "actors": [actor_of_account(store, a), actor_of_account(store, b)],
        "rebuild": report.to_json(),
    }
