"""Search through the API and the page: the CLI's filters plus actor and indicator type,
filters alone, pagination, masking, highlighted hits."""

from __future__ import annotations

from fastapi.testclient import TestClient

from jianghu.store.actors import actor_of_account
from jianghu.store.base import Store
from tests.report.market import CARD, store_id


def _ids(client: TestClient, **params: object) -> set[int]:
    r = client.get("/api/v1/search", params={"limit": 200, **params})
    assert r.status_code == 200, r.text
    return {item["id"] for item in r.json()["items"]}


def test_filters_by_actor_and_indicator_type(client: TestClient, store: Store) -> None:
    [(author,)] = store._all("SELECT author_id FROM messages WHERE message_id = '40'")
    actor = actor_of_account(store, int(author))
    assert _ids(client, actor=actor) == {store_id(store, "40"), store_id(store, "41")}
    cards = {store_id(store, str(i)) for i in range(10, 16)}
    assert _ids(client, entity_type="card_number") == cards
    assert _ids(client, q="CVV", entity_type="phone") == set()
    bad = client.get("/api/v1/search", params={"entity_type": "bitcoin"})
    assert bad.status_code == 400 and "entity_type 'bitcoin'" in bad.json()["error"]["message"]


def test_filters_alone_list_messages(client: TestClient, store: Store) -> None:
    assert _ids(client, channel="网安") == {store_id(store, "40"), store_id(store, "41")}


def test_pages_of_results_and_masked_snippets(client: TestClient) -> None:
    first = client.get("/api/v1/search", params={"q": "CVV", "limit": 2}).json()
    assert len(first["items"]) == 2 and first["next_offset"] == 2
    second = client.get("/api/v1/search", params={"q": "CVV", "limit": 2, "offset": 2}).json()
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}
    everything = client.get("/api/v1/search", params={"q": "CVV", "limit": 200}).text
    assert CARD not in everything and "411111******1111" in everything


def test_the_page_highlights_hits_and_keeps_the_form(client: TestClient) -> None:
    page = client.get("/search", params={"q": "CVV", "category": "card_fraud", "actor": ""})
    assert page.status_code == 200
    assert "<mark>CVV</mark>" in page.text and 'href="/messages/' in page.text
    assert "<option selected>card_fraud</option>" in page.text
    wrong = client.get("/search", params={"actor": "x"})
    assert "expected an actor id" in wrong.text
