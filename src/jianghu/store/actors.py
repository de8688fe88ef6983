"""Actors in the store (both backends): the evidence the linker reads, the actor tables it
writes, analysts' decisions and the audit log."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from jianghu.analysis.entities import CONTACT_TYPES, WALLET_TYPES
from jianghu.intel.actors import Use
from jianghu.store.base import Store
from jianghu.store.rows import list_has
from jianghu.store.textsafe import storable

IDENTIFIER_TYPES = (*CONTACT_TYPES, *WALLET_TYPES)
# Sellers and recruiters post their own contacts; a buyer's request often names the seller
# it wants to reach, so buy messages are not evidence of whose contact it is.
_OWN_CONTACT_INTENTS = ("sell", "recruit")


@dataclass(frozen=True)
class Account:
    id: int
    platform: str
    key: str
    display_name: str | None
    handle: str | None


def accounts(store: Store) -> list[Account]:
    return [
        Account(int(r[0]), r[1], r[2], r[3], r[4])
        for r in store._all(
            "SELECT id, platform, key, display_name, handle FROM authors ORDER BY id"
        )
    ]


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" * len(values))


_LAST_ID = (1 << 63) - 1


def _ids_between(column: str, after: int, upto: int | None) -> tuple[str, list[int]]:
    """``after < column <= upto``: one slice of the store's message ids (a cluster's
    worker reads one slice at a time; the whole store is 0 < id)."""
    return f"{column} > ? AND {column} <= ?", [after, _LAST_ID if upto is None else upto]


# A Telegram handle is the poster's own contact when a contact word comes just before it
# (飞机@me, 联系@me, 私聊 @me); a bare @name in an escrow notice or a vouch names
# someone else. QQ, WeChat and phone numbers need such a cue to be extracted at all.
_HANDLE_CUES = re.compile(
    r"(飞机|飛機|✈|tg|telegram|电报|電報|联系|聯繫|联络|私聊|私信|私|认准|認準|咨询|客服|找|加|"
    r"contact|dm|pm)\W{0,3}$",
    re.IGNORECASE,
)


def _own_handle(text: str, start: int) -> bool:
    return bool(_HANDLE_CUES.search(text[max(0, start - 12) : start]))


def identifier_uses(store: Store, after: int = 0, upto: int | None = None) -> list[Use]:
    """Contacts and wallets each account posted as its own in its ads (sell or recruit;
    not in exposures of others, not in messages forwarded from someone else), in message
    and position order (of the messages ``after < id <= upto``)."""
    not_exposure, exposure = list_has("a.categories", "scam_report", negate=True)
    between, bounds = _ids_between("m.id", after, upto)
    rows = store._all(
        "SELECT m.author_id, e.type, e.normalized, m.id, m.posted_at, e.start_pos, "
        "CASE WHEN e.type = 'telegram_handle' THEN m.text ELSE '' END "
        "FROM message_entities e JOIN messages m ON m.id = e.message_id "
        "JOIN message_analysis a ON a.message_id = m.id "
        f"WHERE m.author_id IS NOT NULL AND a.intent IN ({_marks(_OWN_CONTACT_INTENTS)}) "
        "AND m.forwarded_from IS NULL AND m.forwarded_from_id IS NULL "
        f"AND {not_exposure} AND e.type IN ({_marks(IDENTIFIER_TYPES)}) AND {between} "
        "ORDER BY m.id, e.start_pos, e.type",
        [*_OWN_CONTACT_INTENTS, exposure, *IDENTIFIER_TYPES, *bounds],
    )
    return [
        Use(int(r[0]), r[1], r[2], int(r[3]), store._read_ts(r[4]))
        for r in rows
        if r[1] != "telegram_handle" or _own_handle(r[6], int(r[5]))
    ]


def offer_uses(store: Store, after: int = 0, upto: int | None = None) -> list[Use]:
    """Accounts that posted the same offer (built by ``jianghu offers build``)."""
    between, bounds = _ids_between("s.message_id", after, upto)
    rows = store._all(
        "SELECT m.author_id, s.offer_id, m.id, m.posted_at FROM offer_sightings s "
        f"JOIN messages m ON m.id = s.message_id WHERE m.author_id IS NOT NULL AND {between} "
        "ORDER BY m.id",
        bounds,
    )
    return [Use(int(r[0]), "offer", str(r[1]), int(r[2]), store._read_ts(r[3])) for r in rows]


def forward_uses(store: Store, after: int = 0, upto: int | None = None) -> list[Use]:
    """An account forwarding another account's messages: both share the original's key."""
    between, bounds = _ids_between("m.id", after, upto)
    rows = store._all(
        "SELECT m.author_id, au.id, m.id, m.posted_at FROM messages m "
        "JOIN authors au ON au.platform = m.platform AND au.key = m.forwarded_from_id "
        "WHERE m.forwarded_from_id IS NOT NULL AND m.author_id IS NOT NULL "
        f"AND m.author_id <> au.id AND {between} ORDER BY m.id",
        bounds,
    )
    out = []
    for r in rows:
        at = store._read_ts(r[3])
        out.append(Use(int(r[0]), "forward", str(r[1]), int(r[2]), at))
        out.append(Use(int(r[1]), "forward", str(r[1]), int(r[2]), at))
    return out


@dataclass(frozen=True)
class MentionRow:
    type: str
    normalized: str
    message_id: int
    author_id: int | None
    channel: str
    posted_at: datetime
    text: str
    categories: tuple[str, ...]


_MENTION = (
    "SELECT e.type, e.normalized, m.id, m.author_id, coalesce(c.name, c.key), "
    "m.posted_at, m.text, coalesce(a.categories, '') FROM message_entities e "
    "JOIN messages m ON m.id = e.message_id JOIN channels c ON c.id = m.channel_id "
    "LEFT JOIN message_analysis a ON a.message_id = m.id "
)


def _mention(store: Store, r: Sequence[Any]) -> MentionRow:
    return MentionRow(
        r[0],
        r[1],
        int(r[2]),
        None if r[3] is None else int(r[3]),
        r[4],
        store._read_ts(r[5]),
        r[6],
        tuple(c for c in r[7].split(",") if c),
    )


def identifier_mentions(
    store: Store, wanted: Sequence[tuple[str, str]], chunk: int = 400
) -> list[MentionRow]:
    """Every message naming one of the ``wanted`` (type, normalised value) identifiers, with
    what the classifier said of it. Asked for by value, so that only messages that can
    matter to someone's reputation are read."""
    return [m for part in iter_identifier_mentions(store, wanted, chunk) for m in part]


