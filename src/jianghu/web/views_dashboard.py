"""What the dashboard shows, assembled from the store: totals, offer volume per category
and week, top actors, the newest alerts (from :mod:`jianghu.web.views_alerts`) and new
jargon.

No FastAPI here: the API and the pages share these functions, and tests can call them.
Strings from the store come back as found (they are escaped where they are shown).

Two figures are slow on a big store, so they are kept per *store state* (the count and the
highest id of stored messages: both move with every ingest): the volume chart, and the
jargon candidates, which are mined in a background thread so that no page waits for them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from jianghu.analysis.jargon import Candidate, mine
from jianghu.analysis.lexicon import Lexicon, load_lexicon
from jianghu.report.charts import render_svg
from jianghu.report.market import CHART_SERIES, OFFER_INTENTS, week_of
from jianghu.report.model import Chart
from jianghu.store.actors import list_actors
from jianghu.store.base import Store
from jianghu.web.views_alerts import AlertQuery, alert_counts, alert_items, find_alerts

log = logging.getLogger(__name__)
T = TypeVar("T")
State = tuple[int, int]  # (stored messages, highest message row id)
JARGON_NEWEST = 20_000  # mining is linear in text; the newest messages are what is new
_INTENTS = sorted(OFFER_INTENTS)
_INTENT_MARKS = ", ".join("?" * len(_INTENTS))


def store_state(store: Store) -> State:
    """A cheap fingerprint of the store's messages: any ingest changes it. (A re-analysis
    in place does not; its figures show from the next ingest on.)"""
    row = store._one("SELECT count(*), coalesce(max(id), 0) FROM messages")
    return int(row[0]), int(row[1])


# ---- caches ----------------------------------------------------------------------------
class Memo:
    """Values computed from the store, each kept while the store state is unchanged."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, tuple[State, Any]] = {}

    def get(self, key: str, state: State, compute: Callable[[], T]) -> T:
        with self._lock:
            kept = self._values.get(key)
        if kept is not None and kept[0] == state:
            value: T = kept[1]
            return value
        # Computed outside the lock: two requests may both compute once; neither waits.
        value = compute()
        with self._lock:
            self._values[key] = (state, value)
        return value


def user_lexicon() -> Lexicon:
    """The lexicon the analysts use (built-in plus JIANGHU_LEXICON files), so terms they
    accepted already are not offered again."""
    from jianghu.settings import lexicon_paths

    return load_lexicon([Path(p) for p in lexicon_paths(None)])


@dataclass(frozen=True)
class JargonView:
    candidates: list[Candidate] | None  # None: the first mining has not finished
    fresh: bool  # mined from the current store state


@dataclass
class JargonMiner:
    """Jargon candidates of the newest messages, mined off the request thread.

    A page asks for the current state: it gets the last result at once (possibly of an
    older state) and, when the state moved, a new mining starts unless one is running."""

    lexicon: Callable[[], Lexicon] = user_lexicon
    newest: int = JARGON_NEWEST
    limit: int = 15
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _state: State | None = field(default=None, init=False)
    _result: list[Candidate] | None = field(default=None, init=False)
    _thread: threading.Thread | None = field(default=None, init=False)

    def current(self, store: Store, state: State, wait: float = 0.0) -> JargonView:
        """The candidates; ``wait``: seconds to wait when there is no result yet (a small
        store's mining ends within them)."""
        with self._lock:
            running = self._thread is not None and self._thread.is_alive()
            if self._state != state and not running:
                # Texts are read here, on the request's own store connection (under the
                # lock: one reader at a time); the thread only computes.
                texts = newest_texts(store, self.newest)
                self._thread = threading.Thread(
                    target=self._run, args=(state, texts), name="jianghu-jargon", daemon=True
                )
                self._thread.start()
            worker, have = self._thread, self._result is not None
        if wait > 0 and not have and worker is not None:
            worker.join(wait)
        with self._lock:
            return JargonView(self._result, self._state == state)

    def settle(self, timeout: float) -> None:
        """Wait for a running mining to end (tests; a shutdown that wants it done)."""
        with self._lock:
            worker = self._thread
        if worker is not None:
            worker.join(timeout)

    def _run(self, state: State, texts: list[str]) -> None:
        try:
            found = mine(texts, self.lexicon(), self.limit) if texts else []
        except Exception:  # a page must not break on a mining bug; the log has it
            log.exception("jargon mining failed")
            found = []
        with self._lock:
            self._state, self._result = state, found


def newest_texts(store: Store, n: int) -> list[str]:
    rows = store._all(
        "SELECT text FROM messages WHERE kind = 'message' AND text <> '' ORDER BY id DESC LIMIT ?",
        (n,),
    )
    return [str(r[0]) for r in rows]


@dataclass
class DashboardCache:
    """Everything the dashboard keeps between requests (one per application)."""

    memo: Memo = field(default_factory=Memo)
    jargon: JargonMiner = field(default_factory=JargonMiner)


