"""The store: one interface, two backends (SQLite embedded, PostgreSQL for a team).

Most SQL is shared: it is written with ``?`` placeholders and each backend adapts the
placeholder, the timestamp type and the full-text index. Ingest is transactional per
batch and idempotent: a message already stored with the same content is left alone; a
changed one keeps its earlier version in ``message_versions``.
"""

from __future__ import annotations

import abc
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

import orjson

from jianghu.analysis.entities import Entity
from jianghu.analysis.pipeline import Analysed, MessageAnalysis
from jianghu.analysis.search_terms import Clause, SearchDoc, search_doc
from jianghu.errors import JianghuError, StoreConflict, StoreError
from jianghu.records import Message
from jianghu.store.rows import (
    ENTITIES,
    MESSAGE_COLUMNS,
    RAW,
    TEXT,
    UPDATABLE,
    StoredState,
    author_key,
    content_hash,
    entity_rows,
    message_row,
)
from jianghu.store.textsafe import storable, storable_or_none

_T = TypeVar("_T")


@dataclass
class BatchCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    events: int = 0

    def add(self, other: BatchCounts) -> None:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.events += other.events


@dataclass(frozen=True)
class SearchFilters:
    channel: str | None = None
    author: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    entity: tuple[str, str] | None = None  # (type, normalized value)
    category: str | None = None
    intent: str | None = None
    actor: int | None = None  # the accounts an actor was linked from
    entity_type: str | None = None  # messages holding an indicator of this type
    limit: int = 20


@dataclass(frozen=True)
class StoredAnalysis:
    language: str
    intent: str
    categories: tuple[str, ...]
    scores: dict[str, float]
    lexicon_version: str
    model_version: str
    analysed_at: datetime


@dataclass(frozen=True)
class StoredEntity:
    type: str
    value: str
    normalized: str
    start: int
    end: int
    attrs: dict[str, str]

    def to_entity(self) -> Entity:
        """The indicator as the analysis made it (stored ones were valid)."""
        return Entity(
            self.type, self.value, self.normalized, self.start, self.end, True, self.attrs
        )


@dataclass(frozen=True)
class EntityCount:
    type: str
    normalized: str
    example: str
    messages: int
    channels: int
    authors: int
    first_seen: datetime
    last_seen: datetime


@dataclass(frozen=True)
class SearchHit:
    id: int
    platform: str
    channel: str
    author: str | None
    author_id: str | None
    posted_at: datetime
    text: str
    score: float


@dataclass
class StoreSummary:
    messages: int = 0
    events: int = 0
    versions: int = 0
    channels: int = 0
    authors: int = 0
    runs: int = 0
    by_channel: list[tuple[str, int]] = field(default_factory=list)