def iter_identifier_mentions(
    store: Store, wanted: Sequence[tuple[str, str]], chunk: int = 400
) -> Iterator[list[MentionRow]]:
    """``identifier_mentions`` a query at a time (by type, then ``chunk`` values; each
    in message order), so that a caller can keep what it needs of their texts only."""
    by_type: dict[str, list[str]] = {}
    for kind, value in wanted:
        by_type.setdefault(kind, []).append(value)
    for kind, values in sorted(by_type.items()):
        for start in range(0, len(values), chunk):
            part = values[start : start + chunk]
            rows = store._all(
                _MENTION + f"WHERE e.type = ? AND e.normalized IN ({_marks(part)}) ORDER BY m.id",
                [kind, *part],
            )
            yield [_mention(store, r) for r in rows]


def identifier_mentions_between(
    store: Store, wanted: AbstractSet[tuple[str, str]], after: int, upto: int
) -> list[MentionRow]:
    """``identifier_mentions`` in the messages ``after < id <= upto``, in message order.
    Read by message id (one slice of the entity table's primary key, filtered here) rather
    than by value: each of a cluster's slices would otherwise search every wanted value."""
    types = sorted({kind for kind, _ in wanted})
    if not types:
        return []
    between, bounds = _ids_between("message_id", after, upto)
    hits = sorted(
        {
            int(r[0])
            for r in store._all(
                "SELECT message_id, type, normalized FROM message_entities "
                f"WHERE {between} AND type IN ({_marks(types)})",
                [*bounds, *types],
            )
            if (r[1], r[2]) in wanted
        }
    )
    out: list[MentionRow] = []
    for start in range(0, len(hits), 500):
        part = hits[start : start + 500]
        rows = store._all(
            _MENTION + f"WHERE e.message_id IN ({_marks(part)}) AND e.type IN ({_marks(types)})",
            [*part, *types],
        )
        found = (_mention(store, r) for r in rows)
        out.extend(m for m in found if (m.type, m.normalized) in wanted)
    return sorted(out, key=lambda m: m.message_id)


@dataclass
class AccountActivity:
    first: datetime
    last: datetime
    messages: int = 0
    channels: set[int] = field(default_factory=set)
    weeks: dict[str, int] = field(default_factory=dict)  # ISO week → messages
    languages: dict[str, int] = field(default_factory=dict)
    categories: dict[str, int] = field(default_factory=dict)


