"""The polite forum crawler, against a local HTTP server serving the project's Discuz! pages.

The server (stdlib ``http.server`` on 127.0.0.1, a free port) records every request path,
so each test can say exactly what was fetched and what never was. Time is a fake clock:
the crawler's waits are recorded, never slept.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from jianghu.intel.crawl_forum import (
    CrawlError,
    ForumCrawler,
    client_options,
    ingest_pages,
    user_agent,
)
from jianghu.intel.crawl_state import STATE_FILE, CrawlOptions, page_file_name
from jianghu.store import open_store

DATA = Path(__file__).parent.parent / "data" / "forum"
PAGE1 = (DATA / "discuz_thread-8848-1-1.html").read_bytes()
PAGE2 = (DATA / "discuz_thread-8848-2-1.html").read_bytes()
HTML = {"Content-Type": "text/html; charset=gbk"}
Reply = tuple[int, dict[str, str], bytes]


class Site:
    """Routes: path → replies served in turn (the last one repeats); every path recorded."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.requests: list[str] = []
        self.agents: set[str] = set()
        self.base = ""

    def page(self, path: str, body: bytes, *before: Reply) -> None:
        self.routes[path] = [*before, (200, HTML, body)]


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # http.server calls it by this name
            site.requests.append(self.path)
            site.agents.add(self.headers.get("User-Agent", ""))
            replies = site.routes.get(self.path) or [(404, {}, b"not found")]
            status, headers, body = replies.pop(0) if len(replies) > 1 else replies[0]
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:  # keep pytest output clean
            pass

    return Handler


@pytest.fixture
def site() -> Iterator[Site]:
    s = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(s))
    s.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    s.routes["/robots.txt"] = [(200, {"Content-Type": "text/plain"}, b"User-agent: *\n"
                                b"Disallow: /private/\n")]  # fmt: skip
    s.page("/thread-8848-1-1.html", first_page(s.base, "/thread-8848-2-1.html"))
    s.page("/thread-8848-2-1.html", PAGE2)
    try:
        yield s
    finally:
        server.shutdown()
        server.server_close()


def first_page(base: str, next_path: str) -> bytes:
    """Page 1 with its next-page links made absolute and local, and traps inside posts.

    A post gets a link to a local path and a fake pager of its own, placed before the
    real one (whose top copy loses its class), so following "the first a.nxt on the page"
    would walk into the trap: only the pager outside the posts may be followed.
    """
    body = PAGE1.replace(b'href="thread-8848-2-1.html"', f'href="{base}{next_path}"'.encode())
    body = body.replace(b'class="nxt"', b'class="was-nxt"', 1)
    trap = (
        f'<a href="{base}/in-post/link.html">link</a>'
        f'<div class="pg"><a class="nxt" href="{base}/in-post/next.html">next</a></div>'
    ).encode()
    body = body.replace(b'id="postmessage_120001">', b'id="postmessage_120001">' + trap, 1)
    return body.replace(b"https://t.me/heitaok_shop", f"{base}/in-post/shop.html".encode())


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _local_only(request: httpx.Request) -> None:
    # The network rule of the tests: nothing but the local server is ever contacted.
    assert request.url.host == "127.0.0.1", f"left the host: {request.url}"


def crawler(folder: Path, time: FakeTime, **options: object) -> ForumCrawler:
    opts = CrawlOptions(**options)  # type: ignore[arg-type]
    client = httpx.Client(
        **client_options(None, 5.0, user_agent()), event_hooks={"request": [_local_only]}
    )
    return ForumCrawler(folder, "discuz", opts, client=client, sleep=time.sleep, clock=time.clock)


