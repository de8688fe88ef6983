"""Figures about people and trust: the most active and the most trusted actors, the
exposed scammers, and the escrow markets where trust is brokered."""

from __future__ import annotations

from collections import Counter, defaultdict

from jianghu.intel.reputation import ESCROW_CHANNEL
from jianghu.report.market import is_offer
from jianghu.report.model import Ref, Row, Section, Table
from jianghu.store.actors import ActorRow
from jianghu.store.selection import MessageRecord, Selection

TOP = 15
MIN_MESSAGES_TO_TRUST = 3  # one lucky post is not a track record
EXPOSURE_FACTORS = frozenset(
    {"exposures", "dispute verdicts", "exposure (one accuser, unsupported)"}
)
ESCROW_SHARE = 0.3  # a channel whose messages are this much escrow business is a market


def _factor_ids(actor: ActorRow, names: frozenset[str] | None = None) -> set[int]:
    return {
        int(i)
        for f in actor.factors
        if names is None or f.get("name") in names
        for i in f.get("message_ids", [])
    }


def _by_actor(sel: Selection) -> dict[int, list[MessageRecord]]:
    out: dict[int, list[MessageRecord]] = defaultdict(list)
    for m in sel.messages:
        if m.actor_id is not None:
            out[m.actor_id].append(m)
    return out


def _actor_cells(a: ActorRow, msgs: list[MessageRecord]) -> tuple[str, int, int, int, str]:
    cats = Counter(c for m in msgs for c in m.categories)
    offers = {m.offer_id for m in msgs if m.offer_id is not None}
    top = ", ".join(c for c, _ in cats.most_common(3))
    return a.name, len(a.account_ids), len(msgs), len(offers), top


def most_active(sel: Selection) -> Table:
    per = _by_actor(sel)
    ranked = sorted(
        (a for a in sel.actors.values() if per.get(a.id)),
        key=lambda a: (-sum(1 for m in per[a.id] if is_offer(m)), -len(per[a.id]), a.id),
    )[:TOP]
    rows = [
        Row(
            (a.id, *_actor_cells(a, per[a.id]), a.reputation),
            Ref.of(
                {m.offer_id for m in per[a.id] if m.offer_id is not None}, {m.id for m in per[a.id]}
            ),
        )
        for a in ranked
    ]
    return Table(
        "Most active actors (by offer messages in the window)",
        ("actor", "name", "accounts", "messages", "offers", "top categories", "reputation"),
        rows,
    )


def most_trusted(sel: Selection) -> Table:
    per = _by_actor(sel)
    ranked = sorted(
        (a for a in sel.actors.values() if len(per.get(a.id, [])) >= MIN_MESSAGES_TO_TRUST),
        key=lambda a: (-a.reputation, -len(per[a.id]), a.id),
    )[:TOP]
    rows = []
    for a in ranked:
        reasons = "; ".join(
            f"{f['name']} {float(f['points']):+g}" for f in a.factors if float(f["points"]) > 0
        )
        rows.append(
            Row(
                (a.id, *_actor_cells(a, per[a.id]), a.reputation, reasons),
                Ref.of(messages=_factor_ids(a)),
            )
        )
    return Table(
        "Most trusted actors",
        ("actor", "name", "accounts", "messages", "offers", "top categories", "reputation", "why"),
        rows,
        f"Actors with at least {MIN_MESSAGES_TO_TRUST} messages in the window; the evidence "
        "is the messages behind the reputation factors.",
    )


def exposed_scammers(sel: Selection) -> Table:
    exposed = []
    for a in sel.actors.values():
        ids = _factor_ids(a, EXPOSURE_FACTORS)
        if ids:
            exposed.append((a, ids))
    exposed.sort(key=lambda p: (p[0].reputation, -len(p[1]), p[0].id))
    rows = []
    for a, ids in exposed[: TOP * 2]:
        detail = "; ".join(
            str(f.get("detail", "")) for f in a.factors if f.get("name") in EXPOSURE_FACTORS
        )
        rows.append(
            Row(
                (a.id, a.name, len(a.account_ids), len(ids), detail, a.reputation),
                Ref.of(messages=ids),
            )
        )
    return Table(
        "Exposed scammers",
        ("actor", "name", "accounts", "exposures", "what was said", "reputation"),
        rows,
        "Actors named in scam exposures (曝光, 跑路, 黑吃黑 …) or escrow dispute verdicts, "
        "least trusted first.",
    )


def actors(sel: Selection) -> Section:
    return Section(
        "actors",
        "Actors: the most active, the most trusted, the exposed",
        "An actor is one person or crew behind one or more accounts (linked by shared "
        "contacts, wallets and ads). Reputation runs from 0 to 100; every factor cites "
        "its messages.",
        [most_active(sel), most_trusted(sel), exposed_scammers(sel)],
    )


def escrow_markets(sel: Selection) -> Section:
    per: dict[int, list[MessageRecord]] = defaultdict(list)
    for m in sel.messages:
        per[m.channel_id].append(m)
    rows = []
    for cid, msgs in sorted(per.items()):
        ch = sel.channels[cid]
        # An exposure names the escrow it went through; the market is where escrow is run.
        escrow = [
            m
            for m in msgs
            if "escrow_guarantee" in m.categories and "scam_report" not in m.categories
        ]
        named = bool(ESCROW_CHANNEL.search(ch.name or ""))
        if not named and len(escrow) < ESCROW_SHARE * len(msgs):
            continue
        exposures = [m for m in msgs if "scam_report" in m.categories]
        traders = {m.author_id for m in msgs if is_offer(m) and m.author_id is not None}
        rows.append(
            Row(
                (
                    ch.name or ch.key,
                    ch.platform,
                    len(msgs),
                    len(escrow),
                    len(exposures),
                    len(traders),
                    "channel name" if named else "share of escrow messages",
                ),
                Ref.of(messages={m.id for m in escrow} | {m.id for m in exposures}),
            )
        )
    rows.sort(key=lambda r: (-int(r.cells[3] or 0), str(r.cells[0])))
    return Section(
        "escrow",
        "Escrow markets",
        "Guarantee (担保) groups and public groups, where deposits are held and disputes "
        "ruled: a channel counts when its name says so or when at least "
        f"{ESCROW_SHARE:.0%} of its messages are escrow business.",
        [
            Table(
                "Escrow markets seen",
                (
                    "channel",
                    "platform",
                    "messages",
                    "escrow notices",
                    "exposures",
                    "traders",
                    "recognised by",
                ),
                rows,
            )
        ],
    )