class Store(abc.ABC):
    """Base of both backends. Subclasses provide the connection and the dialect bits."""

    url: str
    placeholder = "?"

    def __init__(self) -> None:
        self._channel_ids: dict[tuple[str, str], int] = {}
        self._author_ids: dict[tuple[str, str], int] = {}
        self.last_batch_ids: list[int] = []

    # ---- dialect hooks -----------------------------------------------------------------
    @abc.abstractmethod
    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any: ...

    @abc.abstractmethod
    def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    @abc.abstractmethod
    @contextmanager
    def _transaction(self) -> Iterator[None]: ...

    @abc.abstractmethod
    def _next_message_ids(self, n: int) -> list[int]: ...

    def _insert_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Append plain rows to ``table`` (a backend may bulk-load them: COPY)."""
        marks = ", ".join("?" * len(columns))
        self._executemany(
            self._q(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"), rows
        )

    def _lock(self, name: str) -> None:
        """Hold a lock called ``name`` until the current transaction ends. Backends with
        writers in other processes take a real one; SQLite has one writer at a time."""
        return None

    def _is_conflict(self, exc: BaseException) -> bool:
        """True when ``exc`` is a collision with a concurrent writer worth retrying."""
        return False

    @abc.abstractmethod
    def _ts(self, value: datetime | None) -> Any:
        """A timestamp as this backend stores it."""

    @abc.abstractmethod
    def _read_ts(self, value: Any) -> datetime: ...

    # Backends that keep the search tokens in ``messages`` itself name those columns here
    # and turn a SearchDoc into their values; others index in _index_new.
    search_columns: tuple[str, ...] = ()

    def _search_values(self, doc: SearchDoc, categories: Sequence[str] = ()) -> list[Any]:
        """The search columns' values of a message; a backend may index its categories
        with its words (PostgreSQL does, so that a category filter is an index lookup)."""
        return []

    @abc.abstractmethod
    def _categories_replaced(self, rows: Sequence[tuple[int, Sequence[str]]]) -> None:
        """Stored messages got new categories (re-analysis): update whatever a backend
        indexes them in besides ``message_categories``."""

    @abc.abstractmethod
    def _index_new(self, rows: Sequence[tuple[int, SearchDoc]]) -> None:
        """Index messages just inserted."""

    @abc.abstractmethod
    def _reindex(
        self, message_id: int, old: SearchDoc, new: SearchDoc, categories: Sequence[str]
    ) -> None:
        """Replace a message's index entry after an edit (``categories``: its new ones)."""

    @abc.abstractmethod
    def _search_ids(
        self,
        clauses: Sequence[Clause],
        where: str,
        params: list[Any],
        limit: int,
        category: str | None = None,  # also in ``where``; a backend may plan by it
    ) -> list[tuple[int, float]]: ...

    @abc.abstractmethod
    def migrate(self) -> int:
        """Bring the schema to the newest version; return the version."""

    @abc.abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _q(self, sql: str) -> str:
        return sql if self.placeholder == "?" else sql.replace("?", self.placeholder)

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return list(self._execute(self._q(sql), params).fetchall())

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._execute(self._q(sql), params).fetchone()

    # ---- ingest runs -------------------------------------------------------------------
    def begin_run(self, paths: Sequence[str]) -> int:
        with self._transaction():
            row = self._one(
                "INSERT INTO ingest_runs (started_at, status, paths) VALUES (?, 'running', ?) "
                "RETURNING id",
                (self._ts(datetime.now(UTC)), orjson.dumps([storable(p) for p in paths]).decode()),
            )
        return int(row[0])

    def finish_run(self, run_id: int, counts: dict[str, int], errors: list[dict[str, Any]]) -> None:
        status = "ok" if not errors else "errors"
        with self._transaction():
            self._execute(
                self._q(
                    "UPDATE ingest_runs SET finished_at = ?, status = ?, read = ?, new = ?, "
                    "updated = ?, unchanged = ?, rejected = ?, events = ?, errors = ? WHERE id = ?"
                ),
                (
                    self._ts(datetime.now(UTC)),
                    status,
                    counts.get("read", 0),
                    counts.get("new", 0),
                    counts.get("updated", 0),
                    counts.get("unchanged", 0),
                    counts.get("rejected", 0),
                    counts.get("events", 0),
                    orjson.dumps(errors).decode(),
                    run_id,
                ),
            )

    def add_source_file(self, run_id: int, path: str, fmt: str) -> int:
        with self._transaction():
            row = self._one(
                "INSERT INTO source_files (run_id, path, format, status) "
                "VALUES (?, ?, ?, 'reading') RETURNING id",
                (run_id, storable(path), fmt),
            )
        return int(row[0])

    def finish_source_file(
        self, file_id: int, sha256: str | None, size: int | None, error: str | None
    ) -> None:
        with self._transaction():
            self._execute(
                self._q(
                    "UPDATE source_files SET sha256 = ?, size = ?, status = ?, error = ? "
                    "WHERE id = ?"
                ),
                (sha256, size, "error" if error else "ok", storable_or_none(error), file_id),
            )

    # ---- writing messages --------------------------------------------------------------
    def write_batch(
        self,
        batch: Sequence[Analysed],
        source_file_id: int | None,
        cursor: tuple[str, str, int] | None = None,
    ) -> BatchCounts:
        """Store one batch in one transaction: all of it or, on any error, none of it.

        ``cursor`` (source, chat key, last message id) moves a live collector's resume
        point in the same transaction, so a crash can neither skip nor repeat messages.
        """

        def write() -> BatchCounts:
            counts = self._write_batch(batch, source_file_id)
            if cursor is not None:
                self._move_cursor(*cursor)
            return counts

        return self._atomically(write)

    def write_partition(
        self, run_id: int, key: str, batch: Sequence[Analysed], source_file_id: int | None
    ) -> tuple[BatchCounts, bool]:
        """``write_batch`` for one partition of a distributed ingest run, recorded in the
        partition ledger in the same transaction. A partition written before (its task ran
        again after a worker was lost) writes nothing and returns what it wrote then, with
        False. Writers of one channel take turns (an edit is versioned against the stored
        reading, which must not change under it); other channels are written at once."""

        def write() -> tuple[BatchCounts, bool]:
            self._lock(f"partition:{run_id}:{key}")
            done = self._one(
                "SELECT new, updated, unchanged, events FROM ingest_partitions "
                "WHERE run_id = ? AND key = ?",
                (run_id, key),
            )
            if done is not None:
                self.last_batch_ids = [0] * len(batch)
                return BatchCounts(*(int(v) for v in done)), False
            # In one order everywhere, so two writers never wait for each other's locks.
            for channel in sorted({(a.message.platform, a.message.channel.key) for a in batch}):
                self._lock(f"channel:{channel[0]}:{channel[1]}")
            counts = self._write_batch(batch, source_file_id)
            self._execute(
                self._q(
                    "INSERT INTO ingest_partitions (run_id, key, new, updated, unchanged, "
                    "events, written_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                ),
                (
                    run_id,
                    key,
                    counts.new,
                    counts.updated,
                    counts.unchanged,
                    counts.events,
                    self._ts(datetime.now(UTC)),
                ),
            )
            return counts, True

        return self._atomically(write)

    def _atomically(self, write: Callable[[], _T]) -> _T:
        """Run ``write`` in one transaction; any failure rolls all of it back and becomes a
        StoreError (a StoreConflict when a concurrent writer caused it)."""
        try:
            with self._transaction():
                return write()
        except Exception as exc:
            # Ids handed out inside the rolled-back transaction no longer exist.
            self._channel_ids.clear()
            self._author_ids.clear()
            if isinstance(exc, JianghuError):
                raise
            if self._is_conflict(exc):
                raise StoreConflict(
                    f"a write collided with a concurrent writer and was rolled back: {exc}"
                ) from exc
            raise StoreError(f"writing a batch failed and none of it was stored: {exc}") from exc

    def _write_batch(self, batch: Sequence[Analysed], source_file_id: int | None) -> BatchCounts:
        counts = BatchCounts()
        channel_ids = self._ensure_channels(batch)
        author_ids = self._ensure_authors(batch)
        current = self._fetch_current(batch, channel_ids)
        inserts: list[tuple[Analysed, str, int, int | None]] = []
        changes: list[tuple[Analysed, str, int, int | None]] = []
        pending: set[tuple[int, str]] = set()
        for item in batch:
            message = item.message
            cid = channel_ids[(message.platform, message.channel.key)]
            aid = author_ids.get((message.platform, author_key(message.author) or ""))
            key = (cid, message.message_id)
            digest = content_hash(message)
            if message.kind != "message":
                counts.events += 1
            state = current.get(key)
            if state is None and key not in pending:
                pending.add(key)
                inserts.append((item, digest, cid, aid))
                counts.new += message.kind == "message"
            elif state is not None and state.content_hash == digest:
                counts.unchanged += message.kind == "message"
            else:  # changed, or seen twice in this batch: decided after the inserts
                changes.append((item, digest, cid, aid))
        self._insert_messages(inserts, source_file_id, current)
        fresh = {id(item) for item, _, _, _ in inserts}
        for item, digest, cid, aid in changes:
            message = item.message
            state = current[(cid, message.message_id)]
            if state.content_hash == digest:
                counts.unchanged += message.kind == "message"
            elif self._apply_change(state, item, digest, aid, source_file_id):
                counts.updated += message.kind == "message"
                fresh.add(id(item))
            else:
                counts.unchanged += message.kind == "message"
        self._record_names(batch, author_ids)
        # Row ids of the batch's new and changed messages, in order (0 for the others):
        # what the after-batch hook scans, without reading the batch back.
        self.last_batch_ids = [
            current[
                (channel_ids[(a.message.platform, a.message.channel.key)], a.message.message_id)
            ].id
            if id(a) in fresh
            else 0
            for a in batch
        ]
        return counts

    def _ensure_channels(self, batch: Sequence[Analysed]) -> dict[tuple[str, str], int]:
        for message in (a.message for a in batch):
            ch = message.channel
            if (ch.platform, ch.key) in self._channel_ids:
                continue
            row = self._one(
                "INSERT INTO channels (platform, key, platform_id, name, kind) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (platform, key) DO UPDATE SET "
                "name = excluded.name, kind = excluded.kind RETURNING id",
                (ch.platform, ch.key, ch.platform_id, storable_or_none(ch.name), ch.kind),
            )
            self._channel_ids[(ch.platform, ch.key)] = int(row[0])
        return self._channel_ids

    def _ensure_authors(self, batch: Sequence[Analysed]) -> dict[tuple[str, str], int]:
        for message in (a.message for a in batch):
            key = author_key(message.author)
            if key is None or (message.platform, key) in self._author_ids:
                continue
            author = message.author
            assert author is not None
            row = self._one(
                "INSERT INTO authors (platform, key, platform_id, display_name, handle) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (platform, key) DO UPDATE SET "
                "display_name = coalesce(excluded.display_name, authors.display_name), "
                "handle = coalesce(excluded.handle, authors.handle) RETURNING id",
                (
                    message.platform,
                    key,
                    author.platform_id,
                    storable_or_none(author.display_name),
                    storable_or_none(author.handle),
                ),
            )
            self._author_ids[(message.platform, key)] = int(row[0])
        return self._author_ids

    def _record_names(
        self, batch: Sequence[Analysed], author_ids: dict[tuple[str, str], int]
    ) -> None:
        seen: dict[tuple[int, str], tuple[datetime, datetime]] = {}
        for message in (a.message for a in batch):
            key = author_key(message.author)
            name = message.author.display_name if message.author else None
            if key is None or not name:
                continue
            k = (author_ids[(message.platform, key)], storable(name))
            lo, hi = seen.get(k, (message.posted_at, message.posted_at))
            seen[k] = (min(lo, message.posted_at), max(hi, message.posted_at))
        if seen:
            self._upsert_names(
                [(a, n, self._ts(lo), self._ts(hi)) for (a, n), (lo, hi) in seen.items()]
            )
            # An author's name is the one seen last, whichever export or worker read it
            # first: the same store results in whatever order batches arrive.
            ids = sorted({a for a, _ in seen})
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                self._execute(
                    self._q(
                        "UPDATE authors SET display_name = (SELECT n.name FROM author_names n "
                        "WHERE n.author_id = authors.id ORDER BY n.last_seen DESC, n.name "
                        f"LIMIT 1) WHERE id IN ({', '.join('?' * len(chunk))})"
                    ),
                    chunk,
                )

    @abc.abstractmethod
    def _upsert_names(self, rows: Sequence[tuple[int, str, Any, Any]]) -> None: ...

    def _fetch_current(
        self, batch: Sequence[Analysed], channel_ids: dict[tuple[str, str], int]
    ) -> dict[tuple[int, str], StoredState]:
        wanted: dict[int, set[str]] = defaultdict(set)
        for message in (a.message for a in batch):
            wanted[channel_ids[(message.platform, message.channel.key)]].add(message.message_id)
        found: dict[tuple[int, str], StoredState] = {}
        for cid, ids in wanted.items():
            for row in self._current_rows(cid, sorted(ids)):
                found[(int(row[0]), str(row[1]))] = StoredState(
                    int(row[2]),
                    row[3],
                    self._read_ts(row[4]),
                    None if row[5] is None else self._read_ts(row[5]),
                    row[6],
                    row[7],
                    row[8],
                    row[9],
                )
        return found

    _CURRENT = (
        "SELECT channel_id, message_id, id, content_hash, posted_at, edited_at, text, "
        "entities, raw, source_file_id FROM messages"
    )

    def _current_rows(self, channel_id: int, message_ids: list[str]) -> list[Any]:
        """The stored rows of these messages of one channel (``_fetch_current``'s read)."""
        rows = []
        for start in range(0, len(message_ids), 500):
            chunk = message_ids[start : start + 500]
            rows += self._all(
                f"{self._CURRENT} WHERE channel_id = ? AND message_id IN "
                f"({', '.join('?' * len(chunk))})",
                [channel_id, *chunk],
            )
        return rows

    def _row(
        self,
        message: Message,
        digest: str,
        cid: int,
        aid: int | None,
        source_file_id: int | None,
        row_id: int = 0,
    ) -> tuple[object, ...]:
        return message_row(
            message,
            row_id=row_id,
            channel_id=cid,
            author_id=aid,
            digest=digest,
            source_file_id=source_file_id,
            posted_at=self._ts(message.posted_at),
            edited_at=self._ts(message.edited_at),
        )

    def _insert_messages(
        self,
        inserts: Sequence[tuple[Analysed, str, int, int | None]],
        source_file_id: int | None,
        current: dict[tuple[int, str], StoredState],
    ) -> None:
        if not inserts:
            return
        ids = self._next_message_ids(len(inserts))
        rows = []
        index = []
        extra = bool(self.search_columns)
        found: list[tuple[object, ...]] = []
        analysed: list[tuple[int, MessageAnalysis]] = []
        for new_id, (item, digest, cid, aid) in zip(ids, inserts, strict=True):
            message, doc = item.message, item.search
            found.extend(entity_rows(new_id, item.entities))
            if item.analysis is not None:
                analysed.append((new_id, item.analysis))
            row = self._row(message, digest, cid, aid, source_file_id, new_id)
            if extra:
                cats = item.analysis.categories if item.analysis is not None else ()
                row = (*row, *self._search_values(doc, cats))
            rows.append(row)
            index.append((new_id, doc))
            current[(cid, message.message_id)] = StoredState(
                new_id,
                digest,
                message.posted_at,
                message.edited_at,
                str(row[TEXT]),
                str(row[ENTITIES]),
                str(row[RAW]),
                source_file_id,
            )
        self._insert_rows("messages", (*MESSAGE_COLUMNS, *self.search_columns), rows)
        self._index_new([(i, d) for i, d in index if d.uni or d.bi])
        self._insert_entities(found)
        self._insert_analyses(analysed)

    def _insert_analyses(self, rows: Sequence[tuple[int, MessageAnalysis]]) -> None:
        if not rows:
            return
        now = self._ts(datetime.now(UTC))
        self._insert_rows(
            "message_analysis",
            (
                "message_id",
                "language",
                "intent",
                "categories",
                "scores",
                "lexicon_version",
                "model_version",
                "analysed_at",
            ),
            [
                (
                    i,
                    a.language,
                    a.intent,
                    ",".join(a.categories),
                    orjson.dumps(a.scores).decode(),
                    a.lexicon_version,
                    a.model_version,
                    now,
                )
                for i, a in rows
            ],
        )
        cats = [(i, c, a.scores.get(c, 0.0)) for i, a in rows for c in a.categories]
        if cats:
            self._insert_rows("message_categories", ("message_id", "category", "score"), cats)

    def _forget_analyses(self, ids: Sequence[int]) -> None:
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ", ".join("?" * len(chunk))
            for table in ("message_categories", "message_analysis", "message_entities"):
                self._execute(self._q(f"DELETE FROM {table} WHERE message_id IN ({marks})"), chunk)

    def _insert_entities(self, rows: Sequence[tuple[object, ...]]) -> None:
        # Rows of messages whose earlier indicators are gone: only two of one type at one
        # start can collide, and the first is kept.
        seen: set[tuple[object, object, object]] = set()
        unique = []
        for row in rows:
            key = (row[0], row[1], row[4])
            if key not in seen:
                seen.add(key)
                unique.append(row)
        if unique:
            self._insert_rows(
                "message_entities",
                ("message_id", "type", "value", "normalized", "start_pos", "end_pos", "attrs"),
                unique,
            )

    def _apply_change(
        self,
        state: StoredState,
        item: Analysed,
        digest: str,
        aid: int | None,
        source_file_id: int | None,
    ) -> bool:
        """Record a different reading of a stored message; False if it was known already."""
        message, doc = item.message, item.search
        known = self._one(
            "SELECT 1 FROM message_versions WHERE message_id = ? AND content_hash = ?",
            (state.id, digest),
        )
        if known:
            return False
        now = self._ts(datetime.now(UTC))
        version_sql = self._q(
            "INSERT INTO message_versions (message_id, content_hash, text, edited_at, entities, "
            "raw, source_file_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (message_id, content_hash) DO NOTHING"
        )
        row = self._row(message, digest, 0, aid, source_file_id)
        values = dict(zip(MESSAGE_COLUMNS, row, strict=True))
        incoming_moment = message.edited_at or message.posted_at
        if incoming_moment < state.moment():
            # An older reading arrived after a newer one: keep it as history only.
            self._execute(
                version_sql,
                (
                    state.id,
                    digest,
                    values["text"],
                    values["edited_at"],
                    values["entities"],
                    values["raw"],
                    source_file_id,
                    now,
                ),
            )
            return True
        self._execute(
            version_sql,
            (
                state.id,
                state.content_hash,
                state.text,
                self._ts(state.edited_at),
                state.entities,
                state.raw,
                state.source_file_id,
                now,
            ),
        )
        assignments = ", ".join(f"{c} = ?" for c in UPDATABLE)
        self._execute(
            self._q(f"UPDATE messages SET {assignments} WHERE id = ?"),
            [*(values[c] for c in UPDATABLE), state.id],
        )
        cats = item.analysis.categories if item.analysis is not None else ()
        self._reindex(state.id, search_doc(state.text), doc, cats)
        self._forget_analyses([state.id])
        self._insert_entities(entity_rows(state.id, item.entities))
        if item.analysis is not None:
            self._insert_analyses([(state.id, item.analysis)])
        state.content_hash, state.text = digest, str(values["text"])
        state.posted_at, state.edited_at = message.posted_at, message.edited_at
        state.entities, state.raw = str(values["entities"]), str(values["raw"])
        state.source_file_id = source_file_id
        return True

    # ---- reading -----------------------------------------------------------------------
    def search(self, clauses: Sequence[Clause], filters: SearchFilters) -> list[SearchHit]:
        """Messages matching every clause and filter, best first. With no clauses (an
        entity filter alone, say) the newest messages come first."""
        where, params = self._filters(filters)
        if clauses:
            ranked = self._search_ids(clauses, where, params, filters.limit, filters.category)
        else:
            ranked = [
                (int(r[0]), 0.0)
                for r in self._all(
                    f"SELECT m.id FROM messages m WHERE {where} "
                    "ORDER BY m.posted_at DESC, m.id DESC LIMIT ?",
                    [*params, filters.limit],
                )
            ]
        if not ranked:
            return []
        marks = ", ".join("?" * len(ranked))
        rows = {
            int(r[0]): r
            for r in self._all(
                "SELECT m.id, m.platform, coalesce(c.name, c.key), a.display_name, a.platform_id, "
                "m.posted_at, m.text FROM messages m JOIN channels c ON c.id = m.channel_id "
                f"LEFT JOIN authors a ON a.id = m.author_id WHERE m.id IN ({marks})",
                [i for i, _ in ranked],
            )
        }
        return [
            SearchHit(i, r[1], r[2], r[3], r[4], self._read_ts(r[5]), r[6], score)
            for i, score in ranked
            if (r := rows.get(i)) is not None
        ]

    def _filters(self, filters: SearchFilters) -> tuple[str, list[Any]]:
        clauses = ["m.kind = 'message'"]
        params: list[Any] = []
        if filters.channel is not None:
            ids = self._match_ids(
                "SELECT id, name, key, platform_id FROM channels", filters.channel
            )
            clauses.append(f"m.channel_id IN ({', '.join(map(str, ids)) or 'NULL'})")
        if filters.author is not None:
            ids = self._match_ids(
                "SELECT id, display_name, key, platform_id, handle FROM authors", filters.author
            )
            clauses.append(f"m.author_id IN ({', '.join(map(str, ids)) or 'NULL'})")
        if filters.entity is not None:
            clauses.append(
                "m.id IN (SELECT message_id FROM message_entities WHERE type = ? "
                "AND normalized = ?)"
            )
            params.extend(filters.entity)
        if filters.category is not None:
            clauses.append("m.id IN (SELECT message_id FROM message_categories WHERE category = ?)")
            params.append(filters.category)
        if filters.intent is not None:
            clauses.append("m.id IN (SELECT message_id FROM message_analysis WHERE intent = ?)")
            params.append(filters.intent)
        if filters.actor is not None:
            clauses.append(
                "m.author_id IN (SELECT author_id FROM actor_accounts WHERE actor_id = ?)"
            )
            params.append(filters.actor)
        if filters.entity_type is not None:
            clauses.append("m.id IN (SELECT message_id FROM message_entities WHERE type = ?)")
            params.append(filters.entity_type)
        if filters.since is not None:
            clauses.append("m.posted_at >= ?")
            params.append(self._ts(filters.since))
        if filters.until is not None:
            clauses.append("m.posted_at < ?")
            params.append(self._ts(filters.until))
        return " AND ".join(clauses), params

    def _match_ids(self, sql: str, wanted: str) -> list[int]:
        """Rows whose name contains ``wanted`` or whose id or handle equals it, folded in
        Python so that both backends agree on case and Unicode."""
        needle = wanted.casefold().lstrip("@")
        out = []
        for row in self._all(sql):
            name, *ids = row[1:]
            if (name and needle in name.casefold()) or any(
                i is not None and needle == str(i).casefold().lstrip("@") for i in ids
            ):
                out.append(int(row[0]))
        return out

    def entities_of(self, message_ids: Sequence[int]) -> dict[int, list[StoredEntity]]:
        out: dict[int, list[StoredEntity]] = defaultdict(list)
        for start in range(0, len(message_ids), 500):
            chunk = list(message_ids[start : start + 500])
            marks = ", ".join("?" * len(chunk))
            for r in self._all(
                "SELECT message_id, type, value, normalized, start_pos, end_pos, attrs "
                f"FROM message_entities WHERE message_id IN ({marks}) "
                "ORDER BY message_id, start_pos",
                chunk,
            ):
                out[int(r[0])].append(
                    StoredEntity(r[1], r[2], r[3], int(r[4]), int(r[5]), orjson.loads(r[6]))
                )
        return dict(out)

    def top_entities(
        self, entity_type: str | None = None, limit: int = 50, exclude: Sequence[str] = ()
    ) -> list[EntityCount]:
        """The most seen indicators: in how many messages, channels and by how many
        authors, and when first and last."""
        conds, params = [], []
        if entity_type:
            conds.append("e.type = ?")
            params.append(entity_type)
        if exclude:
            conds.append(f"e.type NOT IN ({', '.join('?' * len(exclude))})")
            params.extend(exclude)
        where = f"WHERE {' AND '.join(conds)}" if conds else ""
        rows = self._all(
            "SELECT e.type, e.normalized, min(e.value), count(DISTINCT e.message_id), "
            "count(DISTINCT m.channel_id), count(DISTINCT m.author_id), min(m.posted_at), "
            "max(m.posted_at) FROM message_entities e JOIN messages m ON m.id = e.message_id "
            f"{where} GROUP BY e.type, e.normalized "
            "ORDER BY count(DISTINCT e.message_id) DESC, e.type, e.normalized LIMIT ?",
            [*params, limit],
        )
        return [
            EntityCount(
                r[0],
                r[1],
                r[2],
                int(r[3]),
                int(r[4]),
                int(r[5]),
                self._read_ts(r[6]),
                self._read_ts(r[7]),
            )
            for r in rows
        ]

    def log_reveal(self, command: str, detail: str) -> None:
        """Record that an analyst revealed masked personal data (DESIGN: victims' data)."""
        with self._transaction():
            self._execute(
                self._q("INSERT INTO reveal_log (at, command, detail) VALUES (?, ?, ?)"),
                (self._ts(datetime.now(UTC)), command, storable(detail)),
            )

    def summary(self) -> StoreSummary:
        def count(sql: str) -> int:
            return int(self._one(sql)[0])

        return StoreSummary(
            messages=count("SELECT count(*) FROM messages WHERE kind = 'message'"),
            events=count("SELECT count(*) FROM messages WHERE kind <> 'message'"),
            versions=count("SELECT count(*) FROM message_versions"),
            channels=count("SELECT count(*) FROM channels"),
            authors=count("SELECT count(*) FROM authors"),
            runs=count("SELECT count(*) FROM ingest_runs"),
            by_channel=[
                (str(r[0]), int(r[1]))
                for r in self._all(
                    "SELECT coalesce(c.name, c.key), count(m.id) FROM channels c "
                    "LEFT JOIN messages m ON m.channel_id = c.id AND m.kind = 'message' "
                    "GROUP BY c.id, c.name, c.key ORDER BY count(m.id) DESC, c.key"
                )
            ],
        )

    def message_texts(self) -> list[tuple[str, str]]:
        """(channel key:message id, text) of every message; for tests and small tools."""
        return [
            (f"{r[0]}:{r[1]}", r[2])
            for r in self._all(
                "SELECT c.key, m.message_id, m.text FROM messages m "
                "JOIN channels c ON c.id = m.channel_id ORDER BY c.key, m.message_id"
            )
        ]

    # ---- analysis results and re-analysis ----------------------------------------------
    def analyses_of(self, message_ids: Sequence[int]) -> dict[int, StoredAnalysis]:
        out: dict[int, StoredAnalysis] = {}
        for start in range(0, len(message_ids), 500):
            chunk = list(message_ids[start : start + 500])
            marks = ", ".join("?" * len(chunk))
            for r in self._all(
                "SELECT message_id, language, intent, categories, scores, lexicon_version, "
                f"model_version, analysed_at FROM message_analysis WHERE message_id IN ({marks})",
                chunk,
            ):
                out[int(r[0])] = StoredAnalysis(
                    r[1],
                    r[2],
                    tuple(c for c in r[3].split(",") if c),
                    orjson.loads(r[4]),
                    r[5],
                    r[6],
                    self._read_ts(r[7]),
                )
        return out

    _STALE = (
        "FROM messages m LEFT JOIN message_analysis a ON a.message_id = m.id "
        "WHERE m.kind = 'message' AND (a.message_id IS NULL OR a.lexicon_version <> ? "
        "OR a.model_version <> ?)"
    )

    def count_stale(self, lexicon_version: str, model_version: str) -> int:
        """Messages with no analysis, or one made by another lexicon or model."""
        return int(self._one(f"SELECT count(*) {self._STALE}", (lexicon_version, model_version))[0])

    def stale_batch(
        self, lexicon_version: str, model_version: str, after_id: int, limit: int
    ) -> list[tuple[int, str]]:
        """(id, text) of the next stale messages after ``after_id``, in id order."""
        return [
            (int(r[0]), r[1])
            for r in self._all(
                f"SELECT m.id, m.text {self._STALE} AND m.id > ? ORDER BY m.id LIMIT ?",
                (lexicon_version, model_version, after_id, limit),
            )
        ]

    def replace_analyses(
        self, results: Sequence[tuple[int, tuple[Entity, ...], MessageAnalysis]]
    ) -> None:
        """New indicators and classification for stored messages, in one transaction."""
        with self._transaction():
            self._forget_analyses([i for i, _, _ in results])
            self._insert_entities([row for i, ents, _ in results for row in entity_rows(i, ents)])
            self._insert_analyses([(i, a) for i, _, a in results])
            self._categories_replaced([(i, a.categories) for i, _, a in results])

    def stale_ranges(
        self, lexicon_version: str, model_version: str, size: int
    ) -> Iterator[tuple[int, int]]:
        """(first id, last id) of consecutive runs of ``size`` stale messages, in id order:
        the partitions of a distributed re-analysis (only ids cross to the caller)."""
        after = 0
        while True:
            ids = [
                int(r[0])
                for r in self._all(
                    f"SELECT m.id {self._STALE} AND m.id > ? ORDER BY m.id LIMIT ?",
                    (lexicon_version, model_version, after, size),
                )
            ]
            if not ids:
                return
            yield ids[0], ids[-1]
            after = ids[-1]

    def stale_between(
        self, lexicon_version: str, model_version: str, first: int, last: int
    ) -> list[tuple[int, str]]:
        """(id, text) of the stale messages with ids from ``first`` to ``last``."""
        return [
            (int(r[0]), r[1])
            for r in self._all(
                f"SELECT m.id, m.text {self._STALE} AND m.id BETWEEN ? AND ? ORDER BY m.id",
                (lexicon_version, model_version, first, last),
            )
        ]

    def replace_stale_analyses(
        self,
        results: Sequence[tuple[int, tuple[Entity, ...], MessageAnalysis]],
        lexicon_version: str,
        model_version: str,
    ) -> int:
        """``replace_analyses`` for the messages among ``results`` that are still stale
        when the transaction runs; how many those were. A partition of a distributed
        re-analysis that runs twice therefore writes once."""
        if not results:
            return 0

        def write() -> int:
            ids = [i for i, _, _ in results]
            self._lock(f"reanalyze:{min(ids)}:{max(ids)}")
            still: set[int] = set()
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ", ".join("?" * len(chunk))
                still.update(
                    int(r[0])
                    for r in self._all(
                        f"SELECT m.id {self._STALE} AND m.id IN ({marks})",
                        (lexicon_version, model_version, *chunk),
                    )
                )
            todo = [r for r in results if r[0] in still]
            self._forget_analyses([i for i, _, _ in todo])
            self._insert_entities([row for i, ents, _ in todo for row in entity_rows(i, ents)])
            self._insert_analyses([(i, a) for i, _, a in todo])
            self._categories_replaced([(i, a.categories) for i, _, a in todo])
            return len(todo)

        return self._atomically(write)

    def category_counts(self) -> list[tuple[str, str, int]]:
        """(category, intent, messages) over the whole store."""
        return [
            (str(r[0]), str(r[1]), int(r[2]))
            for r in self._all(
                "SELECT c.category, a.intent, count(*) FROM message_categories c "
                "JOIN message_analysis a ON a.message_id = c.message_id "
                "GROUP BY c.category, a.intent ORDER BY c.category, a.intent"
            )
        ]

    # ---- live collection cursors -------------------------------------------------------
    def cursor(self, source: str, chat_key: str) -> int | None:
        """The last message id stored by live collection from ``source`` in ``chat_key``."""
        row = self._one(
            "SELECT last_message_id FROM collect_cursors WHERE source = ? AND chat_key = ?",
            (source, chat_key),
        )
        return None if row is None else int(row[0])

    def write_batch_with_cursor(
        self,
        batch: Sequence[Analysed],
        source_file_id: int | None,
        source: str,
        chat_key: str,
        last_id: int,
    ) -> BatchCounts:
        """``write_batch`` and the cursor move in one transaction (see write_batch)."""
        return self.write_batch(batch, source_file_id, (source, chat_key, last_id))

    def _move_cursor(self, source: str, chat_key: str, last_id: int) -> None:
        # The cursor never moves back: a re-read of older messages keeps it where it was.
        self._execute(
            self._q(
                "INSERT INTO collect_cursors (source, chat_key, last_message_id, "
                "updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (source, chat_key) DO UPDATE "
                "SET last_message_id = CASE WHEN excluded.last_message_id > "
                "collect_cursors.last_message_id THEN excluded.last_message_id "
                "ELSE collect_cursors.last_message_id END, updated_at = excluded.updated_at"
            ),
            (source, chat_key, last_id, self._ts(datetime.now(UTC))),
        )
