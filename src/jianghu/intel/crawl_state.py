"""What a forum crawl is asked to do, what it did, and where it stands.

The state is the small JSON file in the output folder that makes a crawl resumable:
one entry per page fetched (file name, sha256, ETag/Last-Modified, the next-page link it
had) plus the next URL to fetch. A rerun walks the chain of saved pages without touching
the network and continues at the first page not yet saved. The file is replaced
atomically, so a crawl killed mid-write leaves the previous state, never a torn one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jianghu.errors import ConfigError

STATE_FILE = "crawl-state.json"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class CrawlOptions:
    pages: int = 10
    delay: float = 3.0  # seconds between requests; robots' Crawl-delay wins if larger
    refresh: bool = False  # revalidate saved pages (conditional GET) instead of reusing them
    timeout: float = 30.0
    max_bytes: int = 5 << 20
    retries: int = 4  # on 429/503 and transport errors
    backoff: float = 5.0  # first wait without Retry-After; doubles each retry
    max_wait: float = 900.0  # longest single wait; a larger Retry-After is capped
    proxy: str | None = None  # e.g. socks5h://127.0.0.1:9050 (Tor resolves the host name)
    contact: str | None = None


@dataclass
class CrawlReport:
    host: str
    fetched: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)  # already saved (or 304 Not Modified)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (url, why)
    files: list[Path] = field(default_factory=list)  # every page of the chain, in order
    waits: list[float] = field(default_factory=list)  # backoff waits, seconds
    next_url: str | None = None  # where a later run would continue

    def to_json(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "fetched": self.fetched,
            "reused": self.reused,
            "skipped": [{"url": u, "reason": r} for u, r in self.skipped],
            "files": [str(p) for p in self.files],
            "waits": self.waits,
            "next_url": self.next_url,
        }


@dataclass
class PageRecord:
    url: str
    file: str  # name inside the output folder
    sha256: str
    etag: str | None = None
    last_modified: str | None = None
    next_url: str | None = None  # the layout's next-page link, absolute


@dataclass
class CrawlState:
    start_url: str
    pages: dict[str, PageRecord] = field(default_factory=dict)
    next_url: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "start_url": self.start_url,
            "next_url": self.next_url,
            "pages": {url: asdict(rec) for url, rec in self.pages.items()},
        }


def page_file_name(url: str) -> str:
    """A stable, safe file name for a page URL: readable slug plus a hash of the full URL.

    The hash keeps two URLs that slug alike (query strings, case) from sharing a file; the
    ``.html`` suffix is what the forum reader's sniffing looks for.
    """
    parts = urlsplit(url)
    slug = _UNSAFE.sub("_", parts.path.strip("/") + ("_" + parts.query if parts.query else ""))
    slug = slug.strip("._")[:80] or "index"
    if slug.lower().endswith((".html", ".htm")):
        slug = slug.rsplit(".", 1)[0]
    digest = hashlib.sha256(url.encode()).hexdigest()[:10]
    return f"{slug}-{digest}.html"


def load_state(folder: Path, start_url: str) -> CrawlState:
    """The saved state for ``start_url``; a fresh one if none, or the folder held another crawl."""
    path = folder / STATE_FILE
    if not path.exists():
        return CrawlState(start_url)
    try:
        raw = json.loads(path.read_text("utf-8"))
        if raw.get("start_url") != start_url:
            # Another thread crawled into this folder: its pages stay, but this crawl's
            # chain starts afresh (saved files are still reused through the page table).
            pages = {u: PageRecord(**r) for u, r in raw.get("pages", {}).items()}
            return CrawlState(start_url, pages)
        pages = {u: PageRecord(**r) for u, r in raw["pages"].items()}
        return CrawlState(start_url, pages, raw.get("next_url"))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(
            f"{path}: not a crawl state file ({exc}); remove it to start over"
        ) from exc


def save_state(folder: Path, state: CrawlState) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / (STATE_FILE + ".tmp")
    tmp.write_text(json.dumps(state.to_json(), ensure_ascii=False, indent=1), "utf-8")
    os.replace(tmp, folder / STATE_FILE)
