"""MISP export: a small card market exported as MISP events that PyMISP loads back and
validates against its object templates, with victims' data masked, the same JSON every
time, one event per export, actor or offer, taxonomy tags, and a push to a local
stand-in for MISP that checks what MISP would receive — on both backends."""

from __future__ import annotations

import json
import socket
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pymisp
import pytest
from pymisp import MISPEvent, MISPObject

from jianghu.analysis.entities import extract_entities
from jianghu.analysis.pipeline import analyse
from jianghu.errors import ConfigError
from jianghu.export.misp import GROUPINGS, MispPushError, PushResult, misp_events, push_events
from jianghu.export.misp_tags import CATEGORY_TAGS, INTENT_TAGS, PLATFORM_TAGS
from jianghu.intel.actor_build import build_actors
from jianghu.intel.offers import build_offers
from jianghu.records import AuthorRef, ChannelRef, Message
from jianghu.store.base import Store
from jianghu.store.selection import Selection, SelectionFilters, select
from tests.conftest import make_message
from tests.export.fake_misp import answer, url_of

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
MARKET = ChannelRef("telegram", "market", "1", "资源交易群", "public_supergroup")
VISA = "4111 1111 1111 1111"
UNIONPAY = "6222021234567894"
PHONE = "+86 138 0013 8000"
CN_ID = "11010519491231002X"
TRON = "TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7"
BTC = "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"
ADS = {
    "card_king": f"出美国CVV {VISA} 带余额 15U一条 飞机@card_king 邮箱 king@protonmail.com",
    "union": f"出银联卡 {UNIONPAY} 全料 付款TRON地址 {TRON} 电话 {PHONE}",
    "dumps": f"出一手料 网站 www.dumpshop.cc 链接 https://dumpshop.cc/buy?id=3 BTC {BTC}",
    "ids": f"出身份证料 身份证号 {CN_ID} 姓名张三 飞机@id_shop",
}
EXPECTED_ENTITIES = {
    "card_king": {"card_number", "telegram_handle", "email"},
    "union": {"card_number", "tron_address", "phone"},
    "dumps": {"domain", "url", "btc_address"},
    "ids": {"cn_id", "telegram_handle"},
}
# Unmasked victims' data, in every spelling that could leak it.
SECRETS = (VISA, VISA.replace(" ", ""), UNIONPAY, PHONE, "+8613800138000", "13800138000", CN_ID)
TEMPLATES = Path(pymisp.__file__).parent / "data" / "misp-objects" / "objects"


def _ad(i: int, who: str, text: str, day: int, handle: str | None = None) -> Message:
    return make_message(str(i), text, channel=MARKET, author=AuthorRef(who, who, handle),
                        posted_at=T0 + timedelta(days=day, minutes=i))  # fmt: skip


def _market(store: Store) -> Selection:
    ads = [
        _ad(1, "user1", ADS["card_king"], 1, "card_king"),
        _ad(2, "user1", ADS["card_king"], 2, "card_king"),  # a repost: one offer, two sightings
        _ad(3, "user2", ADS["union"], 3),
        _ad(4, "user3", ADS["dumps"], 4),
        _ad(5, "user4", ADS["ids"], 5),
    ]
    store.write_batch(analyse(ads), None)
    build_offers(store)
    build_actors(store)
    return select(store, SelectionFilters())


def _dump(events: list[dict[str, Any]]) -> str:
    return json.dumps(events, ensure_ascii=False, sort_keys=True)


def _load(event: dict[str, Any]) -> MISPEvent:
    ev = MISPEvent()
    ev.load(json.dumps(event))
    return ev


def _strictly_valid(obj: MISPObject) -> None:
    """Rebuilt in strict mode it validates, and every relation and type is the template's
    (PyMISP only warns about a relation the template lacks)."""
    rebuilt = MISPObject(obj.name, strict=True)
    rebuilt.from_dict(**obj.to_dict())
    rebuilt.to_dict(strict=True)  # raises on a missing required or a repeated single relation
    template = json.loads((TEMPLATES / obj.name / "definition.json").read_text(encoding="utf-8"))
    for a in obj.attributes:
        assert a.object_relation in template["attributes"], (obj.name, a.object_relation)
        assert a.type == template["attributes"][a.object_relation]["misp-attribute"]


