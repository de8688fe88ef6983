"""Messages and channels in the workspace: the API's fields, victims' data masked until
an analyst reveals it (and the reveal logged), glosses and evidence on the page, links
defanged and never live, and every hostile payload inert."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import msgspec
from fastapi.testclient import TestClient

from jianghu.analysis.pipeline import Analysed, analyse
from jianghu.analysis.search_terms import search_doc
from jianghu.faces.masking import mask_text
from jianghu.records import AuthorRef, ChannelRef, Message, TextEntity
from jianghu.store.analysts import audit_entries
from jianghu.store.base import Store, StoredEntity
from jianghu.web.views_messages import message_links
from jianghu.web.views_text import rewrite
from tests.conftest import make_message
from tests.report.market import CARD, HOSTILE_NAME, PHONE, store_id
from tests.web.conftest import csrf_of

MASKED_CARD = "411111******1111"
HTML = {"accept": "text/html"}
# A tag of the page's own carrying an event handler, or a live script/data link.
LIVE = re.compile(
    r"<[^>]*\son[a-z]+\s*=|(?:href|src|action)\s*=\s*\"?\s*(?:javascript|data):", re.I
)


def assert_inert(page: str, where: str) -> None:
    """No markup of the attacker's reached the page: the only script is the app's own,
    no images, frames, styles or handlers, no raw control or bidi characters."""
    assert page.count("<script") == 1 and '<script src="/static/app.js">' in page, where
    for tag in ("<img", "<svg", "<iframe", "<style", "<object", "<embed", "<b>", '<a href="java'):
        assert tag not in page.lower(), (where, tag)
    assert LIVE.search(page) is None, (where, LIVE.search(page))
    assert "\x1b" not in page and "\u202e" not in page and "\x00" not in page, where


# ---- one message -----------------------------------------------------------------------
def test_message_api_has_the_message_its_author_analysis_and_offer(
    client: TestClient, store: Store
) -> None:
    mid = store_id(store, "10")
    m = client.get(f"/api/v1/messages/{mid}").json()
    assert (m["id"], m["platform"], m["kind"], m["message_id"]) == (
        mid,
        "telegram",
        "message",
        "10",
    )
    assert m["channel"]["name"] == "资源交易群" and m["channel"]["kind"] == "public_supergroup"
    assert m["author"]["platform_id"] == "cvv_a" and m["author"]["names"] == ["cvv_a"]
    assert m["actor"]["id"] > 0 and isinstance(m["actor"]["reputation"], int)
    assert m["posted_at"] == "2026-03-02T09:10:00+00:00" and m["edited_at"] is None
    assert m["reply_to"] is None and m["forwarded_from"] is None
    assert m["language"] == "zh-Hans" and m["intent"] == "sell"
    [cat] = m["categories"]
    assert cat["category"] == "card_fraud" and cat["score"] >= 0.55 and "CVV" in cat["terms"]
    assert cat["features"] and all({"feature", "weight"} == set(f) for f in cat["features"])
    assert m["intent_features"]
    # Every span indexes the text as returned, which is masked.
    assert MASKED_CARD in m["text"] and CARD not in m["text"] and m["masked"] is True
    for t in m["terms"]:
        assert m["text"][t["start"] : t["end"]].casefold() == t["term"].casefold(), t
        assert t["gloss"]
    cvv = next(t for t in m["terms"] if t["canonical"] == "CVV")
    assert "card data" in cvv["gloss"]
    card = next(e for e in m["entities"] if e["type"] == "card_number")
    assert card["value"] == MASKED_CARD and card["masked"] and "bin8" not in card["attrs"]
    assert m["text"][card["start"] : card["end"]] == MASKED_CARD
    handle = next(e for e in m["entities"] if e["type"] == "telegram_handle")
    assert m["text"][handle["start"] : handle["end"]] == "@usa_cvv_shop"
    offer = m["offer"]
    assert offer["sightings_total"] == 6 and len(offer["sightings"]) == 6
    assert mid in [s["message_id"] for s in offer["sightings"]] and offer["regions"] == ["US"]
    assert CARD.replace(" ", "") not in str(m)


def test_an_unknown_message_is_404_in_the_error_shape(client: TestClient) -> None:
    r = client.get("/api/v1/messages/999999")
    assert r.status_code == 404
    assert r.json() == {
        "error": {"status": 404, "code": "not_found", "message": "no message 999999"}
    }
    assert client.get("/api/v1/messages/0").status_code == 422
    assert client.get(f"/api/v1/messages/{2**64}").status_code == 422
    page = client.get("/messages/999999", headers=HTML)
    assert page.status_code == 404 and "no message 999999" in page.text
    assert client.post("/api/v1/messages/999999/reveal",
                       headers={"X-CSRF-Token": csrf_of(client)}).status_code == 404  # fmt: skip


def test_reveal_needs_csrf_and_is_logged(client: TestClient, store: Store) -> None:
    mid = store_id(store, "51")
    assert PHONE not in client.get(f"/api/v1/messages/{mid}").json()["text"]
    refused = client.post(f"/api/v1/messages/{mid}/reveal")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    r = client.post(f"/api/v1/messages/{mid}/reveal", headers={"X-CSRF-Token": csrf_of(client)})
    assert r.status_code == 200 and PHONE in r.json()["value"]
    [entry] = [e for e in audit_entries(store) if e.action == "reveal"]
    assert entry.who.startswith("local") and entry.detail == f"message {mid}"
    logged = store._all("SELECT command, detail FROM reveal_log")
    assert [(c, d.split(" by ")[0]) for c, d in logged] == [("web reveal", f"message {mid}")]


def test_the_message_page_marks_jargon_and_lists_glosses(client: TestClient, store: Store) -> None:
    page = client.get(f"/messages/{store_id(store, '50')}").text
    assert '<div class="text" id="msg-text">' in page
    assert '<mark title="card data">卡料</mark>' in page
    assert '<ul class="gloss-list">' in page and "credit card (data)" in page
    assert '<span class="badge cat-card_fraud">card_fraud</span>' in page
    assert page.count('class="entity"') == 5 and "price: 20 USDT" in page


def test_the_message_page_masks_and_offers_a_logged_reveal(
    client: TestClient, store: Store
) -> None:
    mid = store_id(store, "10")
    page = client.get(f"/messages/{mid}").text
    assert CARD not in page and CARD.replace(" ", "") not in page and MASKED_CARD in page
    assert (f'<button data-action="reveal" data-url="/api/v1/messages/{mid}/reveal" '
            'data-target="msg-text">') in page  # fmt: skip
    actor = client.get(f"/api/v1/messages/{mid}").json()["actor"]
    assert f'<a id="msg-actor" href="/actors/{actor["id"]}">cvv_a</a>' in page
    assert f"reputation {actor['reputation']}" in page
    offer = client.get(f"/api/v1/messages/{mid}").json()["offer"]
    assert f'href="/offers/{offer["id"]}"' in page
    for s in offer["sightings"]:
        assert f'<a href="/messages/{s["message_id"]}">' in page
    # No victims' data in the message: no reveal button.
    assert 'data-action="reveal"' not in client.get(f"/messages/{store_id(store, '20')}").text


def test_links_are_defanged_and_hostile_text_inert(client: TestClient, store: Store) -> None:
    page = client.get(f"/messages/{store_id(store, '50')}").text
    assert "hxxp://evil[.]example[.]com/x" in page and "hxxps://evil[.]example[.]com" in page
    assert 'href="http' not in page and "http://evil.example.com/x</" not in page
    url = "http://evil.example.com/x"
    assert f'<button data-action="copy" data-value="{url}">copy</button>' in page
    assert f'<button data-action="open-link" data-value="{url}">open…</button>' in page
    assert_inert(page, "message 50")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "\\x1b[31mred" in page
    # The author's name: escaped and defanged, never markup or a formula that runs.
    assert "&lt;b&gt;click&lt;/b&gt;" in page and HOSTILE_NAME not in page


def test_links_keep_victims_data_masked_on_page_and_in_the_api() -> None:
    text = "料 http://evil.example.com/?p=+8613800138000 完"
    a, b, p = text.index("http"), text.index(" 完"), text.index("+86")
    url = StoredEntity("url", text[a:b], text[a:b], a, b, {})
    phone = StoredEntity("phone", text[p:b], text[p:b], p, b, {})
    shown = rewrite(text, [url, phone], defang_links=True)
    assert shown.text == "料 http://evil[.]example[.]com/?p=+86138****8000 完"
    assert shown.position(b) == len(shown.text) - 2 and shown.overlaps(0, 1) is False
    assert rewrite(text, [url, phone], False).text == mask_text(text, [phone.to_entity()])
    [link] = message_links(text, [url, phone], "[]")
    assert link["masked"] and not link["openable"] and "8613800138000" not in str(link)
    # Data running across a link's edge is masked whole; the link is left to the pattern.
    edge = StoredEntity("url", text[a : p + 4], text[a : p + 4], a, p + 4, {})
    assert rewrite(text, [edge, phone], True).text == mask_text(text, [phone.to_entity()])


# ---- channels --------------------------------------------------------------------------
def test_channels_api_pages_with_counts_and_categories(client: TestClient) -> None:
    first = client.get("/api/v1/channels?limit=1").json()
    assert first["limit"] == 1 and first["offset"] == 0 and first["next_offset"] == 1
    [market] = first["items"]
    assert market["name"] == "资源交易群" and market["messages"] == 12
    assert market["offer_messages"] >= 9 and market["platform"] == "telegram"
    assert (
        market["first_seen"].startswith("2026-03-02") and market["last_seen"] > market["first_seen"]
    )
    assert market["top_categories"][0] == {"category": "card_fraud", "messages": 9}
    last = client.get("/api/v1/channels?limit=1&offset=3").json()
    assert len(last["items"]) == 1 and last["next_offset"] is None
    assert client.get("/api/v1/channels?limit=0").status_code == 422


def test_channel_api_has_category_counts_and_paged_messages(client: TestClient) -> None:
    cid = client.get("/api/v1/channels?limit=1").json()["items"][0]["id"]
    r = client.get(f"/api/v1/channels/{cid}?limit=5").json()
    assert r["channel"]["id"] == cid and r["channel"]["messages"] == 12
    assert {"category": "card_fraud", "messages": 9} in r["categories"]
    msgs = r["messages"]
    assert len(msgs["items"]) == 5 and msgs["next_offset"] == 5
    times = [m["posted_at"] for m in msgs["items"]]
    assert times == sorted(times, reverse=True)
    rest = client.get(f"/api/v1/channels/{cid}?limit=5&offset=10").json()["messages"]
    assert len(rest["items"]) == 2 and rest["next_offset"] is None
    every = client.get(f"/api/v1/channels/{cid}?limit=50").json()["messages"]["items"]
    assert all(CARD not in m["snippet"] for m in every)
    assert any(MASKED_CARD in m["snippet"] for m in every)
    missing = client.get("/api/v1/channels/999")
    assert missing.status_code == 404 and missing.json()["error"]["message"] == "no channel 999"


def test_channel_pages_link_messages_and_page(client: TestClient) -> None:
    listing = client.get("/channels").text
    cid = client.get("/api/v1/channels?limit=1").json()["items"][0]["id"]
    assert f'<a href="/channels/{cid}">资源交易群</a>' in listing and "江湖避雷区" in listing
    page = client.get(f"/channels/{cid}?limit=5").text
    ids = re.findall(r'<a class="open" href="/messages/(\d+)">', page)
    assert len(ids) == 5
    assert f'href="/channels/{cid}?limit=5&amp;offset=5">next →</a>' in page
    assert CARD not in page and '<span class="badge cat-card_fraud">' in page
    assert_inert(page, "channel page")
    assert client.get("/channels/999", headers=HTML).status_code == 404


# ---- hostile payloads ------------------------------------------------------------------
PAYLOADS = {
    "script": "<script>alert(document.cookie)</script>",
    "handler": '<img src=x onerror="alert(1)"><svg onload=alert(2)><body onload=alert(3)>',
    "attr breakout": 'http://evil.example.com/"onmouseover="alert(1)" x="',
    "javascript link": "点这里 javascript:alert(1) [x](javascript:alert(2))",
    "data link": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "css": "</style><style>body{display:none}</style><link rel=stylesheet href=//evil>",
    "iframe": "<iframe src=//evil.example.com></iframe><object data=x></object>",
    "rtl override": "出料 \u202efdp.exe\u202c 四件套",
    "template": "{{ 7*7 }} {% raw %} ${7*7} #{7*7}",
    "entities": "&lt;script&gt;alert(1)&lt;/script&gt; &#60;img&#62;",
    "lone surrogate": "出料 \ud800\udfff\ud800 <b>x</b>",
    "nul and ansi": "a\x00b \x1b]8;;http://evil.example.com\x07click\x1b]8;;\x07",
    "long": "出料 <b>x</b> " + "lorem ipsum <i>dolor</i> " * 4000,
}
# 100,000 characters without a space: language detection takes most of a minute over it
# (a backtracking pattern), so it is stored as a message awaiting analysis would be.
UNBROKEN = "<script>" + "A" * 100_000 + "</script>"
EVIL = ChannelRef("telegram", "evil", "666", "<script>x</script>\u202e群", "public_supergroup")
T0 = datetime(2026, 5, 1, tzinfo=UTC)


def hostile_messages() -> list[Message]:
    out = []
    for i, (name, text) in enumerate(PAYLOADS.items()):
        who = AuthorRef(f"u{i}", f'<img src=x onerror=alert("{name}")>', f"h{i}<b>")
        out.append(make_message(str(1000 + i), text, channel=EVIL, author=who,
                                posted_at=T0 + timedelta(minutes=i)))  # fmt: skip
    # A text link whose shown text is harmless and whose target is not.
    for j, href in enumerate(("javascript:alert(1)", "data:text/html,<script>x</script>")):
        link = TextEntity("text_link", 0, 4, "docs", href=href)
        base = make_message(f"200{j}", "docs here", channel=EVIL, posted_at=T0)
        out.append(msgspec.structs.replace(base, entities=(link,)))
    # A service event (a pin, a join) whose action and text are hostile too.
    event = make_message("2002", "<script>pin</script>", channel=EVIL, kind="service")
    out.append(msgspec.structs.replace(event, action="<img src=x onerror=alert(1)>"))
    return out


def test_hostile_payloads_are_inert_on_every_page(client: TestClient, store: Store) -> None:
    unbroken = make_message("3000", UNBROKEN, channel=EVIL, posted_at=T0)
    store.write_batch(
        [*analyse(hostile_messages()), Analysed(unbroken, search_doc(UNBROKEN))], None
    )
    ids = {m.message_id: store_id(store, m.message_id) for m in [*hostile_messages(), unbroken]}
    for key, mid in ids.items():
        api = client.get(f"/api/v1/messages/{mid}")
        assert api.status_code == 200, key
        r = client.get(f"/messages/{mid}")
        assert r.status_code == 200, key
        assert_inert(r.text, key)
        # No link that is not plain http(s) gets a button to copy or open it.
        for value in re.findall(r'data-action="(?:copy|open-link)" data-value="([^"]*)"', r.text):
            assert value.startswith(("http://", "https://")), (key, value)
        assert '"onmouseover="' not in r.text
    long_page = client.get(f"/messages/{ids['1012']}").text
    assert long_page.count("&lt;i&gt;dolor&lt;/i&gt;") == 4000
    assert "Terms and model evidence cover the first 8000 characters" in long_page
    assert "&lt;script&gt;" + "A" * 100_000 in client.get(f"/messages/{ids['3000']}").text
    assert "{{ 7*7 }}" in client.get(f"/messages/{ids['1008']}").text
    assert "&amp;lt;script&amp;gt;" in client.get(f"/messages/{ids['1009']}").text
    assert "\\u202efdp" in client.get(f"/messages/{ids['1007']}").text
    assert "\ufffd" in client.get(f"/messages/{ids['1010']}").text
    for mid in (ids["2000"], ids["2001"]):
        page = client.get(f"/messages/{mid}").text
        assert "javascript:alert(1)" in page or "data:text/html" in page
        assert 'data-action="open-link"' not in page and 'data-action="copy"' not in page
    event = client.get(f"/api/v1/messages/{ids['2002']}").json()
    assert event["kind"] == "service" and event["categories"] == [] and event["intent"] is None
    assert "<dt>Kind</dt><dd>service · &lt;img" in client.get(f"/messages/{ids['2002']}").text
    [cid] = [c["id"] for c in client.get("/api/v1/channels").json()["items"]
             if c["platform_id"] == "666"]  # fmt: skip
    for path in ("/channels", f"/channels/{cid}", f"/api/v1/channels/{cid}"):
        r = client.get(path)
        assert r.status_code == 200, path
        if not path.startswith("/api/"):
            assert_inert(r.text, path)
