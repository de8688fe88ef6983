"""The dashboard, alerts and audit log: figures that match the store, triage that is
checked (CSRF, unknown ids) and audited, victims' data masked, hostile text inert."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from jianghu.analysis.lexicon import Lexicon
from jianghu.intel.alerts import ScanReport, list_alerts, scan
from jianghu.intel.watchlist import parse_watchlist
from jianghu.report.market import OFFER_INTENTS
from jianghu.store import open_store
from jianghu.store.actors import list_actors
from jianghu.store.analysts import add_analyst, audit_entries
from jianghu.store.base import Store
from jianghu.store.offers import OfferFilters, list_offers
from jianghu.web.routes_alerts import SVG_CSP
from jianghu.web.security import local_analyst
from jianghu.web.views_alerts import excerpt
from jianghu.web.views_dashboard import (
    JargonMiner,
    Memo,
    newest_texts,
    store_state,
)
from tests.report.market import CARD, HOSTILE_NAME, build_market
from tests.web.conftest import csrf_of, make_client

# A shop handle, a card BIN (its hits carry a victim's card number) and a term; the
# term rule's name is markup, to show that rule names are escaped too.
WATCHLIST = """
[[rule]]
name = "our shop"
kind = "handle"
values = ["usa_cvv_shop"]
severity = "high"

[[rule]]
name = "our bin"
kind = "bin"
values = ["411111"]