def test_two_pages_saved_and_ingested_links_in_posts_never_fetched(
    site: Site, tmp_path: Path
) -> None:
    t = FakeTime()
    c = crawler(tmp_path / "out", t, pages=5)
    report = c.crawl(site.base + "/thread-8848-1-1.html")
    c.close()

    assert site.requests == ["/robots.txt", "/thread-8848-1-1.html", "/thread-8848-2-1.html"]
    assert not any(p.startswith("/in-post/") for p in site.requests)
    assert [f.name for f in report.files] == [
        page_file_name(site.base + "/thread-8848-1-1.html"),
        page_file_name(site.base + "/thread-8848-2-1.html"),
    ]
    assert report.files[1].read_bytes() == PAGE2  # saved byte for byte (GBK)
    assert report.next_url is None and report.skipped == []
    assert t.slept == [3.0, 3.0]  # the fixed delay before each request after the first
    assert site.agents == {user_agent()}

    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        ingested = ingest_pages(store, c, report)
        assert ingested.ok and ingested.counts.new == 7  # 5 posts on page 1, 2 on page 2
        assert store.summary().channels == 1  # both pages are one thread
    finally:
        store.close()


def test_robots_disallowed_page_is_reported_and_not_fetched(site: Site, tmp_path: Path) -> None:
    site.page("/t/thread-8848-1-1.html", first_page(site.base, "/private/thread-8848-2-1.html"))
    site.page("/private/thread-8848-2-1.html", PAGE2)
    c = crawler(tmp_path, FakeTime(), pages=5)
    report = c.crawl(site.base + "/t/thread-8848-1-1.html")

    assert "/private/thread-8848-2-1.html" not in site.requests
    assert report.skipped == [
        (site.base + "/private/thread-8848-2-1.html", "disallowed by robots.txt")
    ]
    assert len(report.files) == 1


def test_robots_crawl_delay_wins_when_larger(site: Site, tmp_path: Path) -> None:
    site.routes["/robots.txt"] = [(200, {}, b"User-agent: *\nCrawl-delay: 10\n")]
    t = FakeTime()
    crawler(tmp_path, t, pages=2, delay=1.0).crawl(site.base + "/thread-8848-1-1.html")
    assert t.slept == [10.0, 10.0]


def test_503_is_retried_after_the_retry_after_seconds(site: Site, tmp_path: Path) -> None:
    busy: Reply = (503, {"Retry-After": "7"}, b"busy")
    site.page("/busy/thread-8848-1-1.html", first_page(site.base, "/thread-8848-2-1.html"), busy)
    t = FakeTime()
    report = crawler(tmp_path, t, pages=1).crawl(site.base + "/busy/thread-8848-1-1.html")

    assert site.requests.count("/busy/thread-8848-1-1.html") == 2
    assert report.waits == [7.0] and 7.0 in t.slept
    assert len(report.files) == 1


def test_429_without_retry_after_backs_off_exponentially(site: Site, tmp_path: Path) -> None:
    slow: Reply = (429, {}, b"slow down")
    site.page("/slow/thread-8848-1-1.html", PAGE2, slow, slow, slow)
    report = crawler(tmp_path, FakeTime(), pages=1, backoff=2.0).crawl(
        site.base + "/slow/thread-8848-1-1.html"
    )
    assert report.waits == [2.0, 4.0, 8.0]


def test_resumes_where_it_stopped_and_refetches_nothing(site: Site, tmp_path: Path) -> None:
    url = site.base + "/thread-8848-1-1.html"
    first = crawler(tmp_path, FakeTime(), pages=1).crawl(url)
    assert first.next_url == site.base + "/thread-8848-2-1.html"
    state = json.loads((tmp_path / STATE_FILE).read_text("utf-8"))
    assert state["next_url"] == first.next_url and len(state["pages"][url]["sha256"]) == 64

    site.requests.clear()
    second = crawler(tmp_path, FakeTime(), pages=2).crawl(url)
    assert site.requests == ["/robots.txt", "/thread-8848-2-1.html"]
    assert second.reused == [url] and second.fetched == [site.base + "/thread-8848-2-1.html"]

    site.requests.clear()
    third = crawler(tmp_path, FakeTime(), pages=2).crawl(url)
    assert site.requests == [] and len(third.files) == 2  # everything saved: no request at all


