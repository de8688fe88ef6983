"""A polite crawler for one forum thread: fetch its pages, save them, read them as Messages.

It starts at a thread page and follows only the layout's next-page link (taken from the
page with every post removed first, so a link written inside a post can never be
followed), on the start URL's host only. robots.txt is fetched first and honoured
(RFC 9309: a 4xx robots.txt allows everything, a 5xx or unreachable one forbids
everything); requests are spaced by the fixed delay or robots' ``Crawl-delay``, whichever
is larger; 429 and 503 are retried with exponential backoff, honouring ``Retry-After``.
Only ``text/html`` up to a size limit is kept. Pages are saved under stable names with a
state file (:mod:`jianghu.intel.crawl_state`), so a rerun fetches only what is missing.

The clock and the sleeper are injected, so tests never really wait.

Exceptions::

    JianghuError
     ├─ ConfigError   bad start URL, unknown layout, unreadable state file
     └─ CrawlError    the host cannot be crawled (robots.txt unreadable, request failed)
"""

from __future__ import annotations

import email.utils
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx
import lxml.html

from jianghu import __version__
from jianghu.errors import ConfigError, JianghuError
from jianghu.ingest import IngestReport, ingest
from jianghu.intel.crawl_state import (
    CrawlOptions,
    CrawlReport,
    PageRecord,
    load_state,
    page_file_name,
    save_state,
)
from jianghu.sources.forum_layouts import Layout, layouts_for
from jianghu.sources.forum_pages import decode
from jianghu.store.base import Store

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_RETRY_STATUS = (429, 503)
_REDIRECTS = (301, 302, 303, 307, 308)


class CrawlError(JianghuError):
    """The crawl cannot go on: robots.txt unreadable, a request failed after retries."""


def user_agent(contact: str | None = None) -> str:
    """Says who we are, so a forum operator can tell the crawl apart and reach us."""
    return f"jianghu-research-crawler/{__version__} (+{contact or 'contact in settings'})"


def layout_options(layout: str) -> dict[str, str]:
    """Reader options for ``--layout NAME|FILE``: a TOML file of layouts, or a layout name."""
    if layout.endswith(".toml") or Path(layout).is_file():
        return {"layouts": layout}
    return {"layout": layout}


def client_options(proxy: str | None, timeout: float, agent: str) -> dict[str, Any]:
    """Keyword arguments of the HTTP client (kept apart so the proxy wiring is testable)."""
    # Redirects are followed by the crawler itself, so each hop is checked for host and robots.
    return {
        "proxy": proxy,
        "timeout": httpx.Timeout(timeout),
        "headers": {"User-Agent": agent},
        "follow_redirects": False,
        # Only --proxy decides the route: an HTTP(S)_PROXY in the environment must not
        # silently take a Tor crawl off Tor, or send a local one elsewhere.
        "trust_env": False,
    }


@dataclass
class _Fetched:
    url: str
    status: int
    headers: httpx.Headers
    body: bytes


def default_folder(url: str) -> Path:
    return Path("crawl") / urlsplit(url).netloc.lower().replace(":", "_")


