"""The landscape report: every figure computed from the store and citing its evidence,
hostile text escaped and defanged, victims' data masked, nothing external, the same
store giving the same files; on both backends."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jianghu.cli import app
from jianghu.report.build import landscape
from jianghu.report.model import Landscape, Table
from jianghu.report.write import write_report
from jianghu.store.base import Store
from jianghu.store.selection import SelectionFilters
from tests.report.market import CARD, PHONE, T0, build_market, store_id

runner = CliRunner()


def _table(report: Landscape, title: str) -> Table:
    [table] = [t for s in report.sections for t in s.tables if t.title == title]
    return table


def _row(table: Table, first: object) -> tuple[object, ...]:
    [row] = [r for r in table.rows if r.cells[0] == first]
    return row.cells


@pytest.fixture
def report(store: Store) -> tuple[Store, Landscape]:
    build_market(store)
    return store, landscape(store, SelectionFilters(), "test")


def test_offers_by_category_counts_and_cites_messages(report: tuple[Store, Landscape]) -> None:
    store, r = report
    table = _table(r, "Offer messages by category")
    cells = _row(table, "card_fraud")
    # 6 reposts + the kit ad + the buyer + the hostile ad; the kit ad is also laundering.
    assert cells[1:6] == (9, cells[2], 8, 1, 0)
    [row] = [x for x in table.rows if x.cells[0] == "card_fraud"]
    ids = {store_id(store, str(i)) for i in (10, 11, 12, 13, 14, 15, 20, 21, 50)}
    assert set(row.ref.messages) == ids
    assert row.ref.offers and all(o in r.offers for o in row.ref.offers)
    assert "scam_report" not in {x.cells[0] for x in table.rows}  # exposures are no offers


def test_card_data_by_region_and_scheme_apart_from_leaks(report: tuple[Store, Landscape]) -> None:
    _, r = report
    regions = _table(r, "Card-data offers by target region")
    assert {row.cells[0] for row in regions.rows} >= {"US", "CN"}
    assert _row(_table(r, "Card-data messages by card scheme"), "Visa")[1] == 6
    leaks = _table(r, "Data-leak offers by region (not card data)")
    assert sum(int(row.cells[1] or 0) for row in leaks.rows) == 2  # the two leak ads


def test_price_index_is_the_median_over_offers_per_month(report: tuple[Store, Landscape]) -> None:
    _, r = report
    table = _table(r, "Median unit price (USD) by month")
    [cvv] = [r for r in table.rows if r.cells[:3] == ("card_fraud", "cvv", "per record")]
    march, april = table.columns.index("2026-03"), table.columns.index("2026-04")
    # The US seller's one offer showed 15U and then 20U in March, 20U in April.
    assert cvv.cells[march] == "17.50 (n=1)"
    assert cvv.cells[april] == "20.00 (n=1)"
    assert cvv.ref.offers


def test_actors_scammers_escrow_and_tools(report: tuple[Store, Landscape]) -> None:
    store, r = report
    exposed = _table(r, "Exposed scammers")
    [row] = [x for x in exposed.rows if "kit_b" in str(x.cells[1])]
    assert set(row.ref.messages) == {store_id(store, "30"), store_id(store, "31")}
    escrow = _table(r, "Escrow markets seen")
    assert [x.cells[0] for x in escrow.rows] == ["山河担保 公群"]
    tools = _table(r, "State-nexus tool mentions")
    cs = [x for x in tools.rows if x.cells[1] == "S0154"]
    assert len(cs) == 1 and set(cs[0].ref.messages) == {
        store_id(store, "40"),
        store_id(store, "41"),
    }
    assert "tool_z" in str(cs[0].cells[5])
    frp = [x for x in tools.rows if x.cells[1] == "S1144"]
    assert frp and frp[0].ref.messages == (store_id(store, "40"),)


def test_every_citation_resolves_in_both_formats(
    report: tuple[Store, Landscape], tmp_path: Path
) -> None:
    _, r = report
    written = write_report(r, tmp_path / "landscape")
    html = written.html.read_text(encoding="utf-8")
    targets = set(re.findall(r'id="([mo]\d+)"', html))
    links = set(re.findall(r'href="#([mo]\d+)"', html))
    assert links and links <= targets
    md = written.markdown.read_text(encoding="utf-8")
    rows = [line for line in md.split("## Offers cited")[0].splitlines() if line.startswith("|")]
    cited = {x for line in rows for x in re.findall(r"\b([mo]\d+)\b", line)}
    listed = set(re.findall(r"\*\*(o\d+)\*\*", md)) | set(re.findall(r"#### (m\d+)", md))
    assert cited and cited <= listed


def test_hostile_text_is_escaped_defanged_and_masked(
    report: tuple[Store, Landscape], tmp_path: Path
) -> None:
    _, r = report
    written = write_report(r, tmp_path / "landscape")
    html = written.html.read_text(encoding="utf-8")
    md = written.markdown.read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html
    # In Markdown the message is inside a fence, where nothing renders; outside, no markup.
    fence = "````" if "````text" in md else "```"
    outside = re.sub(rf"{fence}text\n.*?\n{fence}\n", "", md, flags=re.DOTALL)
    assert "<script>alert(1)" in md and "<" not in outside
    for text in (html, md):
        assert "evil.example.com" not in text and "evil[.]example[.]com" in text
        assert "http://evil" not in text and "hxxp://evil" in text
        assert CARD not in text and "411111******1111" in text
        assert PHONE not in text and "0013" not in text and "+86138****8000" in text
        assert "\x1b" not in text and "\\x1b[31m" in text
    # Nothing in the HTML can load anything: no script, no external reference at all.
    assert not re.search(r"<(script|link|iframe|object|embed|img)\b", html)
    refs = re.findall(r'(?:href|src)="([^"]*)"', html)
    assert refs and all(ref.startswith("#") for ref in refs)
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    # Markdown: message bodies fenced, no link or image outside the charts beside it.
    assert re.findall(r"!\[[^\]]*\]\(([^)]*)\)", outside) == [
        "landscape-charts/categories-weekly.svg",
        "landscape-charts/price-index.svg",
    ]
    assert "](h" not in outside


def test_the_same_store_writes_the_same_files(
    report: tuple[Store, Landscape], tmp_path: Path
) -> None:
    store, r = report
    a = write_report(r, tmp_path / "a" / "r")
    b = write_report(landscape(store, SelectionFilters(), "test"), tmp_path / "b" / "r")
    for x, y in ((a.html, b.html), (a.markdown, b.markdown), *zip(a.charts, b.charts, strict=True)):
        assert x.read_bytes() == y.read_bytes(), x.name


def test_window_and_channel_filters(report: tuple[Store, Landscape]) -> None:
    store, whole = report
    late = landscape(store, SelectionFilters(since=T0.replace(day=20)), "test")
    assert late.totals["messages"] < whole.totals["messages"]
    assert all(m.posted_at >= T0.replace(day=20) for m in late.messages.values())
    tools = landscape(store, SelectionFilters(channels=("网安",)), "test")
    assert tools.totals["channels"] == 1 and tools.totals["messages"] == 2


def test_report_command_writes_both_files_and_rejects_bad_dates(
    store_url: str, store: Store, tmp_path: Path
) -> None:
    build_market(store)
    out = tmp_path / "rep"
    result = runner.invoke(app, ["report", "--db", store_url, "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert out.with_suffix(".html").exists() and out.with_suffix(".md").exists()
    assert str(out.with_suffix(".html")) in result.stdout
    bad = runner.invoke(app, ["report", "--db", store_url, "--since", "yesterday"])
    assert bad.exit_code == 2
    assert bad.stderr.strip() == (
        "error: --since 'yesterday': expected a date like 2026-03-01 or 2026-03-01T12:00"
    )


def test_reveal_shows_victims_data_and_is_logged(
    store_url: str, store: Store, tmp_path: Path
) -> None:
    build_market(store)
    out = tmp_path / "rep"
    result = runner.invoke(app, ["report", "--db", store_url, "--out", str(out), "--reveal"])
    assert result.exit_code == 0, result.stderr
    assert CARD in out.with_suffix(".html").read_text(encoding="utf-8")
    assert store._all("SELECT command FROM reveal_log") == [("report",)] or [
        tuple(x) for x in store._all("SELECT command FROM reveal_log")
    ] == [("report",)]


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_report_renders_in_chromium_without_running_anything(
    report: tuple[Store, Landscape], tmp_path: Path
) -> None:
    browser = _chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs it from .ci/apt-packages")
        pytest.skip("chromium is not installed (.ci/run installs it)")
    _, r = report
    written = write_report(r, tmp_path / "landscape")
    dom = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
         written.html.resolve().as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    # The browser parsed the page: the sections are there, the hostile markup is text.
    assert "Exposed scammers" in dom and "State-nexus tool mentions" in dom
    assert "<img" not in dom and "<script" not in dom
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert dom.count("<svg") == 2
