"""Offers, actors and the link graph in the workspace: the API (fields, filters, pages,
errors), analysts' merges and splits (CSRF, audit log), the timeline chart and the pages,
over the small market of tests/report/market.py plus two accounts of one seller."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jianghu.analysis.pipeline import analyse
from jianghu.intel.actor_build import build_actors
from jianghu.intel.offers import build_offers
from jianghu.records import AuthorRef
from jianghu.store.actors import get_actor
from jianghu.store.analysts import audit_entries
from jianghu.store.base import Store
from jianghu.web.views_graph import actor_graph
from tests.conftest import make_message
from tests.report.market import HOSTILE_NAME, MARKET, T0
from tests.web.conftest import csrf_of

RAW_PHONE = re.compile(r"13800138000|138 0013 8000|0013")


@pytest.fixture
def twins(market_url: str, store: Store) -> None:
    """One seller behind two accounts (the same @twin_shop contact), exposed by a victim."""
    posts = [
        (70, "twin_1", "出 美国CVV 一手 15U一条 飞机@twin_shop", 1),
        (71, "twin_2", "出 美国CVV 全料 带余额 18U一条 飞机@twin_shop", 4),
        (72, "twin_1", "出 日本CVV 一手 25U一条 飞机@twin_shop", 8),
        (73, "victim3", "曝光 @twin_shop 骗子 收钱不发货", 9),
    ]
    msgs = [make_message(str(i), text, channel=MARKET, author=AuthorRef(who, who),
                         posted_at=T0 + timedelta(days=day, minutes=i))
            for i, who, text, day in posts]  # fmt: skip
    store.write_batch(analyse(msgs), None)
    build_offers(store)
    build_actors(store)


def items(client: TestClient, path: str) -> list[dict[str, Any]]:
    r = client.get(path)
    assert r.status_code == 200, r.text
    found: list[dict[str, Any]] = r.json()["items"]
    return found


def actor_named(client: TestClient, name: str) -> dict[str, Any]:
    [found] = [a for a in items(client, "/api/v1/actors?limit=200") if a["name"] == name]
    return found


def assert_error(client: TestClient, path: str, status: int, message: str) -> None:
    r = client.get(path)
    assert r.status_code == status, path
    assert r.json()["error"]["status"] == status and message in r.json()["error"]["message"]


# ---- offers -------------------------------------------------------------------------------
def test_offers_filter_like_the_cli_and_page(client: TestClient) -> None:
    every = items(client, "/api/v1/offers?limit=200")
    assert len(every) == 10 and every[0]["sightings"] == 6  # most sighted first
    assert {"id", "url", "summary", "price_usd", "regions", "contacts", "sightings"} <= set(
        every[0]
    )
    cards = items(client, "/api/v1/offers?category=card_fraud&limit=200")
    assert cards and all("card_fraud" in o["categories"] for o in cards)
    assert [o["item"] for o in items(client, "/api/v1/offers?intent=buy")] == ["cvv"]
    assert {o["id"] for o in items(client, "/api/v1/offers?region=us")} == {1, 16}
    cheap = items(client, "/api/v1/offers?min_price=1&max_price=20")
    assert cheap and all(1 <= o["price_usd"] <= 20 for o in cheap)
    assert items(client, "/api/v1/offers?since=2026-04-01") == [every[0]]
    first = client.get("/api/v1/offers?limit=4").json()
    assert (first["limit"], first["offset"], first["next_offset"]) == (4, 0, 4)
    last = client.get("/api/v1/offers?limit=4&offset=8").json()
    assert last["next_offset"] is None and len(last["items"]) == 2
    assert first["items"] + last["items"] == every[:4] + every[8:]
    assert_error(client, "/api/v1/offers?category=nope", 400, "category 'nope'")
    assert_error(client, "/api/v1/offers?since=soon", 400, "since 'soon'")
    assert_error(client, "/api/v1/offers?limit=0", 422, "limit")


def test_an_offer_has_sightings_prices_and_masked_phones(client: TestClient) -> None:
    [cvv] = items(client, "/api/v1/offers?region=US&intent=sell&min_price=17&max_price=18")
    offer = client.get(cvv["url"].replace("/offers", "/api/v1/offers")).json()
    assert len(offer["sightings_list"]) == 6
    assert all(s["url"] == f"/messages/{s['message_id']}" for s in offer["sightings_list"])
    assert [p["amount"] for p in offer["prices"]] == [15.0, 20.0, 20.0]
    assert offer["rates"]["date"]
    [leak] = items(client, "/api/v1/offers?category=data_leak&min_price=1")
    r = client.get(f"/api/v1/offers/{leak['id']}")
    phone = next(c for c in r.json()["contacts"] if c["type"] == "phone")
    assert "*" in phone["value"] and phone["value"].endswith("8000")
    assert not RAW_PHONE.search(r.text)
    assert_error(client, "/api/v1/offers/999999", 404, "no offer 999999")
    assert client.get("/api/v1/offers/999999").json()["error"]["code"] == "not_found"


# ---- actors -------------------------------------------------------------------------------
def descending(values: list[int]) -> bool:
    return values == sorted(values, reverse=True)


def test_actors_filter_sort_and_page(client: TestClient) -> None:
    busiest = items(client, "/api/v1/actors?limit=200")
    assert descending([a["messages"] for a in busiest])
    assert busiest[0]["name"] == "cvv_a" and busiest[0]["url"] == f"/actors/{busiest[0]['id']}"
    trusted = items(client, "/api/v1/actors?sort=reputation&limit=200")
    assert descending([a["reputation"] for a in trusted]) and trusted[-1]["name"] == "kit_b"
    assert [a["name"] for a in items(client, "/api/v1/actors?max_reputation=40")] == ["kit_b"]
    assert all(a["reputation"] >= 55 for a in items(client, "/api/v1/actors?min_reputation=55"))
    tools = items(client, "/api/v1/actors?category=hacking_tool")
    assert [a["name"] for a in tools] == ["tool_z"]
    page = client.get("/api/v1/actors?sort=reputation&limit=3&offset=3").json()
    assert page["next_offset"] == 6 and page["items"] == trusted[3:6]
    assert_error(client, "/api/v1/actors?sort=name", 400, "sort 'name'")
    assert_error(client, "/api/v1/actors?min_reputation=101", 422, "min_reputation")


@pytest.mark.usefixtures("twins")
def test_an_actor_shows_the_evidence(client: TestClient) -> None:
    kit = client.get(f"/api/v1/actors/{actor_named(client, 'kit_b')['id']}").json()
    [exposures] = [f for f in kit["factors"] if f["name"] == "exposures"]
    assert exposures["points"] < 0 and len(exposures["message_ids"]) == 2
    assert exposures["messages"] == [f"/messages/{m}" for m in exposures["message_ids"]]
    assert {m["kind"] for m in kit["mentions"]} == {"exposure"}
    assert kit["timeline"] == [{"week": "2026-W10", "messages": 1}]
    twin = client.get(f"/api/v1/actors/{actor_named(client, 'twin_1')['id']}").json()
    assert [a["key"] for a in twin["account_list"]] == ["twin_1", "twin_2"]
    [link] = twin["links"]
    assert link["kind"] == "telegram_handle" and "twin_shop" in link["why"]
    assert len(link["message_ids"]) == 3
    assert twin["graph_url"] == f"/actors/{twin['id']}/graph"
    cvv = client.get(f"/api/v1/actors/{actor_named(client, 'cvv_a')['id']}").json()
    assert [w["messages"] for w in cvv["timeline"]] == [1] * 6
    leak = client.get(f"/api/v1/actors/{actor_named(client, 'leak_d')['id']}")
    assert "phone" in {i["type"] for i in leak.json()["identifiers"]}
    assert not RAW_PHONE.search(leak.text)
    assert_error(client, "/api/v1/actors/999999", 404, "no actor 999999")


# ---- the link graph -----------------------------------------------------------------------
def check_graph(graph: dict[str, Any]) -> dict[str, dict[str, Any]]:
    nodes = {n["id"]: n for n in graph["nodes"]}
    assert len(nodes) == len(graph["nodes"]) <= graph["cap"]
    assert {n["type"] for n in nodes.values()} <= {"actor", "account", "channel", "contact",
                                                   "wallet"}  # fmt: skip
    for e in graph["edges"]:
        assert e["source"] in nodes and e["target"] in nodes and e["kind"] and e["why"]
    assert all(n["url"] is None or n["url"].startswith("/") for n in nodes.values())
    return nodes


@pytest.mark.usefixtures("twins")
def test_the_graph_links_accounts_contacts_channels_and_other_actors(client: TestClient) -> None:
    twin = actor_named(client, "twin_1")
    graph = client.get(f"/api/v1/actors/{twin['id']}/graph").json()
    nodes = check_graph(graph)
    assert graph["truncated"] is False and graph["cap"] == 200
    accounts = {n["label"] for n in nodes.values() if n["type"] == "account"}
    assert accounts == {"twin_1", "twin_2"}
    [shop] = [n for n in nodes.values() if n["label"] == "@twin_shop"]
    assert shop["url"] == "/search?entity=telegram_handle%3Atwin_shop"
    posters = {e["source"] for e in graph["edges"] if e["target"] == shop["id"]}
    assert {f"account:{a}" for a in twin_accounts(client, twin["id"])} <= posters
    [victim] = [e for e in graph["edges"] if e["kind"] == "exposure"]
    assert nodes[victim["source"]]["label"] == "victim3" and victim["target"] == shop["id"]
    [market] = [n for n in nodes.values() if n["type"] == "channel"]
    assert market["label"] == "资源交易群"
    assert market["url"] == "/search?channel=%E8%B5%84%E6%BA%90%E4%BA%A4%E6%98%93%E7%BE%A4"
    assert client.get(market["url"]).status_code == 200
    leak = client.get(f"/api/v1/actors/{actor_named(client, 'leak_d')['id']}/graph")
    phones = [n for n in check_graph(leak.json()).values() if n["label"].startswith("phone")]
    assert phones and phones[0]["url"] is None and "*" in phones[0]["label"]
    assert not RAW_PHONE.search(leak.text)
    assert_error(client, "/api/v1/actors/999999/graph", 404, "no actor 999999")


def twin_accounts(client: TestClient, actor_id: int) -> list[int]:
    body = client.get(f"/api/v1/actors/{actor_id}").json()
    return [a["id"] for a in body["account_list"]]


@pytest.mark.usefixtures("twins")
def test_the_graph_is_capped(client: TestClient, store: Store) -> None:
    twin = get_actor(store, actor_named(client, "twin_1")["id"])
    assert twin is not None
    graph = actor_graph(store, twin, cap=3)
    assert len(check_graph(graph)) == 3 and graph["truncated"] and graph["omitted_nodes"] >= 2


# ---- analysts' decisions ------------------------------------------------------------------
@pytest.mark.usefixtures("twins")
def test_split_then_merge_with_csrf_and_audit(client: TestClient, store: Store) -> None:
    one, two = twin_accounts(client, actor_named(client, "twin_1")["id"])
    body = {"a": one, "b": two, "note": "two sellers sharing a shop handle"}
    refused = client.post("/api/v1/actors/split", json=body)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    token = {"X-CSRF-Token": csrf_of(client)}
    split = client.post("/api/v1/actors/split", json=body, headers=token)
    assert split.status_code == 200, split.text
    assert split.json()["decision"] == "split" and split.json()["actors"] == [one, two]
    assert split.json()["who"].startswith("local")
    # The handle now belongs to the account that posted it most; the other shares it.
    graph = client.get(f"/api/v1/actors/{one}/graph").json()
    assert f"actor:{two}" in check_graph(graph)
    assert (f"actor:{two}", "shares") in {(e["source"], e["kind"]) for e in graph["edges"]}
    page = client.get(f"/actors/{one}").text  # so the page offers to merge them again
    assert f"""data-url="/api/v1/actors/merge" data-body='{{"a": {one}, "b": {two}}}'""" in page
    merged = client.post("/api/v1/actors/merge", json={"a": one, "b": two}, headers=token)
    assert merged.status_code == 200 and merged.json()["actors"] == [one, one]
    assert twin_accounts(client, one) == [one, two]
    log = [(e.action, e.detail) for e in audit_entries(store)]
    assert log[0][0] == "actor_join" and log[1][0] == "actor_split"
    assert "two sellers sharing a shop handle" in log[1][1]
    assert {e.who for e in audit_entries(store)[:2]} == {split.json()["who"]}


def test_a_decision_needs_two_known_accounts(client: TestClient) -> None:
    token = {"X-CSRF-Token": csrf_of(client)}
    r = client.post("/api/v1/actors/merge", json={"a": 1, "b": 999999}, headers=token)
    assert r.status_code == 404 and r.json()["error"]["message"] == (
        "no account 999999 among the actors"
    )
    r = client.post("/api/v1/actors/split", json={"a": 1, "b": 1}, headers=token)
    assert r.status_code == 400 and "two different accounts" in r.json()["error"]["message"]
    r = client.post("/api/v1/actors/merge", json={"a": 1}, headers=token)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid"


# ---- the timeline chart and the pages --------------------------------------------------------
def test_the_timeline_is_an_svg_with_its_own_csp(client: TestClient) -> None:
    cvv = actor_named(client, "cvv_a")
    r = client.get(f"/charts/actors/{cvv['id']}/timeline.svg")
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    assert r.headers["content-security-policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "<svg" in r.text and "2026-W10" in r.text and "<script" not in r.text
    assert client.get("/charts/actors/999999/timeline.svg").status_code == 404


def assert_safe(html: str) -> None:
    assert "<b>click</b>" not in html and "<script>alert" not in html and "<img src=x" not in html
    assert not re.search(r"<[a-z]+[^>]*\sstyle=", html), "inline style is refused by the CSP"
    for tag in re.findall(r"<script[^>]*>", html):
        assert re.fullmatch(r'<script src="/static/[\w./-]+"></script>', tag + "</script>"), tag
    assert not re.search(r"<script[^>]*>[^<]+</script>", html), "inline script"


@pytest.mark.usefixtures("twins")
def test_pages_render_escaped(client: TestClient) -> None:
    evil = actor_named(client, HOSTILE_NAME)
    kit = actor_named(client, "kit_b")
    twin = actor_named(client, "twin_1")
    offers = client.get("/offers")
    assert offers.status_code == 200 and 'href="/offers/1"' in offers.text
    offer = client.get("/offers/1")
    assert offer.status_code == 200 and 'href="/messages/1"' in offer.text
    listing = client.get("/actors?sort=reputation")
    assert listing.status_code == 200 and "&lt;b&gt;click&lt;/b&gt;" in listing.text
    page = client.get(f"/actors/{evil['id']}")
    assert page.status_code == 200 and 'id="actor-name"' in page.text
    assert "&lt;b&gt;click&lt;/b&gt;" in page.text and "hxxp://evil" in page.text
    kit_page = client.get(f"/actors/{kit['id']}").text
    assert kit_page.count('class="factor"') == 4 and 'href="/messages/' in kit_page
    assert f'id="timeline" class="timeline" src="/charts/actors/{kit["id"]}/timeline.svg"' in (
        kit_page
    )
    assert f'id="graph-link" href="/actors/{kit["id"]}/graph"' in kit_page
    twin_page = client.get(f"/actors/{twin['id']}").text
    assert 'data-url="/api/v1/actors/split"' in twin_page  # the two accounts can be split
    assert "victim3" in twin_page  # names their contact, but accuses: no merge offered
    assert 'data-url="/api/v1/actors/merge"' not in twin_page + kit_page
    graph = client.get(f"/actors/{evil['id']}/graph")
    assert graph.status_code == 200 and 'id="graph"' in graph.text
    assert f'data-src="/api/v1/actors/{evil["id"]}/graph"' in graph.text
    assert '<script src="/static/vendor/cytoscape.min.js">' in graph.text
    # The graph as text too: every node with a url is a link, labels escaped.
    assert '<ul class="graph-nodes">' in graph.text and f'href="/actors/{evil["id"]}"' in graph.text
    twin_graph = client.get(f"/actors/{twin['id']}/graph").text
    assert 'href="/search?entity=telegram_handle%3Atwin_shop">@twin_shop</a>' in twin_graph
    assert "exposes it (message" in twin_graph
    for html in (offers.text, offer.text, listing.text, page.text, graph.text, kit_page,
                 twin_page, twin_graph):  # fmt: skip
        assert_safe(html)


def test_pages_show_filter_errors_and_404(client: TestClient) -> None:
    r = client.get("/offers?min_price=cheap&category=card_fraud")
    assert r.status_code == 200 and "min_price &#39;cheap&#39;: expected a number" in r.text
    r = client.get("/actors?sort=name")
    assert r.status_code == 200 and "sort &#39;name&#39;" in r.text
    filtered = client.get("/actors?max_reputation=40&min_reputation=")
    assert filtered.status_code == 200 and "kit_b" in filtered.text and "cvv_a" not in filtered.text
    missing = client.get("/actors/999999", headers={"Accept": "text/html"})
    assert missing.status_code == 404 and "no actor 999999" in missing.text
    assert client.get("/offers/999999", headers={"Accept": "text/html"}).status_code == 404


def test_the_graph_assets_are_served(client: TestClient) -> None:
    for path in ("/static/graph.js", "/static/actors.css", "/static/vendor/cytoscape.min.js"):
        assert client.get(path).status_code == 200, path
    script = client.get("/static/graph.js").text
    assert "innerHTML" not in script and "textContent" in script