def _values(ev: MISPEvent, name: str, relation: str) -> list[str]:
    return sorted(
        str(a.value) for o in ev.objects if o.name == name for a in o.attributes
        if a.object_relation == relation
    )  # fmt: skip


def test_the_sample_ads_hold_the_indicators_the_export_maps() -> None:
    for name, text in ADS.items():
        assert {e.type for e in extract_entities(text)} >= EXPECTED_ENTITIES[name], name


def test_events_load_back_into_pymisp_and_validate_against_the_templates(store: Store) -> None:
    selection = _market(store)
    for per in GROUPINGS:
        for event in misp_events(selection, per=per):
            ev = _load(event)
            assert ev.uuid == event["Event"]["uuid"] and ev.info.startswith("jianghu")
            for obj in ev.objects:
                _strictly_valid(obj)
            uuids = [o.uuid for o in ev.objects] + [a.uuid for a in ev.attributes]
            uuids += [a.uuid for o in ev.objects for a in o.attributes]
            assert len(uuids) == len(set(uuids)), "uuids must be unique in an event"
    [event] = misp_events(selection)
    ev = _load(event)
    names = Counter(o.name for o in ev.objects)
    assert names["chat-message"] == 5
    assert names["annotation"] == len(selection.offers) >= 2
    assert names["credit-card"] == 2 and "phone-number" not in names
    assert _values(ev, "coin-address", "address") == [BTC]
    assert _values(ev, "coin-address", "address-crypto") == [TRON]
    assert _values(ev, "coin-address", "symbol") == ["BTC", "TRX"]
    assert _values(ev, "url", "url") == ["https://dumpshop.cc/buy?id=3"]
    assert _values(ev, "domain-ip", "domain") == ["www.dumpshop.cc"]
    # the poster's own @handle in the ad is the poster's account object, not a second one
    assert _values(ev, "telegram-account", "username") == ["card_king", "id_shop"]
    assert _values(ev, "credit-card", "iin") == ["411111", "622202"]
    assert _values(ev, "credit-card", "cc-number") == ["411111******1111", "622202******7894"]
    [email] = [a for a in ev.attributes if a.value == "king@protonmail.com"]
    assert email.type == "email" and email.category == "Social network"
    actors = [a.value for a in ev.attributes if a.type == "threat-actor"]
    assert sorted(actors) == sorted(a.name for a in selection.actors.values())
    [content] = [
        a for o in ev.objects if o.name == "chat-message" for a in o.attributes
        if a.object_relation == "content" and "dumpshop" in a.value
    ]  # fmt: skip
    assert content.comment.startswith("English gloss: 出[selling]")


def test_victims_data_is_masked_unless_revealed(store: Store) -> None:
    selection = _market(store)
    default = _dump(misp_events(selection))
    for secret in SECRETS:
        assert secret not in default, secret
    [masked] = [
        a for o in _load(misp_events(selection)[0]).objects for a in o.attributes
        if a.object_relation == "cc-number" and a.value.startswith("411111")
    ]  # fmt: skip
    assert masked.to_ids is False and masked.disable_correlation is True
    assert "411111******1111" in default

    revealed = misp_events(selection, reveal=True)
    assert _values(_load(revealed[0]), "phone-number", "phone-number") == ["+8613800138000"]
    # reveal uncovers phones and ID numbers in text, never whole card numbers
    assert VISA not in _dump(revealed) and UNIONPAY not in _dump(revealed)
    assert CN_ID in _dump(revealed)
    ev = _load(revealed[0])
    not_text = [a.value for a in ev.attributes] + [
        a.value for o in ev.objects for a in o.attributes if a.object_relation != "content"
    ]
    assert not any(CN_ID in str(v) for v in not_text), "an ID number is never an attribute"

    full = misp_events(selection, full_cards=True)
    assert _values(_load(full[0]), "credit-card", "cc-number") == [
        "4111111111111111",
        UNIONPAY,
    ]
    assert "13800138000" not in _dump(full) and CN_ID not in _dump(full)