class ForumCrawler:
    """Crawls one thread into ``folder``; see the module docstring."""

    def __init__(
        self,
        folder: Path,
        layout: str,
        options: CrawlOptions | None = None,
        *,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.folder, self.opts = folder, options or CrawlOptions()
        self.reader_options = layout_options(layout)
        self._layouts = layouts_for(self.reader_options.get("layouts"))
        self._only = self.reader_options.get("layout")
        if self._only and self._only not in {lay.name for lay in self._layouts}:
            raise ConfigError(f"unknown forum layout {self._only!r}")
        self.agent = user_agent(self.opts.contact)
        self._client = client or httpx.Client(
            **client_options(self.opts.proxy, self.opts.timeout, self.agent)
        )
        self._sleep, self._clock = sleep, clock
        self._last: float | None = None
        self._robots: RobotFileParser | None = None
        self._host = ""
        self.report = CrawlReport("")

    def close(self) -> None:
        self._client.close()

    # ---- HTTP ---------------------------------------------------------------------------
    def _pace(self) -> None:
        robots_delay = self._robots.crawl_delay(self.agent) if self._robots else None
        gap = max(self.opts.delay, float(robots_delay or 0))
        if self._last is not None:
            wait = gap - (self._clock() - self._last)
            if wait > 0:
                self._sleep(wait)

    def _once(self, url: str, headers: dict[str, str]) -> _Fetched:
        self._pace()
        try:
            with self._client.stream("GET", url, headers=headers) as resp:
                size = int(resp.headers.get("Content-Length") or 0)
                if size > self.opts.max_bytes:
                    raise CrawlError(f"{url}: {size} bytes, above the {self.opts.max_bytes} limit")
                chunks, got = [], 0
                for chunk in resp.iter_bytes():
                    got += len(chunk)
                    if got > self.opts.max_bytes:  # servers may lie about or omit the length
                        raise CrawlError(f"{url}: more than {self.opts.max_bytes} bytes")
                    chunks.append(chunk)
                return _Fetched(url, resp.status_code, resp.headers, b"".join(chunks))
        finally:
            self._last = self._clock()

    def _retry_after(self, fetched: _Fetched, attempt: int) -> float:
        value = fetched.headers.get("Retry-After", "").strip()
        wait: float | None = None
        if value.isdigit():
            wait = float(value)
        elif value:
            try:  # an HTTP date; wall time, since the injected clock may be monotonic
                when = email.utils.parsedate_to_datetime(value)
                wait = max(0.0, when.timestamp() - time.time())
            except (TypeError, ValueError):
                wait = None  # unreadable: fall back to our own backoff
        if wait is None:
            wait = self.opts.backoff * 2**attempt
        return min(wait, self.opts.max_wait)

    def _get(self, url: str, headers: dict[str, str] | None = None) -> _Fetched:
        """One GET with retries on 429/503 and transport errors."""
        for attempt in range(self.opts.retries + 1):
            try:
                fetched = self._once(url, headers or {})
            except httpx.TransportError as exc:
                if attempt == self.opts.retries:
                    raise CrawlError(f"{url}: {type(exc).__name__}: {exc}") from exc
                wait = min(self.opts.backoff * 2**attempt, self.opts.max_wait)
            else:
                if fetched.status not in _RETRY_STATUS or attempt == self.opts.retries:
                    return fetched
                wait = self._retry_after(fetched, attempt)
            self.report.waits.append(wait)
            self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    def _robots_for(self, url: str) -> RobotFileParser:
        if self._robots is None:
            parts = urlsplit(url)
            robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
            fetched = self._get(robots_url)
            robots = RobotFileParser(robots_url)
            if fetched.status == 200:
                robots.parse(fetched.body.decode("utf-8", "replace").splitlines())
            elif 400 <= fetched.status < 500:
                robots.parse([])  # no rules: everything allowed
            else:
                raise CrawlError(f"{robots_url}: HTTP {fetched.status}; not crawling without it")
            self._robots = robots
        return self._robots

    # ---- pages --------------------------------------------------------------------------
    def _allowed(self, url: str) -> str | None:
        """Why ``url`` must not be fetched, or None."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc.lower() != self._host:
            return f"not on {self._host}"
        if not self._robots_for(url).can_fetch(self.agent, url):
            return "disallowed by robots.txt"
        return None

    def _fetch_page(self, url: str, old: PageRecord | None) -> _Fetched | str:
        """The page (following same-host redirects), or why it was not fetched."""
        headers = {}
        if old is not None and old.etag:
            headers["If-None-Match"] = old.etag
        if old is not None and old.last_modified:
            headers["If-Modified-Since"] = old.last_modified
        for _hop in range(6):
            fetched = self._get(url, headers)
            if fetched.status not in _REDIRECTS:
                return fetched
            url = urldefrag(urljoin(url, fetched.headers.get("Location", "")))[0]
            why = self._allowed(url)
            if why is not None:
                return f"redirect to {url}: {why}"
        return "too many redirects"

    def _next_link(self, body: bytes, url: str) -> tuple[Layout | None, str | None]:
        doc = lxml.html.document_fromstring(decode(body)[0])
        layout = next(
            (
                lay
                for lay in self._layouts
                if (self._only is None or lay.name == self._only) and lay.recognises(doc)
            ),
            None,
        )
        if layout is None:
            return None, None
        for post in layout.post(doc):
            post.drop_tree()  # links written by posters are never followed
        href = layout.get("next_page", doc)
        return layout, urldefrag(urljoin(url, href))[0] if href else None

    def crawl(self, start_url: str) -> CrawlReport:
        parts = urlsplit(start_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"not an http(s) URL: {start_url!r}")
        self._host = parts.netloc.lower()
        self.report = report = CrawlReport(parts.hostname)
        state = load_state(self.folder, start_url)
        url: str | None = start_url
        while url is not None and len(report.files) < self.opts.pages:
            old = state.pages.get(url)
            saved = old is not None and (self.folder / old.file).exists()
            if saved and old is not None and not self.opts.refresh:
                report.reused.append(url)
                report.files.append(self.folder / old.file)
                url = old.next_url
                continue
            why = self._allowed(url)
            result = why if why is not None else self._fetch_page(url, old if saved else None)
            if isinstance(result, str):
                report.skipped.append((url, result))
                break
            rec = self._record(url, result, old if saved else None, report)
            if rec is None:
                break
            state.pages[url], state.next_url = rec, rec.next_url
            save_state(self.folder, state)
            report.files.append(self.folder / rec.file)
            url = rec.next_url
        report.next_url = url
        return report

    def _record(
        self, url: str, got: _Fetched, old: PageRecord | None, report: CrawlReport
    ) -> PageRecord | None:
        """Save a fetched page and describe it; None (and a reason in the report) if unusable."""
        if got.status == 304 and old is not None:
            report.reused.append(url)
            return old
        kind = got.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if got.status != 200:
            report.skipped.append((url, f"HTTP {got.status}"))
            return None
        if kind not in _HTML_TYPES:
            report.skipped.append((url, f"not HTML ({kind or 'no Content-Type'})"))
            return None
        layout, next_url = self._next_link(got.body, got.url)
        if layout is None:
            report.skipped.append((url, "no layout recognises the page"))
            return None
        name = page_file_name(url)
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / name).write_bytes(got.body)
        report.fetched.append(url)
        return PageRecord(
            url=url,
            file=name,
            sha256=hashlib.sha256(got.body).hexdigest(),
            etag=got.headers.get("ETag"),
            last_modified=got.headers.get("Last-Modified"),
            next_url=next_url,
        )


def ingest_pages(store: Store, crawler: ForumCrawler, report: CrawlReport) -> IngestReport:
    """Read the crawled pages into ``store``; the crawled host names the site in thread keys."""
    return ingest(store, report.files, {**crawler.reader_options, "site": report.host})