# ---- totals and volume -----------------------------------------------------------------
def totals(store: Store) -> dict[str, int]:
    def count(sql: str) -> int:
        return int(store._one(sql)[0])

    return {
        "messages": count("SELECT count(*) FROM messages WHERE kind = 'message'"),
        "channels": count("SELECT count(*) FROM channels"),
        "authors": count("SELECT count(*) FROM authors"),
        "offers": count("SELECT count(*) FROM offers"),
        "actors": count("SELECT count(*) FROM actors"),
        "open_alerts": count("SELECT count(*) FROM alerts WHERE status = 'new'"),
    }


@dataclass(frozen=True)
class Volume:
    """Offer messages (intent sell, buy or recruit) per category and ISO week."""

    weeks: list[str]
    series: dict[str, list[int]]  # category → one count per week

    def to_json(self) -> dict[str, Any]:
        return {"weeks": self.weeks, "categories": self.series}


def week_start(when: datetime) -> datetime:
    day = when.astimezone(UTC).date()
    monday = day - timedelta(days=day.weekday())
    return datetime(monday.year, monday.month, monday.day, tzinfo=UTC)


def volume(store: Store, weeks: int = 26) -> Volume:
    """The last ``weeks`` ISO weeks up to the newest message (a store is often history,
    so not up to today), empty weeks included."""
    first, last = store._one("SELECT min(posted_at), max(posted_at) FROM messages")
    if first is None:
        return Volume([], {})
    end = week_start(store._read_ts(last)) + timedelta(weeks=1)
    start = max(week_start(store._read_ts(first)), end - timedelta(weeks=weeks))
    per_week: list[tuple[str, dict[str, int]]] = []
    # One grouped count per week: the database does the counting over an indexed range
    # (time bucketing in SQL would differ between SQLite and PostgreSQL).
    while start < end:
        rows = store._all(
            "SELECT c.category, count(*) FROM message_categories c "
            "JOIN messages m ON m.id = c.message_id "
            "JOIN message_analysis a ON a.message_id = c.message_id "
            f"WHERE m.posted_at >= ? AND m.posted_at < ? AND a.intent IN ({_INTENT_MARKS}) "
            "GROUP BY c.category",
            [store._ts(start), store._ts(start + timedelta(weeks=1)), *_INTENTS],
        )
        per_week.append((week_of(start), {str(c): int(n) for c, n in rows}))
        start += timedelta(weeks=1)
    labels = [w for w, _ in per_week]
    categories = sorted({c for _, counts in per_week for c in counts})
    series = {c: [counts.get(c, 0) for _, counts in per_week] for c in categories}
    return Volume(labels, series)


def volume_chart(v: Volume) -> Chart:
    """Stacked bars: the biggest categories, the rest as 'other' (more are unreadable)."""
    ranked = sorted(v.series, key=lambda c: (-sum(v.series[c]), c))
    series: dict[str, list[float | None]] = {
        c: [float(n) for n in v.series[c]] for c in ranked[:CHART_SERIES]
    }
    rest = ranked[CHART_SERIES:]
    if rest:
        series["other"] = [float(sum(v.series[c][i] for c in rest)) for i in range(len(v.weeks))]
    return Chart("volume", "Offers by category, per ISO week", "bar", v.weeks, series, "offers")


def volume_svg(store: Store, cache: DashboardCache, weeks: int = 26) -> str:
    state = store_state(store)
    v = cache.memo.get(f"volume:{weeks}", state, lambda: volume(store, weeks))
    return cache.memo.get(f"svg:{weeks}", state, lambda: render_svg(volume_chart(v)))


# ---- actors ----------------------------------------------------------------------------
def top_actors(store: Store, n: int = 10) -> dict[str, list[dict[str, Any]]]:
    """The most active actors, the most trusted and the least trusted."""
    return {
        "by_activity": [a.summary_json() for a in list_actors(store, limit=n)],
        "by_reputation": [
            a.summary_json() for a in list_actors(store, limit=n, order="reputation")
        ],
        "lowest_reputation": [
            a.summary_json() for a in list_actors(store, limit=n, order="reputation_asc")
        ],
    }


# ---- the whole dashboard ---------------------------------------------------------------
def stats(store: Store, cache: DashboardCache, weeks: int = 26, top: int = 10) -> dict[str, Any]:
    """Totals, offer volume per category and week, top actors and the newest alerts."""
    state = store_state(store)
    v = cache.memo.get(f"volume:{weeks}", state, lambda: volume(store, weeks))
    return {
        "totals": totals(store),
        "alerts": alert_counts(store),
        "volume": v.to_json(),
        "top_actors": top_actors(store, top),
        "newest_alerts": alert_items(store, find_alerts(store, AlertQuery(limit=top))),
    }