def test_refresh_revalidates_with_the_etag(site: Site, tmp_path: Path) -> None:
    url = site.base + "/e/thread-8848-1-1.html"
    site.routes["/e/thread-8848-1-1.html"] = [(200, {**HTML, "ETag": '"v1"'}, PAGE2)]
    crawler(tmp_path, FakeTime(), pages=1).crawl(url)
    site.routes["/e/thread-8848-1-1.html"] = [(304, {"ETag": '"v1"'}, b"")]
    report = crawler(tmp_path, FakeTime(), pages=1, refresh=True).crawl(url)
    assert site.requests.count("/e/thread-8848-1-1.html") == 2
    assert report.reused == [url] and report.files[0].read_bytes() == PAGE2


def test_never_leaves_the_host(site: Site, tmp_path: Path) -> None:
    site.page("/x/thread-8848-1-1.html", first_page("http://forum.other.example", "/p2.html"))
    report = crawler(tmp_path, FakeTime(), pages=5).crawl(site.base + "/x/thread-8848-1-1.html")
    assert report.skipped == [
        ("http://forum.other.example/p2.html", f"not on {site.base.split('//')[1]}")
    ]
    moved: Reply = (302, {"Location": "http://forum.other.example/p1.html"}, b"")
    site.routes["/moved.html"] = [moved]
    report = crawler(tmp_path, FakeTime(), pages=5).crawl(site.base + "/moved.html")
    assert report.skipped[0][1].startswith("redirect to http://forum.other.example/p1.html")


def test_only_html_within_the_size_limit_is_kept(site: Site, tmp_path: Path) -> None:
    site.routes["/file.zip"] = [(200, {"Content-Type": "application/zip"}, b"PK")]
    report = crawler(tmp_path, FakeTime()).crawl(site.base + "/file.zip")
    assert report.skipped == [(site.base + "/file.zip", "not HTML (application/zip)")]
    assert report.files == []

    with pytest.raises(CrawlError, match="above the 1000 limit"):
        crawler(tmp_path, FakeTime(), max_bytes=1000).crawl(site.base + "/thread-8848-1-1.html")


def test_proxy_url_reaches_the_client_configuration() -> None:
    proxy = "socks5h://127.0.0.1:9050"
    options = client_options(proxy, 30.0, user_agent())
    assert options["proxy"] == proxy and options["trust_env"] is False
    httpx.Client(**options).close()  # accepted: the SOCKS extra (socksio) is installed


def test_cli_collect_forum_crawls_and_ingests(site: Site, tmp_path: Path) -> None:
    import typer

    from jianghu.faces.cli_collect import collect_app

    app = typer.Typer()
    app.add_typer(collect_app, name="collect")
    args = ["collect", "forum", site.base + "/thread-8848-1-1.html", "--layout", "discuz"]
    args += ["--delay", "0", "--out", str(tmp_path / "out"), "--json"]
    args += ["--db", f"sqlite:///{tmp_path / 'cli.db'}", "--pages", "1"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert len(report["fetched"]) == 1 and report["ingest"]["new"] == 5
    assert report["next_url"] == site.base + "/thread-8848-2-1.html"

    bad = CliRunner().invoke(app, [*args[:3], "--layout", "nosuch", "--out", str(tmp_path)])
    assert bad.exit_code == 2 and "unknown forum layout 'nosuch'" in bad.stderr


def test_retry_after_as_an_http_date_or_garbage(site: Site, tmp_path: Path) -> None:
    past: Reply = (503, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, b"busy")
    junk: Reply = (503, {"Retry-After": "soon"}, b"busy")
    site.page("/d/thread-8848-1-1.html", PAGE2, past, junk)
    report = crawler(tmp_path, FakeTime(), pages=1, backoff=2.0).crawl(
        site.base + "/d/thread-8848-1-1.html"
    )
    assert report.waits == [0.0, 4.0]  # a date already past: no wait; junk: our own backoff
