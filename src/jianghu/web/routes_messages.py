"""Search, messages and channels: the API under /api/v1 and the pages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response

from jianghu.analysis.classify.linear import INTENTS
from jianghu.analysis.entities.model import ENTITY_TYPES
from jianghu.analysis.lexicon import CATEGORIES
from jianghu.analysis.search_terms import parse_query
from jianghu.analysis.snippet import make_snippet
from jianghu.errors import QueryError
from jianghu.faces.cli_common import check_choice, parse_when
from jianghu.faces.masking import entity_key, mask_text
from jianghu.store.analysts import audit
from jianghu.store.base import SearchFilters, Store
from jianghu.web.deps import AnalystDep, StoreDep
from jianghu.web.paging import Limit, Offset, page
from jianghu.web.render import render
from jianghu.web.segments import pieces
from jianghu.web.views_channels import channel_detail, channel_list
from jianghu.web.views_messages import EVIDENCE_CHARS, MessageDetail, message_detail, revealed_text

router = APIRouter()

Text = Annotated[str | None, Query(max_length=500)]


@dataclass(frozen=True)
class SearchArgs:
    """The search filters, as the CLI's ``search`` takes them, plus actor and entity
    type."""

    q: str = ""
    category: str | None = None
    intent: str | None = None
    channel: str | None = None
    author: str | None = None
    actor: int | None = None
    entity: str | None = None  # TYPE:VALUE
    entity_type: str | None = None
    since: str | None = None
    until: str | None = None

    def filtered(self) -> bool:
        return any(v is not None for k, v in self.__dict__.items() if k != "q")


def search_results(store: Store, args: SearchArgs, limit: int, offset: int) -> dict[str, Any]:
    """One page of search hits, each with its snippet, highlight spans and analysis;
    victims' data masked."""
    check_choice("category", args.category, CATEGORIES)
    check_choice("intent", args.intent, INTENTS)
    check_choice("entity_type", args.entity_type, ENTITY_TYPES)
    clauses = parse_query(args.q)
    if not clauses and not args.filtered():
        raise QueryError(f"query {args.q!r} has no letters, digits or characters to search for")
    try:
        wanted = None if args.entity is None else entity_key(args.entity)
    except ValueError as exc:
        raise QueryError(str(exc)) from None
    filters = SearchFilters(
        channel=args.channel,
        author=args.author,
        since=parse_when(args.since, "since"),
        until=parse_when(args.until, "until", end_of_day=True),
        entity=wanted,
        category=args.category,
        intent=args.intent,
        actor=args.actor,
        entity_type=args.entity_type,
        limit=offset + limit + 1,  # one more than the page: is there a next page?
    )
    hits = store.search(clauses, filters)
    more = len(hits) > offset + limit
    hits = hits[offset : offset + limit]
    found = store.entities_of([h.id for h in hits])
    analyses = store.analyses_of([h.id for h in hits])
    items = []
    for h in hits:
        text = mask_text(h.text, [e.to_entity() for e in found.get(h.id, [])])
        snippet = make_snippet(text, clauses)
        a = analyses.get(h.id)
        items.append(
            {
                "id": h.id,
                "platform": h.platform,
                "channel": h.channel,
                "author": h.author,
                "author_id": h.author_id,
                "posted_at": h.posted_at.isoformat(),
                "snippet": snippet.text,
                "highlights": [list(s) for s in snippet.spans],
                "score": h.score,
                "categories": list(a.categories) if a else [],
                "intent": a.intent if a else None,
                "language": a.language if a else None,
            }
        )
    return page(items, limit, offset, more)