def activity(store: Store, after: int = 0, upto: int | None = None) -> dict[int, AccountActivity]:
    """Each account's messages, channels, weeks, languages and categories. Read in
    message order: the tables keep the order in which things were first seen (a profile
    lists them so, and a tie of categories goes to the one seen first)."""
    out: dict[int, AccountActivity] = {}
    between, bounds = _ids_between("m.id", after, upto)
    rows = store._all(
        "SELECT m.author_id, m.channel_id, m.posted_at, coalesce(a.language, ''), "
        "coalesce(a.categories, '') FROM messages m "
        "LEFT JOIN message_analysis a ON a.message_id = m.id "
        f"WHERE m.kind = 'message' AND m.author_id IS NOT NULL AND {between} ORDER BY m.id",
        bounds,
    )
    for r in rows:
        aid, at = int(r[0]), store._read_ts(r[2])
        act = out.get(aid)
        if act is None:
            act = out[aid] = AccountActivity(at, at)
        act.first, act.last = min(act.first, at), max(act.last, at)
        act.messages += 1
        act.channels.add(int(r[1]))
        year, week, _ = at.isocalendar()
        key = f"{year}-W{week:02d}"
        act.weeks[key] = act.weeks.get(key, 0) + 1
        if r[3]:
            act.languages[r[3]] = act.languages.get(r[3], 0) + 1
        for cat in (c for c in r[4].split(",") if c):
            act.categories[cat] = act.categories.get(cat, 0) + 1
    return out


def deposit_claims(store: Store, after: int = 0, upto: int | None = None) -> dict[int, list[int]]:
    """Own messages in which an account says it paid a deposit (押金, 上押, 保证金 …)."""
    out: dict[int, list[int]] = {}
    words = ("押金", "上押", "已押", "保证金", "deposit")
    cond = " OR ".join("m.text LIKE ?" for _ in words)
    between, bounds = _ids_between("m.id", after, upto)
    for r in store._all(
        "SELECT m.author_id, m.id FROM messages m "
        f"WHERE m.author_id IS NOT NULL AND {between} AND ({cond}) ORDER BY m.id",
        [*bounds, *(f"%{w}%" for w in words)],
    ):
        out.setdefault(int(r[0]), []).append(int(r[1]))
    return out


def names_over_time(store: Store) -> dict[int, list[tuple[str, datetime, datetime]]]:
    out: dict[int, list[tuple[str, datetime, datetime]]] = {}
    for r in store._all(
        "SELECT author_id, name, first_seen, last_seen FROM author_names "
        "ORDER BY first_seen, author_id, name"
    ):
        out.setdefault(int(r[0]), []).append((r[1], store._read_ts(r[2]), store._read_ts(r[3])))
    return out


OfferOfAuthor = tuple[int, str, str, str, float | None, str | None]


def offers_by_author(store: Store) -> dict[int, list[OfferOfAuthor]]:
    """(offer id, categories, item, regions, price, unit) of the offers each account
    posted."""
    out: dict[int, list[OfferOfAuthor]] = {}
    for r in store._all(
        "SELECT DISTINCT m.author_id, o.id, o.categories, o.item, o.regions, o.price_usd, "
        "o.price_unit FROM offer_sightings s JOIN messages m ON m.id = s.message_id "
        "JOIN offers o ON o.id = s.offer_id WHERE m.author_id IS NOT NULL "
        "ORDER BY m.author_id, o.id"
    ):
        out.setdefault(int(r[0]), []).append((int(r[1]), r[2], r[3], r[4], r[5], r[6]))
    return out


def offer_price_spreads(store: Store) -> dict[int, float]:
    """Relative spread (max − min) / min of each offer's US-dollar prices."""
    out: dict[int, float] = {}
    for r in store._all("SELECT id, details FROM offers"):
        values = [p["usd"] for p in orjson.loads(r[1]).get("prices", []) if p.get("usd")]
        if len(values) >= 2 and min(values) > 0:
            out[int(r[0])] = (max(values) - min(values)) / min(values)
    return out


# ---- writing ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ActorRow:
    id: int
    name: str
    account_ids: tuple[int, ...]
    reputation: int
    messages: int
    first_seen: datetime
    last_seen: datetime
    categories: tuple[str, ...]
    profile: dict[str, Any]
    factors: list[dict[str, Any]]

    def summary_json(self) -> dict[str, Any]:
        """The fields every listing shows (the CLI adds the profile, the web a link)."""
        return {
            "id": self.id,
            "name": self.name,
            "reputation": self.reputation,
            "accounts": len(self.account_ids),
            "messages": self.messages,
            "first_seen": self.first_seen.isoformat(),
            "last_seen": self.last_seen.isoformat(),
            "categories": list(self.categories),
        }


ORDERS = {
    "activity": "messages DESC, id",
    "reputation": "reputation DESC, messages DESC, id",
    "reputation_asc": "reputation ASC, messages DESC, id",
}


