"""Alerts: watchlist hits on stored messages, deduplicated and kept with their status.

Raised by a scan over stored messages — after each ingest batch (``ingest --watchlist``)
or on demand (``jianghu watch scan``). One alert per rule and *ad*: messages with the
same skeleton (the offer grouping's normalised text without contacts, numbers read as 0)
are sightings of one alert, so an ad reposted in fifty channels is one alert with fifty
sightings; scanning the same messages again adds nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from jianghu.analysis.entities import Entity
from jianghu.analysis.pipeline import Analysed
from jianghu.intel.minhash import skeleton
from jianghu.intel.watchlist import Context, Hit, Watchlist, match
from jianghu.store.base import Store
from jianghu.store.textsafe import storable

STATUSES = ("new", "acknowledged", "dismissed")


@dataclass(frozen=True)
class Candidate:
    id: int
    text: str
    platform: str
    channel: str
    posted_at: datetime
    categories: tuple[str, ...]
    intent: str
    actor: int | None


@dataclass
class ScanReport:
    messages: int = 0
    hits: int = 0
    new_alerts: int = 0
    new_sightings: int = 0
    timeouts: dict[str, int] = field(default_factory=dict)  # regex rule → messages
    new_alert_ids: list[int] = field(default_factory=list)  # for the delivery outbox

    def add(self, other: ScanReport) -> None:
        self.messages += other.messages
        self.hits += other.hits
        self.new_alerts += other.new_alerts
        self.new_sightings += other.new_sightings
        for k, v in other.timeouts.items():
            self.timeouts[k] = self.timeouts.get(k, 0) + v
        self.new_alert_ids.extend(other.new_alert_ids)

    def to_json(self) -> dict[str, object]:
        return {k: v for k, v in vars(self).items() if k != "new_alert_ids"}


def dedup_key(text: str) -> str:
    return hashlib.sha256(skeleton(text).encode("utf-8")).hexdigest()[:24]


def _messages(
    store: Store, after_id: int, since: datetime | None, chunk: int
) -> Iterator[list[Candidate]]:
    actors_built = bool(store._all("SELECT 1 FROM actor_accounts LIMIT 1"))
    while True:
        params: list[Any] = [after_id]
        cond = ""
        if since is not None:
            cond = "AND m.posted_at >= ? "
            params.append(store._ts(since))
        rows = store._all(
            "SELECT m.id, m.text, m.platform, coalesce(c.name, c.key), m.posted_at, "
            "coalesce(a.categories, ''), coalesce(a.intent, 'other'), "
            + ("aa.actor_id " if actors_built else "NULL ")
            + "FROM messages m JOIN channels c ON c.id = m.channel_id "
            "LEFT JOIN message_analysis a ON a.message_id = m.id "
            + ("LEFT JOIN actor_accounts aa ON aa.author_id = m.author_id " if actors_built else "")
            + f"WHERE m.kind = 'message' AND m.id > ? {cond}ORDER BY m.id LIMIT ?",
            [*params, chunk],
        )
        if not rows:
            return
        yield [
            Candidate(
                int(r[0]),
                r[1],
                r[2],
                r[3],
                store._read_ts(r[4]),
                tuple(c for c in r[5].split(",") if c),
                r[6],
                None if r[7] is None else int(r[7]),
            )
            for r in rows
        ]
        after_id = int(rows[-1][0])


def _entities(store: Store, ids: Sequence[int]) -> dict[int, list[Entity]]:
    found = store.entities_of(ids)
    return {i: [e.to_entity() for e in es] for i, es in found.items()}


def scan(
    store: Store,
    watchlist: Watchlist,
    after_id: int = 0,
    since: datetime | None = None,
    save: bool = True,
    chunk: int = 2000,
) -> ScanReport:
    """Match every stored message after ``after_id`` (and posted since ``since``); with
    ``save``, raise and record alerts, else only count (``watch test`` on the store)."""
    report = ScanReport()
    if not watchlist.rules:
        return report
    for batch in _messages(store, after_id, since, chunk):
        ents = _entities(store, [c.id for c in batch])
        part = ScanReport(messages=len(batch))
        found: list[tuple[Candidate, Hit]] = []
        for c in batch:
            _match_one(watchlist, c, ents.get(c.id, []), None, part, found)
        part.hits = len(found)
        if save and found:
            _record(store, found, part)
        report.add(part)
    return report


def _match_one(
    watchlist: Watchlist,
    c: Candidate,
    entities: Sequence[Entity],
    normalized: str | None,
    report: ScanReport,
    found: list[tuple[Candidate, Hit]],
) -> None:
    ctx = Context(c.categories, c.intent, c.channel, c.platform, c.actor)
    result = match(watchlist, c.text, entities, ctx, normalized_text=normalized)
    for name in result.timeouts:
        report.timeouts[name] = report.timeouts.get(name, 0) + 1
    found.extend((c, h) for h in result.hits)


def _record(store: Store, found: list[tuple[Candidate, Hit]], part: ScanReport) -> None:
    now = store._ts(datetime.now(UTC))
    ids: dict[tuple[str, str], int] = {}
    touched: set[int] = set()
    with store._transaction():
        for c, h in found:
            key = dedup_key(c.text)
            alert_id = ids.get((h.rule, key))
            if alert_id is None:
                row = store._one(
                    "SELECT id FROM alerts WHERE rule = ? AND dedup_key = ?", (h.rule, key)
                )
                if row is None:
                    row = store._one(
                        "INSERT INTO alerts (rule, severity, dedup_key, first_message_id, "
                        "matched, status, created_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, 'new', ?, ?) RETURNING id",
                        (h.rule, h.severity, key, c.id, storable(h.matched), now, now),
                    )
                    part.new_alerts += 1
                    part.new_alert_ids.append(int(row[0]))
                alert_id = ids[(h.rule, key)] = int(row[0])
            cur = store._execute(
                store._q(
                    "INSERT INTO alert_sightings (alert_id, message_id, matched, start_pos, "
                    "end_pos) VALUES (?, ?, ?, ?, ?) ON CONFLICT (alert_id, message_id) DO NOTHING"
                ),
                (alert_id, c.id, storable(h.matched), h.start, h.end),
            )
            if cur.rowcount:
                part.new_sightings += 1
                touched.add(alert_id)
        for alert_id in touched:
            store._execute(
                store._q("UPDATE alerts SET updated_at = ? WHERE id = ?"), (now, alert_id)
            )


# ---- reading and triage ----------------------------------------------------------------
@dataclass(frozen=True)
class AlertRow:
    id: int
    rule: str
    severity: str
    status: str
    matched: str
    created_at: datetime
    updated_at: datetime
    sightings: int
    channels: int
    first_message_id: int
    first_text: str

    def to_json(self, matched: str, first_text: str) -> dict[str, Any]:
        """The alert as the faces show it, with its matched text and first message as
        the face masks them."""
        return {
            "id": self.id,
            "rule": self.rule,
            "severity": self.severity,
            "status": self.status,
            "matched": matched,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "sightings": self.sightings,
            "channels": self.channels,
            "first_message_id": self.first_message_id,
            "first_text": first_text,
        }


def list_alerts(
    store: Store,
    status: str | None = None,
    severity: str | None = None,
    limit: int = 50,
    *,
    rule: str | None = None,
    alert_id: int | None = None,
    since: datetime | None = None,
    offset: int = 0,
) -> list[AlertRow]:
    """Alerts most recently changed first. ``rule``, ``alert_id`` and ``since`` (changed,
    by a new sighting or a status, at or after) filter further; ``offset`` pages."""
    conds: list[str] = []
    params: list[Any] = []
    if status is not None:
        conds.append("al.status = ?")
        params.append(status)
    if severity is not None:
        conds.append("al.severity = ?")
        params.append(severity)
    if rule is not None:
        conds.append("al.rule = ?")
        params.append(rule)
    if alert_id is not None:
        conds.append("al.id = ?")
        params.append(alert_id)
    if since is not None:
        conds.append("al.updated_at >= ?")
        params.append(store._ts(since))
    where = f"WHERE {' AND '.join(conds)}" if conds else ""
    rows = store._all(
        "SELECT al.id, al.rule, al.severity, al.status, al.matched, al.created_at, al.updated_at, "
        "count(s.message_id), count(DISTINCT m.channel_id), al.first_message_id, "
        "min(fm.text) FROM alerts al JOIN alert_sightings s ON s.alert_id = al.id "
        "JOIN messages m ON m.id = s.message_id JOIN messages fm ON fm.id = al.first_message_id "
        f"{where} GROUP BY al.id, al.rule, al.severity, al.status, al.matched, al.created_at, "
        "al.updated_at, al.first_message_id ORDER BY al.updated_at DESC, al.id DESC "
        "LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return [
        AlertRow(
            int(r[0]),
            r[1],
            r[2],
            r[3],
            r[4],
            store._read_ts(r[5]),
            store._read_ts(r[6]),
            int(r[7]),
            int(r[8]),
            int(r[9]),
            r[10],
        )
        for r in rows
    ]


def alert_context(store: Store, alerts: Sequence[AlertRow]) -> dict[int, dict[str, Any]]:
    """Where each alert's first message was, who posted it, the actor behind them and its
    reputation, the offer it belongs to, and where the hit is in the text (for
    highlighting). Actor and offer are known once ``actors build``/``offers build`` ran."""
    out: dict[int, dict[str, Any]] = {}
    for a in alerts:
        r = store._one(
            "SELECT coalesce(c.name, c.key), m.platform, au.display_name, au.key, s.start_pos, "
            "s.end_pos, aa.actor_id, ac.reputation, os.offer_id FROM messages m "
            "JOIN channels c ON c.id = m.channel_id LEFT JOIN authors au ON au.id = m.author_id "
            "JOIN alert_sightings s ON s.alert_id = ? AND s.message_id = m.id "
            "LEFT JOIN actor_accounts aa ON aa.author_id = m.author_id "
            "LEFT JOIN actors ac ON ac.id = aa.actor_id "
            "LEFT JOIN offer_sightings os ON os.message_id = m.id WHERE m.id = ?",
            (a.id, a.first_message_id),
        )
        if r is None:
            continue
        out[a.id] = {
            "channel": r[0],
            "platform": r[1],
            "author": r[2],
            "author_id": r[3],
            "highlight": [int(r[4]), int(r[5])],
            "actor_id": None if r[6] is None else int(r[6]),
            "actor_reputation": None if r[7] is None else int(r[7]),
            "offer_id": None if r[8] is None else int(r[8]),
        }
    return out


def set_status(store: Store, alert_id: int, status: str, who: str, note: str = "") -> bool:
    """Acknowledge or dismiss an alert; written to the audit log with who and when."""
    if status not in STATUSES:
        raise ValueError(status)
    now = store._ts(datetime.now(UTC))
    with store._transaction():
        row = store._one("SELECT status FROM alerts WHERE id = ?", (alert_id,))
        if row is None:
            return False
        store._execute(
            store._q("UPDATE alerts SET status = ?, updated_at = ? WHERE id = ?"),
            (status, now, alert_id),
        )
        store._execute(
            store._q("INSERT INTO audit_log (at, who, action, detail) VALUES (?, ?, ?, ?)"),
            (
                now,
                storable(who),
                f"alert_{status}",
                orjson.dumps({"alert": alert_id, "from": row[0], "note": note}).decode(),
            ),
        )
    return True


def scan_batch(
    store: Store,
    watchlist: Watchlist,
    batch: Sequence[Analysed],
    ids: Sequence[int],
    actors: dict[int, int] | None = None,
) -> ScanReport:
    """Match the new and changed messages of a batch just stored (``ids``: their row ids,
    0 for the others), from memory: the analysis's normalised text and indicators, no
    reading back. ``actors``: author row id → actor id, where actors are built."""
    from jianghu.store.rows import author_key

    report = ScanReport()
    found: list[tuple[Candidate, Hit]] = []
    for item, row_id in zip(batch, ids, strict=True):
        m, a = item.message, item.analysis
        if not row_id or m.kind != "message" or a is None:
            continue
        report.messages += 1
        author = store._author_ids.get((m.platform, author_key(m.author) or ""))
        actor = None if actors is None or author is None else actors.get(author)
        c = Candidate(
            row_id,
            m.text,
            m.platform,
            m.channel.name or m.channel.key,
            m.posted_at,
            a.categories,
            a.intent,
            actor,
        )
        _match_one(watchlist, c, item.entities, a.normalized or None, report, found)
    report.hits = len(found)
    if found:
        _record(store, found, report)
    return report


def after_batch_scanner(
    store: Store, watchlist: Watchlist
) -> tuple[Callable[[Sequence[Analysed], Sequence[int]], None], ScanReport]:
    """An ``ingest(after_batch=…)`` hook that matches each stored batch's new and changed
    messages once, and the report it fills."""
    report = ScanReport()
    rows = store._all("SELECT author_id, actor_id FROM actor_accounts")
    actors = {int(a): int(b) for a, b in rows} if rows else None

    def hook(batch: Sequence[Analysed], ids: Sequence[int]) -> None:
        report.add(scan_batch(store, watchlist, batch, ids, actors))

    return hook, report