@router.get("/api/v1/search", tags=["search"])
def api_search(
    store: StoreDep,
    q: Annotated[str, Query(max_length=500, description="Words; all must match.")] = "",
    category: Text = None,
    intent: Text = None,
    channel: Text = None,
    author: Text = None,
    actor: Annotated[int | None, Query(ge=1, le=2**63 - 1, description="Actor id.")] = None,
    entity: Annotated[str | None, Query(max_length=500, description="TYPE:VALUE")] = None,
    entity_type: Annotated[
        str | None, Query(max_length=40, description="e.g. tron_address")
    ] = None,
    since: Text = None,
    until: Text = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Full-text search (Chinese, traditional or simplified, and Latin) with the CLI's
    filters, plus actor and entity type; filters alone list the newest matches."""
    args = SearchArgs(q, category, intent, channel, author, actor, entity, entity_type, since,
                      until)  # fmt: skip
    return search_results(store, args, limit, offset)


@router.get("/search", include_in_schema=False)
def search_page(
    request: Request,
    store: StoreDep,
    q: Annotated[str, Query(max_length=500)] = "",
    category: Text = None,
    intent: Text = None,
    channel: Text = None,
    author: Text = None,
    actor: Text = None,
    entity: Text = None,
    entity_type: Text = None,
    since: Text = None,
    until: Text = None,
    offset: Offset = 0,
) -> Response:
    # An empty form field means "no filter".
    form = {k: (v or "") for k, v in dict(category=category, intent=intent, channel=channel,
            author=author, actor=actor, entity=entity, entity_type=entity_type, since=since,
            until=until).items()}  # fmt: skip
    results: dict[str, Any] | None = None
    error = ""
    try:
        actor_id = int(form["actor"]) if form["actor"] else None
        args = SearchArgs(q, **{k: (v or None) for k, v in form.items() if k != "actor"},
                          actor=actor_id)  # fmt: skip
        if q or args.filtered():
            results = search_results(store, args, 20, offset)
    except ValueError:
        error = f"actor {form['actor']!r}: expected an actor id (a number)"
    except QueryError as exc:
        error = str(exc)
    rows = [
        {**item, "pieces": pieces(item["snippet"], [(s, e, "") for s, e in item["highlights"]])}
        for item in (results or {}).get("items", [])
    ]
    return render(
        request,
        "search.html",
        q=q,
        args=form,
        categories=CATEGORIES,
        intents=INTENTS,
        entity_types=ENTITY_TYPES,
        results=results,
        rows=rows,
        error=error,
    )


# ---- messages and channels -------------------------------------------------------------
# Row ids are 64-bit in both backends; a larger number in a URL is invalid (422), not a
# crash in the database driver.
RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]
PAGE_SIZE = 50


def _message(store: Store, message_id: int) -> MessageDetail:
    detail = message_detail(store, message_id)
    if detail is None:
        raise HTTPException(404, f"no message {message_id}")
    return detail


def _channel(store: Store, channel_id: int, limit: int, offset: int) -> dict[str, Any]:
    found = channel_detail(store, channel_id, limit, offset)
    if found is None:
        raise HTTPException(404, f"no channel {channel_id}")
    return found


@router.get("/api/v1/messages/{message_id}", tags=["messages"])
def api_message(store: StoreDep, message_id: RowId) -> dict[str, Any]:
    """One message: where and by whom, its text with victims' data masked, its terms
    with English glosses, indicators, categories with the evidence, links (defanged,
    the target only as a value) and the offer it is a sighting of. Spans index
    ``text`` as returned."""
    return _message(store, message_id).data


@router.post("/api/v1/messages/{message_id}/reveal", tags=["messages"])
def api_reveal(store: StoreDep, who: AnalystDep, message_id: RowId) -> dict[str, str]:
    """The message with victims' data unmasked (links still defanged, controls
    visible). Logged in the audit log and the reveal log."""
    value = revealed_text(store, message_id)
    if value is None:
        raise HTTPException(404, f"no message {message_id}")
    audit(store, who, "reveal", f"message {message_id}")
    store.log_reveal("web reveal", f"message {message_id} by {who}")
    return {"value": value}


@router.get("/api/v1/channels", tags=["channels"])
def api_channels(store: StoreDep, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    """Channels, busiest first: messages, offer sightings, first and last seen, top
    categories."""
    return channel_list(store, limit, offset)


@router.get("/api/v1/channels/{channel_id}", tags=["channels"])
def api_channel(
    store: StoreDep, channel_id: RowId, limit: Limit = 20, offset: Offset = 0
) -> dict[str, Any]:
    """A channel, its messages per category, and a page of its messages, newest first."""
    return _channel(store, channel_id, limit, offset)


@router.get("/messages/{message_id}", include_in_schema=False)
def message_page(request: Request, store: StoreDep, message_id: RowId) -> Response:
    detail = _message(store, message_id)
    return render(
        request,
        "message.html",
        m=detail.data,
        parts=detail.pieces,
        entities=detail.entities,
        cut=detail.evidence_cut,
        evidence_chars=EVIDENCE_CHARS,
    )


@router.get("/channels", include_in_schema=False)
def channels_page(
    request: Request, store: StoreDep, limit: Limit = PAGE_SIZE, offset: Offset = 0
) -> Response:
    return render(request, "channels.html", results=channel_list(store, limit, offset))


@router.get("/channels/{channel_id}", include_in_schema=False)
def channel_page(
    request: Request,
    store: StoreDep,
    channel_id: RowId,
    limit: Limit = PAGE_SIZE,
    offset: Offset = 0,
) -> Response:
    return render(request, "channel.html", **_channel(store, channel_id, limit, offset))
