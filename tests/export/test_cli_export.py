"""The export commands end to end: files written atomically, the same store giving the
same bytes, choices checked with one-line errors, reveals logged."""

from __future__ import annotations

import json
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
import stix2
from stix2validator import ValidationOptions, validate_string
from typer.testing import CliRunner

from jianghu.cli import app
from jianghu.store.base import Store
from tests.export.fake_misp import answer, url_of
from tests.report.market import CARD, build_market

runner = CliRunner()


def test_export_stix_writes_a_valid_repeatable_bundle(
    store_url: str, store: Store, tmp_path: Path
) -> None:
    build_market(store)
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    for target in (a, b):
        result = runner.invoke(
            app, ["export", "stix", "--db", store_url, "--tlp", "green", "-o", str(target)]
        )
        assert result.exit_code == 0, result.stderr
        assert "STIX 2.1 bundle of" in result.stderr
    assert a.read_bytes() == b.read_bytes()
    text = a.read_text(encoding="utf-8")
    assert validate_string(text, ValidationOptions()).is_valid
    bundle = stix2.parse(text, allow_custom=False)
    kinds = {o.type for o in bundle.objects}
    assert {"threat-actor", "user-account", "note", "indicator", "relationship"} <= kinds
    assert CARD not in text and "411111******1111" in text


def test_export_stix_filters_and_bad_tlp(store_url: str, store: Store) -> None:
    build_market(store)
    whole = runner.invoke(app, ["export", "stix", "--db", store_url])
    part = runner.invoke(app, ["export", "stix", "--db", store_url, "--channel", "网安"])
    assert whole.exit_code == part.exit_code == 0
    notes = [o for o in json.loads(part.stdout)["objects"] if o["type"] == "note"]
    assert (
        len(notes)
        == 2
        < len([o for o in json.loads(whole.stdout)["objects"] if o["type"] == "note"])
    )
    bad = runner.invoke(app, ["export", "stix", "--db", store_url, "--tlp", "purple"])
    assert bad.exit_code == 2
    assert bad.stderr.strip() == "error: --tlp 'purple': expected one of clear, green, amber, red"


def test_export_stix_reveal_is_logged(store_url: str, store: Store) -> None:
    build_market(store)
    result = runner.invoke(app, ["export", "stix", "--db", store_url, "--reveal"])
    assert result.exit_code == 0 and CARD in result.stdout
    assert [r[0] for r in store._all("SELECT command FROM reveal_log")] == ["export stix"]


def test_export_misp_one_event_per_export_actor_and_offer(
    store_url: str, store: Store, tmp_path: Path
) -> None:
    from pymisp import MISPEvent

    build_market(store)
    one = tmp_path / "event.json"
    result = runner.invoke(app, ["export", "misp", "--db", store_url, "-o", str(one)])
    assert result.exit_code == 0, result.stderr
    event = MISPEvent()
    event.load(one.read_text(encoding="utf-8"))
    names = {o.name for o in event.objects}
    assert {"chat-message", "telegram-account", "credit-card", "url"} <= names
    assert CARD.replace(" ", "") not in one.read_text(encoding="utf-8")
    folder = tmp_path / "per-actor"
    result = runner.invoke(
        app, ["export", "misp", "--db", store_url, "--per", "actor", "-o", str(folder)]
    )
    assert result.exit_code == 0, result.stderr
    actors = store._one("SELECT count(DISTINCT actor_id) FROM actor_accounts")[0]
    assert len(list(folder.glob("*.json"))) == actors
    per_offer = runner.invoke(app, ["export", "misp", "--db", store_url, "--per", "offer"])
    offers = store._one("SELECT count(*) FROM offers")[0]
    assert per_offer.exit_code == 0 and len(per_offer.stdout.splitlines()) == offers


def test_export_misp_full_cards_is_logged_and_empty_selection_is_one_line(
    store_url: str, store: Store
) -> None:
    build_market(store)
    full = runner.invoke(app, ["export", "misp", "--db", store_url, "--full-cards"])
    assert full.exit_code == 0 and CARD.replace(" ", "") in full.stdout
    assert [r[0] for r in store._all("SELECT command FROM reveal_log")] == ["export misp"]
    bad = runner.invoke(app, ["export", "misp", "--db", store_url, "--tlp", "purple"])
    assert bad.exit_code == 2 and bad.stderr.startswith("error: --tlp 'purple': expected one of")
    empty = runner.invoke(app, ["export", "misp", "--db", store_url, "--since", "2031-01-01"])
    assert empty.exit_code == 2
    assert empty.stderr.strip() == "error: no message matches the filters: no MISP event to write"


def test_export_misp_push_needs_the_key_and_posts(
    store_url: str,
    store: Store,
    misp: ThreadingHTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    build_market(store)
    target = url_of(misp, "/")
    monkeypatch.delenv("JIANGHU_MISP_KEY", raising=False)
    missing = runner.invoke(app, ["export", "misp", "--db", store_url, "--push", target])
    assert missing.exit_code == 2
    assert missing.stderr.strip() == (
        "error: --push: the MISP API key is missing: set JIANGHU_MISP_KEY"
    )
    assert misp.requests == []  # type: ignore[attr-defined]
    monkeypatch.setenv("JIANGHU_MISP_KEY", "k3y")
    answer(misp, 200, {"Event": {"id": "7"}})
    out = tmp_path / "e.json"
    result = runner.invoke(
        app, ["export", "misp", "--db", store_url, "--push", target, "-o", str(out)]
    )
    assert result.exit_code == 0, result.stderr
    [request] = misp.requests  # type: ignore[attr-defined]
    path, headers, body = request
    assert path == "/events/add" and headers["Authorization"] == "k3y"
    assert json.loads(body) == json.loads(out.read_text(encoding="utf-8"))
    assert "HTTP 200" in result.stdout
