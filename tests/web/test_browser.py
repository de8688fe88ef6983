"""End to end in real headless Chromium (Selenium with Debian's chromium-driver): an
analyst searches, opens a message and sees a gloss, opens the seller's actor, follows a
link of the graph, and acknowledges an alert. Screenshots of each step are kept in
``test-artifacts/`` (or $JIANGHU_ARTIFACTS); the browser's console must show no
Content-Security-Policy violation and no script error."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jianghu.intel.alerts import scan
from jianghu.intel.watchlist import parse_watchlist
from jianghu.store import open_store
from jianghu.web.server import serve_in_thread
from tests.report.market import build_market

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
ARTIFACTS = Path(os.environ.get("JIANGHU_ARTIFACTS", "test-artifacts"))
RULES = """
[[rule]]
name = "card shop handle"
kind = "handle"
values = ["@usa_cvv_shop"]
"""


def _need_browser() -> None:
    if Path(CHROMIUM).exists() and Path(DRIVER).exists():
        return
    if os.environ.get("CI"):
        pytest.fail("chromium and chromium-driver are missing: .ci/run installs them")
    pytest.skip("chromium / chromium-driver not installed (.ci/run installs them)")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'web.db'}"
    with open_store(url) as store:
        build_market(store)
        scan(store, parse_watchlist(RULES, "test"))
    server, base = serve_in_thread(url)
    try:
        yield base
    finally:
        server.should_exit = True


@pytest.fixture
def browser() -> Iterator[Any]:
    _need_browser()
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not download
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1000", "--lang=en-US"):  # fmt: skip
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(DRIVER))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _shot(driver: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def _console_errors(driver: Any) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_search_message_actor_graph_alert(site: str, browser: Any) -> None:
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    # Pages reload after an action: an element read while the page is replaced is retried.
    wait = WebDriverWait(
        browser, 20, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)
    )
    problems: list[str] = []

    # Search.
    browser.get(f"{site}/search?q=CVV")
    hits = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "li.hit a.open"))
    assert hits and "CVV" in browser.find_element(By.CSS_SELECTOR, "ol.hits").text
    _shot(browser, "1-search")
    problems += _console_errors(browser)

    # Open a message: its text, a term highlighted with its English gloss.
    hits[0].click()
    wait.until(ec.presence_of_element_located((By.ID, "msg-text")))
    glossed = browser.find_elements(By.CSS_SELECTOR, "#msg-text mark[title]")
    assert glossed and any(m.get_attribute("title") for m in glossed)
    assert browser.find_elements(By.CSS_SELECTOR, ".gloss-list li")
    _shot(browser, "2-message")
    problems += _console_errors(browser)

    # The seller's actor, then its graph, then a link of the graph.
    browser.find_element(By.ID, "msg-actor").click()
    wait.until(ec.presence_of_element_located((By.ID, "actor-name")))
    assert browser.find_elements(By.CSS_SELECTOR, ".factor")
    _shot(browser, "3-actor")
    problems += _console_errors(browser)
    browser.find_element(By.ID, "graph-link").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#graph canvas")))
    links = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".graph-nodes a"))
    _shot(browser, "4-graph")
    problems += _console_errors(browser)
    target = links[0].get_attribute("href")
    links[0].click()
    wait.until(lambda d: d.current_url == target)
    _shot(browser, "5-graph-link")
    problems += _console_errors(browser)

    # Acknowledge an alert.
    browser.get(f"{site}/alerts")
    alert = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, ".alert"))
    alert_id = alert.get_attribute("data-alert-id")
    alert.find_element(By.CSS_SELECTOR, "button.ack").click()
    wait.until(
        lambda d: (
            "acknowledged"
            in d.find_element(
                By.CSS_SELECTOR, f'.alert[data-alert-id="{alert_id}"] .alert-status'
            ).text
        )
    )
    _shot(browser, "6-alert-acknowledged")
    problems += _console_errors(browser)
    assert problems == []
