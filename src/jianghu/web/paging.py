"""Pagination and the query parameters every list shares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Query

Limit = Annotated[int, Query(ge=1, le=200, description="Items per page.")]
Offset = Annotated[int, Query(ge=0, le=100_000, description="Items to skip.")]


def page(items: Sequence[Any], limit: int, offset: int, more: bool) -> dict[str, Any]:
    """``{"items", "limit", "offset", "next_offset"}``; next_offset is null on the last
    page."""
    return {
        "items": list(items),
        "limit": limit,
        "offset": offset,
        "next_offset": offset + limit if more else None,
    }