[[rule]]
name = "<b>click</b>"
kind = "term"
values = ["CVV"]
"""


@pytest.fixture
def raised(store: Store, client: TestClient) -> ScanReport:
    """Alerts raised over the market store the client serves."""
    return scan(store, parse_watchlist(WATCHLIST, "w.toml"))


def alerts_of(client: TestClient, query: str = "") -> list[dict[str, Any]]:
    r = client.get(f"/api/v1/alerts?limit=200{query}")
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


def alert_of_rule(client: TestClient, rule: str) -> dict[str, Any]:
    [item] = alerts_of(client, f"&rule={rule}")
    return item


def assert_error(r: Any, status: int, message: str | None = None) -> None:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"status", "code", "message"}
    assert body["error"]["status"] == status
    if message is not None:
        assert body["error"]["message"] == message


# ---- stats -----------------------------------------------------------------------------
def test_stats_match_the_store(client: TestClient, store: Store, raised: ScanReport) -> None:
    body = client.get("/api/v1/stats").json()
    summary = store.summary()
    assert body["totals"] == {
        "messages": summary.messages,
        "channels": summary.channels,
        "authors": summary.authors,
        "offers": len(list_offers(store, OfferFilters(limit=10_000))),
        "actors": len(list_actors(store, limit=10_000)),
        "open_alerts": raised.new_alerts,
    }
    assert body["alerts"] == {"new": raised.new_alerts, "acknowledged": 0, "dismissed": 0}
    # The market runs from Monday 2 March 2026 for six weeks.
    volume = body["volume"]
    assert volume["weeks"] == [f"2026-W{w}" for w in range(10, 16)]
    offers: dict[str, int] = {}
    for category, intent, n in store.category_counts():
        if intent in OFFER_INTENTS:
            offers[category] = offers.get(category, 0) + n
    assert {c: sum(ns) for c, ns in volume["categories"].items()} == offers
    assert volume["categories"]["card_fraud"][0] >= 1  # the weekly card ad, from week one
    actors = body["top_actors"]
    assert actors["by_activity"][0]["name"] == "cvv_a"  # six weekly ads
    reputations = [a["reputation"] for a in actors["by_reputation"]]
    assert reputations == sorted(reputations, reverse=True)
    assert actors["lowest_reputation"][0]["name"] == "kit_b"  # exposed by two accusers
    assert len(body["newest_alerts"]) == raised.new_alerts
    assert CARD not in str(body) and CARD.replace(" ", "") not in str(body)


def test_stats_weeks_and_limits(client: TestClient) -> None:
    body = client.get("/api/v1/stats?weeks=2&top=1").json()
    assert body["volume"]["weeks"] == ["2026-W14", "2026-W15"]
    assert len(body["top_actors"]["by_activity"]) == 1


@pytest.fixture
def empty_client(tmp_path: Path) -> Iterator[TestClient]:
    """A workspace over an empty store (one backend: nothing here depends on the data)."""
    with make_client(f"sqlite:///{tmp_path / 'empty.db'}") as c:
        yield c


def test_an_empty_store_has_a_dashboard(empty_client: TestClient) -> None:
    body = empty_client.get("/api/v1/stats").json()
    assert body["totals"]["messages"] == 0 and body["volume"] == {"weeks": [], "categories": {}}
    assert empty_client.get("/charts/volume.svg").status_code == 200
    page = empty_client.get("/")
    assert page.status_code == 200 and "No messages yet" in page.text


# ---- alerts API ------------------------------------------------------------------------
def test_alerts_come_with_context_and_masked(client: TestClient, raised: ScanReport) -> None:
    items = alerts_of(client)
    assert len(items) == raised.new_alerts == 5
    shop = alert_of_rule(client, "our shop")
    # Six weekly reposts of one ad are one alert with six sightings.
    assert shop["matched"] == "@usa_cvv_shop" and shop["sightings"] == 6
    assert shop["channel"] == "资源交易群" and shop["author"] == "cvv_a"
    assert shop["actor_id"] is not None and shop["offer_id"] is not None
    start, end = shop["highlight"]
    assert shop["first_text"][start:end] == shop["matched"]
    assert shop["posted_at"].startswith("2026-03-02")
    card = alert_of_rule(client, "our bin")
    assert card["matched"] == "411111******1111"
    assert "411111******1111" in card["first_text"]
    whole = client.get("/api/v1/alerts").text
    assert CARD not in whole and CARD.replace(" ", "") not in whole


def test_alerts_filter_and_page(client: TestClient, raised: ScanReport) -> None:
    every = [a["id"] for a in alerts_of(client)]
    assert [a["id"] for a in alerts_of(client, "&status=new")] == every
    assert alerts_of(client, "&status=dismissed") == []
    assert {a["rule"] for a in alerts_of(client, "&severity=high")} == {"our shop"}
    assert len(alerts_of(client, "&rule=%3Cb%3Eclick%3C/b%3E")) == 3
    assert alerts_of(client, "&since=2999-01-01") == []
    assert len(alerts_of(client, "&since=2000-01-01")) == len(every)
    first = client.get("/api/v1/alerts?limit=2").json()
    assert first["next_offset"] == 2 and len(first["items"]) == 2
    last = client.get("/api/v1/alerts?limit=2&offset=4").json()
    assert last["next_offset"] is None and len(last["items"]) == 1
    pages = [client.get(f"/api/v1/alerts?limit=2&offset={o}").json()["items"] for o in (0, 2, 4)]
    assert [a["id"] for p in pages for a in p] == every


def test_wrong_filters_are_clear_errors(empty_client: TestClient) -> None:
    assert_error(
        empty_client.get("/api/v1/alerts?status=open"),
        400,
        "status 'open': expected one of new, acknowledged, dismissed",
    )
    assert_error(empty_client.get("/api/v1/alerts?since=yesterday"), 400)
    assert_error(empty_client.get("/api/v1/alerts?limit=0"), 422)
    assert_error(empty_client.get("/api/v1/stats?weeks=0"), 422)
    assert_error(empty_client.get("/api/v1/audit?offset=-1"), 422)


def test_a_long_message_is_shown_around_the_match() -> None:
    text = "x" * 1000 + "HIT" + "y" * 1000
    shown, span = excerpt(text, [1000, 1003], reach=10)
    assert shown == "…" + "x" * 10 + "HIT" + "y" * 10 + "…"
    assert span is not None and shown[span[0] : span[1]] == "HIT"
    assert excerpt("a" * 1000, None, reach=10) == ("a" * 20 + "…", None)
    assert excerpt("short", [0, 5]) == ("short", (0, 5))


# ---- triage ----------------------------------------------------------------------------
def test_ack_with_csrf_changes_status_and_is_audited(
    client: TestClient, store: Store, raised: ScanReport
) -> None:
    shop = alert_of_rule(client, "our shop")
    token = csrf_of(client)
    url = f"/api/v1/alerts/{shop['id']}"
    r = client.post(f"{url}/ack", json={"note": "ticket 42"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and r.json()["status"] == "acknowledged"
    assert [a["id"] for a in alerts_of(client, "&status=acknowledged")] == [shop["id"]]
    [entry] = audit_entries(store, limit=1)
    assert entry.who == local_analyst() and entry.who.startswith("local")
    assert entry.action == "alert_acknowledged"
    assert orjson.loads(entry.detail) == {"alert": shop["id"], "from": "new", "note": "ticket 42"}
    # No body at all is fine: the note is optional.
    r = client.post(f"{url}/dismiss", headers={"X-CSRF-Token": token})
    assert r.status_code == 200 and r.json()["status"] == "dismissed"
    assert audit_entries(store, limit=1)[0].action == "alert_dismissed"
    assert client.get("/api/v1/stats").json()["alerts"]["dismissed"] == 1


def test_triage_needs_csrf_and_a_known_alert(
    client: TestClient, store: Store, raised: ScanReport
) -> None:
    shop = alert_of_rule(client, "our shop")
    assert_error(client.post(f"/api/v1/alerts/{shop['id']}/ack"), 403)
    r = client.post(f"/api/v1/alerts/{shop['id']}/ack", headers={"X-CSRF-Token": "forged"})
    assert_error(r, 403, "missing or wrong CSRF token")
    assert alert_of_rule(client, "our shop")["status"] == "new"
    token = {"X-CSRF-Token": csrf_of(client)}
    assert_error(client.post("/api/v1/alerts/999999/ack", headers=token), 404, "no alert 999999")
    assert_error(client.post("/api/v1/alerts/0/dismiss", headers=token), 422)
    long_note = {"note": "x" * 2001}
    assert_error(
        client.post(f"/api/v1/alerts/{shop['id']}/ack", json=long_note, headers=token), 422
    )
    assert audit_entries(store) == []


def test_a_signed_in_analyst_is_who_triaged(
    market_url: str, store: Store, raised: ScanReport
) -> None:
    token = add_analyst(store, "alice")
    [alert] = list_alerts(store, severity="high")
    with make_client(market_url) as c:
        auth = {"Authorization": f"Bearer {token}"}
        # A bearer token cannot be sent by another site: no CSRF token needed.
        r = c.post(f"/api/v1/alerts/{alert.id}/dismiss", json={"note": "ours"}, headers=auth)
        assert r.status_code == 200
    [entry] = audit_entries(store, limit=1)
    assert (entry.who, entry.action) == ("alice", "alert_dismissed")


def test_audit_api_is_newest_first_and_paged(client: TestClient, raised: ScanReport) -> None:
    token = {"X-CSRF-Token": csrf_of(client)}
    ids = [a["id"] for a in alerts_of(client)][:3]
    for alert_id in ids:
        assert client.post(f"/api/v1/alerts/{alert_id}/ack", headers=token).status_code == 200
    first = client.get("/api/v1/audit?limit=2").json()
    assert first["next_offset"] == 2
    assert [orjson.loads(e["detail"])["alert"] for e in first["items"]] == ids[::-1][:2]
    assert set(first["items"][0]) == {"id", "at", "who", "action", "detail"}
    rest = client.get("/api/v1/audit?limit=2&offset=2").json()
    assert rest["next_offset"] is None
    assert [orjson.loads(e["detail"])["alert"] for e in rest["items"]] == [ids[0]]


# ---- the chart -------------------------------------------------------------------------
def test_volume_chart_is_svg_with_its_own_policy(client: TestClient) -> None:
    r = client.get("/charts/volume.svg")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("image/svg+xml")
    assert r.headers["content-security-policy"] == SVG_CSP
    assert "script" not in SVG_CSP and r.headers["x-content-type-options"] == "nosniff"
    assert "<svg" in r.text and "<script" not in r.text and "card_fraud" in r.text
    assert client.get("/charts/volume.svg").text == r.text  # kept while the store is as it was


def test_memo_recomputes_when_the_store_changes() -> None:
    memo, calls = Memo(), []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    assert memo.get("k", (1, 1), compute) == 1
    assert memo.get("k", (1, 1), compute) == 1
    assert memo.get("k", (2, 5), compute) == 2


# ---- jargon (the miner's own logic: one backend is enough) -------------------------------
@pytest.fixture
def sqlite_market(tmp_path: Path) -> Iterator[Store]:
    with open_store(f"sqlite:///{tmp_path / 'm.db'}") as s:
        build_market(s)
        yield s


def test_jargon_reads_only_the_newest_messages(sqlite_market: Store) -> None:
    texts = newest_texts(sqlite_market, 3)
    assert len(texts) == 3 and texts[0] == "今天天气不错 大家早上好"  # the last message stored


def test_a_failing_mining_shows_no_candidates(sqlite_market: Store) -> None:
    def broken() -> Lexicon:
        raise RuntimeError("no lexicon")

    miner = JargonMiner(lexicon=broken)
    view = miner.current(sqlite_market, store_state(sqlite_market), wait=10)
    assert view.candidates == [] and view.fresh


# ---- pages -----------------------------------------------------------------------------
def assert_inert(text: str) -> None:
    # The only script is the workspace's own file; no inline style attribute.
    assert re.findall(r"<script[^>]*>", text) == ['<script src="/static/app.js">']
    assert "<b>click</b>" not in text and "<img src=x" not in text
    assert 'style="' not in text and "\x1b" not in text


def test_dashboard_shows_figures_and_jargon(client: TestClient, raised: ScanReport) -> None:
    client.get("/")
    client.app.state.dashboard_cache.jargon.settle(30)  # type: ignore[attr-defined]
    page = client.get("/")
    assert page.status_code == 200
    assert_inert(page.text)
    assert 'id="volume-chart"' in page.text and 'src="/charts/volume.svg"' in page.text
    assert re.search(r'<a href="/actors/\d+">cvv_a</a>', page.text)
    assert "&lt;b&gt;click&lt;/b&gt;" in page.text  # the hostile name, escaped
    assert "jargon-pending" not in page.text and 'href="/search?q=' in page.text
    assert f'<dd id="total-open-alerts">{raised.new_alerts}</dd>' in page.text
    assert 'href="/messages/' in page.text and 'href="/alerts#alert-' in page.text
    assert CARD not in page.text and HOSTILE_NAME not in page.text


def test_alerts_page_marks_each_alert_for_the_browser(
    client: TestClient, raised: ScanReport
) -> None:
    page = client.get("/alerts")
    assert page.status_code == 200
    assert_inert(page.text)
    ids = re.findall(r'class="alert [^"]*" id="alert-(\d+)" data-alert-id="(\d+)"', page.text)
    assert len(ids) == raised.new_alerts and all(a == b for a, b in ids)
    shop = alert_of_rule(client, "our shop")
    ack = f'class="ack" data-action="post" data-url="/api/v1/alerts/{shop["id"]}/ack"'
    assert ack in page.text and f'data-note-field="note-{shop["id"]}"' in page.text
    assert f'<input id="note-{shop["id"]}"' in page.text and 'class="dismiss"' in page.text
    assert page.text.count('<span class="badge alert-status">new</span>') == raised.new_alerts
    assert "411111******1111" in page.text and CARD not in page.text
    assert f'href="/messages/{shop["first_message_id"]}"' in page.text
    client.post(f"/api/v1/alerts/{shop['id']}/ack", headers={"X-CSRF-Token": csrf_of(client)})
    done = client.get("/alerts?status=acknowledged")
    assert done.text.count('class="alert ') == 1
    assert '<span class="badge alert-status">acknowledged</span>' in done.text
    assert ack not in done.text  # acknowledged already; dismiss is still offered
    wrong = client.get("/alerts?status=open")
    assert wrong.status_code == 200 and "expected one of new" in wrong.text


def test_audit_page_escapes_what_analysts_wrote(client: TestClient, raised: ScanReport) -> None:
    shop = alert_of_rule(client, "our shop")
    note = {"note": "<script>alert(3)</script><b>click</b>"}
    r = client.post(f"/api/v1/alerts/{shop['id']}/ack", json=note,
                    headers={"X-CSRF-Token": csrf_of(client)})  # fmt: skip
    assert r.status_code == 200
    page = client.get("/audit")
    assert page.status_code == 200
    assert_inert(page.text)
    assert "alert_acknowledged" in page.text and local_analyst() in page.text
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in page.text