def test_the_same_store_exports_the_same_json(store: Store) -> None:
    selection = _market(store)
    for per in GROUPINGS:
        first = _dump(misp_events(selection, per=per))
        again = _dump(misp_events(select(store, SelectionFilters()), per=per))
        assert first == again, per
    # every timestamp comes from the messages, none from the clock
    posted = {str(int(m.posted_at.timestamp())) for m in selection.messages}
    stamps = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            stamps.update(str(v) for k, v in node.items() if k == "timestamp")
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    [event] = misp_events(selection)
    walk(event)
    assert stamps and stamps <= posted
    last = selection.messages[-1].posted_at
    assert event["Event"]["timestamp"] == str(int(last.timestamp()))
    assert event["Event"]["date"] == last.date().isoformat()
    ev = _load(event)
    stamped = [*ev.objects, *ev.attributes, *(a for o in ev.objects for a in o.attributes)]
    assert all(hasattr(x, "timestamp") for x in stamped)


def test_one_event_per_export_actor_or_offer(store: Store) -> None:
    selection = _market(store)
    assert len(misp_events(selection)) == 1
    by_actor = misp_events(selection, per="actor")
    by_offer = misp_events(selection, per="offer")
    assert len(by_actor) == len(selection.actors) == 4
    assert len(by_offer) == len(selection.offers)
    uuids = [e["Event"]["uuid"] for e in [*by_actor, *by_offer, *misp_events(selection)]]
    assert len(set(uuids)) == len(uuids)
    card_king = next(e for e in by_actor if "user1" in e["Event"]["info"])
    ev = _load(card_king)
    assert ev.info.startswith("jianghu: user1 — 2 messages, reputation ")
    assert Counter(o.name for o in ev.objects)["chat-message"] == 2
    assert [a.value for a in ev.attributes if a.type == "threat-actor"] == ["user1"]
    repost = next(e for e in by_offer if "cvv" in e["Event"]["info"].lower())
    assert Counter(o.name for o in _load(repost).objects)["chat-message"] == 2
    with pytest.raises(ValueError, match="per='channel'"):
        misp_events(selection, per="channel")


def test_events_carry_tlp_and_dark_web_tags(store: Store) -> None:
    selection = _market(store)
    [event] = misp_events(selection)
    tags = [t["name"] for t in event["Event"]["Tag"]]
    assert tags[0] == "tlp:amber"
    assert {
        'dark-web:topic="chat"',
        'dark-web:topic="credit-card"',
        'dark-web:motivation="marketplace-for-sale"',
    } <= set(tags)
    [red] = misp_events(selection, tlp="red")
    assert red["Event"]["Tag"][0] == {"name": "tlp:red"}
    with pytest.raises(ValueError, match="TLP level 'orange'"):
        misp_events(selection, tlp="orange")


# MISP's dark-web taxonomy (misp-taxonomies dark-web/machinetag.json, version 6).
DARK_WEB = {
    "topic": {
        "drugs-narcotics", "electronics", "finance", "finance-crypto", "credit-card", "cash-in",
        "cash-out", "escrow", "hacking", "identification-credentials",
        "intellectual-property-copyright-materials", "pornography-adult",
        "pornography-child-exploitation", "pornography-illicit-or-illegal",
        "search-engine-index", "unclear", "extremism", "violence", "weapons", "softwares",
        "counteir-feit-materials", "gambling", "library", "other-not-illegal", "legitimate",
        "chat", "mixer", "mystery-box", "anonymizer", "vpn-provider", "email-provider",
        "ponies", "games", "parody", "whistleblower", "ransomware-group",
    },
    "motivation": {
        "education-training", "wiki", "forum", "file-sharing", "hosting", "ddos-services",
        "general", "information-sharing-reportage", "scam", "political-speech",
        "conspirationist", "hate-speech", "religious", "marketplace-for-sale", "smuggling",
        "recruitment-advocacy", "system-placeholder", "unclear",
    },
}  # fmt: skip


