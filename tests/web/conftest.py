"""The web workspace over a small market store (both backends), driven in-process."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from jianghu.store.base import Store
from jianghu.web.app import create_app
from jianghu.web.config import WebConfig
from tests.report.market import build_market


@pytest.fixture
def market_url(store_url: str, store: Store) -> str:
    """The store URL of a small market: card sellers, leaks, exposures, an escrow group,
    a tool seller, hostile text and names (tests/report/market.py)."""
    build_market(store)
    return store_url


def make_client(url: str, host: str = "127.0.0.1") -> TestClient:
    # The test client sends Host: testserver, the name a proxy in front would have.
    return TestClient(create_app(WebConfig(url, host=host, extra_hosts=("testserver",))))


@pytest.fixture
def client(market_url: str) -> Iterator[TestClient]:
    with make_client(market_url) as c:
        yield c


def csrf_of(client: TestClient) -> str:
    """Open a page (which starts a session) and read the CSRF token it carries."""
    page = client.get("/search")
    assert page.status_code == 200
    marker = 'name="csrf-token" content="'
    start = page.text.index(marker) + len(marker)
    return page.text[start : page.text.index('"', start)]