def replace_actors(store: Store, actors: Sequence[ActorRow]) -> None:
    now = store._ts(datetime.now(UTC))
    with store._transaction():
        store._execute("DELETE FROM actor_accounts")
        store._execute("DELETE FROM actors")
        store._executemany(
            store._q(
                "INSERT INTO actors (id, name, accounts, reputation, messages, first_seen, "
                "last_seen, categories, profile, factors, built_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            ),
            [
                (
                    a.id,
                    storable(a.name),
                    len(a.account_ids),
                    a.reputation,
                    a.messages,
                    store._ts(a.first_seen),
                    store._ts(a.last_seen),
                    ",".join(a.categories),
                    orjson.dumps(a.profile).decode(),
                    orjson.dumps(a.factors).decode(),
                    now,
                )
                for a in actors
            ],
        )
        store._executemany(
            store._q("INSERT INTO actor_accounts (author_id, actor_id) VALUES (?, ?)"),
            [(acc, a.id) for a in actors for acc in a.account_ids],
        )


_COLUMNS = (
    "id, name, accounts, reputation, messages, first_seen, last_seen, categories, profile, factors"
)


def _actor(store: Store, r: Sequence[Any]) -> ActorRow:
    profile = orjson.loads(r[8])
    return ActorRow(
        int(r[0]),
        r[1],
        tuple(a["id"] for a in profile.get("accounts", [])),
        int(r[3]),
        int(r[4]),
        store._read_ts(r[5]),
        store._read_ts(r[6]),
        tuple(c for c in r[7].split(",") if c),
        profile,
        orjson.loads(r[9]),
    )


def list_actors(
    store: Store,
    category: str | None = None,
    min_reputation: int | None = None,
    max_reputation: int | None = None,
    limit: int = 50,
    order: str = "activity",
    offset: int = 0,
) -> list[ActorRow]:
    conds: list[str] = []
    params: list[object] = []
    if category is not None:
        cond, param = list_has("categories", category)
        conds.append(cond)
        params.append(param)
    if min_reputation is not None:
        conds.append("reputation >= ?")
        params.append(min_reputation)
    if max_reputation is not None:
        conds.append("reputation <= ?")
        params.append(max_reputation)
    where = f"WHERE {' AND '.join(conds)}" if conds else ""
    rows = store._all(
        f"SELECT {_COLUMNS} FROM actors {where} ORDER BY {ORDERS[order]} LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return [_actor(store, r) for r in rows]


def get_actor(store: Store, actor_id: int) -> ActorRow | None:
    rows = store._all(f"SELECT {_COLUMNS} FROM actors WHERE id = ?", (actor_id,))
    return _actor(store, rows[0]) if rows else None


def actors_by_id(store: Store, ids: Sequence[int]) -> dict[int, ActorRow]:
    """The actors with these ids, in the order of ``ids``, read 500 at a time."""
    out: dict[int, ActorRow] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ", ".join("?" * len(chunk))
        for r in store._all(f"SELECT {_COLUMNS} FROM actors WHERE id IN ({marks})", chunk):
            out[int(r[0])] = _actor(store, r)
    return {i: out[i] for i in ids if i in out}


def actor_of_account(store: Store, author_id: int) -> int | None:
    row = store._one("SELECT actor_id FROM actor_accounts WHERE author_id = ?", (author_id,))
    return None if row is None else int(row[0])


def decisions(store: Store) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(joins, splits) recorded by analysts, oldest first; a later decision about the
    same pair replaces an earlier one."""
    latest: dict[tuple[int, int], str] = {}
    for r in store._all("SELECT kind, author_a, author_b FROM actor_decisions ORDER BY id"):
        a, b = sorted((int(r[1]), int(r[2])))
        latest[(a, b)] = r[0]
    joins = [p for p, k in latest.items() if k == "join"]
    splits = [p for p, k in latest.items() if k == "split"]
    return joins, splits


def record_decision(store: Store, kind: str, a: int, b: int, who: str, note: str) -> None:
    now = store._ts(datetime.now(UTC))
    with store._transaction():
        store._execute(
            store._q(
                "INSERT INTO actor_decisions (kind, author_a, author_b, who, at, note) "
                "VALUES (?, ?, ?, ?, ?, ?)"
            ),
            (kind, a, b, storable(who), now, storable(note)),
        )
        store._execute(
            store._q("INSERT INTO audit_log (at, who, action, detail) VALUES (?, ?, ?, ?)"),
            (
                now,
                storable(who),
                f"actor_{kind}",
                orjson.dumps({"accounts": [a, b], "note": note}).decode(),
            ),
        )