def test_every_dark_web_tag_is_a_value_of_the_taxonomy() -> None:
    tables = (CATEGORY_TAGS, INTENT_TAGS, PLATFORM_TAGS)
    tags = {t for table in tables for values in table.values() for t in values}
    for tag in tags:
        namespace, _, rest = tag.partition(":")
        predicate, _, value = rest.partition("=")
        assert namespace == "dark-web" and value.strip('"') in DARK_WEB[predicate], tag


def test_an_empty_selection_gives_no_event() -> None:
    assert misp_events(Selection(SelectionFilters())) == []


# ---- push ----------------------------------------------------------------------------------
EVENTS = [
    {"Event": {"uuid": "6b1f0d2e-0000-5000-8000-000000000001", "info": "jianghu: one"}},
    {"Event": {"uuid": "6b1f0d2e-0000-5000-8000-000000000002", "info": "jianghu: two"}},
]


def test_push_posts_each_event_to_events_add_with_the_key(misp: ThreadingHTTPServer) -> None:
    answer(misp, 200, {"Event": {"id": "12", "uuid": EVENTS[0]["Event"]["uuid"]}})
    results = push_events(EVENTS, url_of(misp, "/misp/"), "s3cr3t-key", timeout=5)
    assert results == [
        PushResult(EVENTS[0]["Event"]["uuid"], 200, "12"),
        PushResult(EVENTS[1]["Event"]["uuid"], 200, "12"),
    ]
    assert len(misp.requests) == 2  # type: ignore[attr-defined]
    for (path, headers, body), event in zip(misp.requests, EVENTS, strict=True):  # type: ignore[attr-defined]
        assert path == "/misp/events/add"
        assert headers["Authorization"] == "s3cr3t-key"
        assert headers["Accept"] == "application/json"
        assert headers["Content-Type"] == "application/json"
        assert json.loads(body) == event


def test_push_refused_names_the_url_and_status(misp: ThreadingHTTPServer) -> None:
    answer(misp, 403, {"name": "Authentication failed.", "message": "Authentication failed."})
    with pytest.raises(MispPushError) as err:
        push_events(EVENTS, url_of(misp), "wrong-key", timeout=5)
    url = url_of(misp, "/events/add")
    assert str(err.value) == (
        f"MISP at {url} answered 403: Authentication failed. (0 event(s) pushed before)"
    )
    assert err.value.status == 403 and err.value.pushed == []
    assert "wrong-key" not in str(err.value)
    assert len(misp.requests) == 1, "stops at the first refusal"  # type: ignore[attr-defined]


def test_push_never_follows_a_redirect(misp: ThreadingHTTPServer) -> None:
    answer(misp, 302, b"", Location=url_of(misp, "/followed"))
    with pytest.raises(MispPushError, match=r"answered 302: redirect to .*/followed not followed"):
        push_events(EVENTS, url_of(misp), "key", timeout=5)
    assert [r[0] for r in misp.requests] == ["/events/add"]  # type: ignore[attr-defined]


def test_push_rejects_an_answer_that_is_not_misp(misp: ThreadingHTTPServer) -> None:
    answer(misp, 200, b"<html>Login</html>", **{"Content-Type": "text/html"})
    with pytest.raises(MispPushError, match="answered 200: the answer is not MISP's JSON"):
        push_events(EVENTS, url_of(misp), "key", timeout=5)


def test_push_to_nobody_and_bad_settings_are_clear_errors() -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(MispPushError, match=rf"127.0.0.1:{port}/events/add could not be reached"):
        push_events(EVENTS, f"http://127.0.0.1:{port}", "key", timeout=5)
    with pytest.raises(ConfigError, match="expected http"):
        push_events(EVENTS, "ftp://misp.example", "key")
    with pytest.raises(ConfigError, match="API key is empty"):
        push_events(EVENTS, "https://misp.example", " ")


def test_missing_extras_give_an_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "httpx", None)
    with pytest.raises(ConfigError, match=r"pip install 'jianghu\[crawl\]'"):
        push_events(EVENTS, "https://misp.example", "key")
    monkeypatch.setitem(sys.modules, "pymisp", None)
    monkeypatch.delitem(sys.modules, "jianghu.export.misp_event", raising=False)
    with pytest.raises(ConfigError, match=r"pip install 'jianghu\[export\]'"):
        misp_events(Selection(SelectionFilters()))
