"""Every page over a store of hostile payloads: script tags, event handlers, javascript:
and data: links, CSS injection, RTL overrides, huge strings, malformed Unicode — all
written into message text, author names and channel names. Every page answers 200 and
every payload is inert text."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from jianghu.analysis.pipeline import analyse
from jianghu.intel.actor_build import build_actors
from jianghu.intel.alerts import scan
from jianghu.intel.offers import build_offers
from jianghu.intel.watchlist import parse_watchlist
from jianghu.records import AuthorRef, ChannelRef
from jianghu.store.base import Store
from tests.conftest import make_message
from tests.web.conftest import make_client

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "<svg onload=alert(3)>",
    '<a href="javascript:alert(4)">点我</a>',
    "javascript:alert(5)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCg2KTwvc2NyaXB0Pg==",
    "</style><style>body{display:none}</style>",
    "<style>@import url(http://evil.example.com/x.css)</style>",
    "‮gnp.exe",  # RTL override
    "\x1b]8;;http://evil.example.com\x07click\x1b]8;;\x07",
    "{{7*7}}{% raw %}",
    "\ud800\udfff broken surrogates",
    "A" * 100_000,
]
RAW_TAG = re.compile(r"<(script|img|svg|style|iframe|object|embed|link)\b", re.IGNORECASE)
# The pages' own tags: scripts and styles from /static/, charts from /charts/.
OWN_TAG = re.compile(
    r'<script src="/static/[^"]+"></script>|<link rel="stylesheet" href="/static/[^"]+">'
    r'|<img [^>]*src="/charts/[^"]+"[^>]*>'
)
RULES = """
[[rule]]
name = "evil shop"
kind = "handle"
values = ["@evil_shop"]
"""


@pytest.fixture
def hostile(store_url: str, store: Store) -> TestClient:
    channel = ChannelRef("telegram", "evil", "9", '<img src=x onerror=alert("ch")>担保群',
                         "public_supergroup")  # fmt: skip
    author = AuthorRef("evil_author", '<script>alert("name")</script>卖家', "evil_shop")
    t0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
    msgs = [
        make_message(
            str(i),
            f"出美国CVV 外卡料 带余额 20U一条 飞机@evil_shop {p}",
            channel=channel,
            author=author,
            posted_at=t0 + timedelta(hours=i),
        )
        for i, p in enumerate(PAYLOADS, start=1)
    ]
    store.write_batch(analyse(msgs), None)
    build_offers(store)
    build_actors(store)
    scan(store, parse_watchlist(RULES, "test"))
    return make_client(store_url)


def _ids(store: Store, sql: str) -> list[int]:
    return [int(r[0]) for r in store._all(sql)]


def test_every_page_renders_the_payloads_inert(hostile: TestClient, store: Store) -> None:
    messages = _ids(store, "SELECT id FROM messages ORDER BY id")
    [channel] = _ids(store, "SELECT id FROM channels")
    actors = _ids(store, "SELECT id FROM actors")
    offers = _ids(store, "SELECT id FROM offers")
    pages = ["/", "/search?q=CVV", "/search?q=%3Cscript%3E", "/channels", f"/channels/{channel}",
             "/actors", "/offers", "/alerts", "/audit"]  # fmt: skip
    pages += [f"/messages/{i}" for i in messages]
    pages += [f"/actors/{i}" for i in actors] + [f"/actors/{i}/graph" for i in actors]
    pages += [f"/offers/{i}" for i in offers]
    with hostile as client:
        for path in pages:
            r = client.get(path)
            assert r.status_code == 200, path
            html = r.text
            assert not RAW_TAG.search(OWN_TAG.sub("", html)), path
            assert 'href="javascript:' not in html and 'href="data:' not in html, path
            assert "\x1b" not in html and "\u202e" not in html, path


def test_the_api_returns_the_payloads_as_data(hostile: TestClient, store: Store) -> None:
    with hostile as client:
        r = client.get("/api/v1/search", params={"q": "CVV", "limit": 50})
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("application/json")
        assert r.json()["items"]
