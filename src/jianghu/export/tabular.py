"""CSV and JSONL exports of messages, offers, actors and indicators.

One flat record per row with fixed columns, the same in both formats. Victims' data is
masked unless the analyst reveals it. In CSV every text cell that a spreadsheet would
run as a formula (one starting with =, +, -, @, a tab or a carriage return) gets a
leading apostrophe: criminals write these cells, and "=HYPERLINK(…)" in a seller's name
must stay text when an analyst opens the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from typing import Any

import orjson

from jianghu.faces.masking import mask_entity, mask_text
from jianghu.faces.safe_text import json_text
from jianghu.store.selection import Selection

KINDS = ("messages", "offers", "actors", "entities")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MASKED_CONTACTS = frozenset({"phone"})  # offer contacts that are victims' data


def neutralise(cell: object) -> object:
    """A cell as a spreadsheet must see it: text that would start a formula is quoted."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_START):
        return "'" + cell
    return cell


def _when(value: Any) -> str | None:
    return None if value is None else value.isoformat()


def message_rows(sel: Selection, reveal: bool) -> Iterator[dict[str, Any]]:
    for m in sel.messages:
        ch = sel.channels[m.channel_id]
        acc = sel.accounts.get(m.author_id) if m.author_id is not None else None
        ents = [e.to_entity() for e in sel.entities.get(m.id, [])]
        yield {
            "id": m.id,
            "platform": m.platform,
            "channel": ch.name or ch.key,
            "channel_platform_id": ch.platform_id,
            "message_id": m.message_id,
            "author": None if acc is None else (acc.display_name or acc.handle or acc.key),
            "author_handle": None if acc is None else acc.handle,
            "author_platform_id": None if acc is None else acc.platform_id,
            "actor_id": m.actor_id,
            "posted_at": _when(m.posted_at),
            "edited_at": _when(m.edited_at),
            "language": m.language,
            "intent": m.intent,
            "categories": ",".join(m.categories),
            "offer_id": m.offer_id,
            "text": m.text if reveal else mask_text(m.text, ents),
        }


def _contacts(items: list[dict[str, Any]], reveal: bool) -> str:
    shown = []
    for c in items:
        hidden = c.get("type") in _MASKED_CONTACTS and not reveal
        shown.append(f"{c.get('type')}:{'(masked)' if hidden else c.get('normalized')}")
    return " ".join(shown)


def offer_rows(sel: Selection, reveal: bool) -> Iterator[dict[str, Any]]:
    in_window = {m.id for m in sel.messages}
    for o in sorted(sel.offers.values(), key=lambda o: o.id):
        yield {
            "id": o.id,
            "categories": ",".join(o.categories),
            "intent": o.intent,
            "item": o.item,
            "regions": ",".join(o.regions),
            "summary": o.summary,
            "price_usd": o.price_usd,
            "price_unit": o.price_unit,
            "quantity": o.quantity,
            "first_seen": _when(o.first_seen),
            "last_seen": _when(o.last_seen),
            "sightings": o.sightings,
            "channels": o.channels,
            "authors": o.authors,
            "contacts": _contacts(o.details.get("contacts", []), reveal),
            "wallets": " ".join(
                f"{w.get('type')}:{w.get('normalized')}" for w in o.details.get("wallets", [])
            ),
            "message_ids": " ".join(str(i) for i in o.message_ids if i in in_window),
        }


def actor_rows(sel: Selection, reveal: bool) -> Iterator[dict[str, Any]]:
    del reveal  # an actor row holds no victims' data
    for a in sorted(sel.actors.values(), key=lambda a: a.id):
        accounts = a.profile.get("accounts", [])
        yield {
            "id": a.id,
            "name": a.name,
            "accounts": len(a.account_ids),
            "account_names": " | ".join(
                str(x.get("display_name") or x.get("handle") or x.get("key")) for x in accounts
            ),
            "handles": " ".join(str(x["handle"]) for x in accounts if x.get("handle")),
            "platforms": ",".join(a.profile.get("platforms", [])),
            "reputation": a.reputation,
            "messages": a.messages,
            "first_seen": _when(a.first_seen),
            "last_seen": _when(a.last_seen),
            "categories": ",".join(a.categories),
        }


def entity_rows(sel: Selection, reveal: bool) -> Iterator[dict[str, Any]]:
    for m in sel.messages:
        ch = sel.channels[m.channel_id]
        for stored in sel.entities.get(m.id, []):
            e = stored.to_entity()
            shown = e if reveal else mask_entity(e)
            yield {
                "message_id": m.id,
                "posted_at": _when(m.posted_at),
                "channel": ch.name or ch.key,
                "actor_id": m.actor_id,
                "type": shown.type,
                "value": shown.value,
                "normalized": shown.normalized,
                "start": shown.start,
                "end": shown.end,
                "attrs": orjson.dumps(shown.attrs, option=orjson.OPT_SORT_KEYS).decode(),
            }


_COLUMNS = {
    "messages": ("id", "platform", "channel", "channel_platform_id", "message_id", "author",
                 "author_handle", "author_platform_id", "actor_id", "posted_at", "edited_at",
                 "language", "intent", "categories", "offer_id", "text"),
    "offers": ("id", "categories", "intent", "item", "regions", "summary", "price_usd",
               "price_unit", "quantity", "first_seen", "last_seen", "sightings", "channels",
               "authors", "contacts", "wallets", "message_ids"),
    "actors": ("id", "name", "accounts", "account_names", "handles", "platforms", "reputation",
               "messages", "first_seen", "last_seen", "categories"),
    "entities": ("message_id", "posted_at", "channel", "actor_id", "type", "value",
                 "normalized", "start", "end", "attrs"),
}  # fmt: skip

ROWS: dict[str, Callable[[Selection, bool], Iterator[dict[str, Any]]]] = {
    "messages": message_rows,
    "offers": offer_rows,
    "actors": actor_rows,
    "entities": entity_rows,
}


def columns(kind: str) -> list[str]:
    """The columns of ``kind``, in order."""
    return list(_COLUMNS[kind])


def to_csv(kind: str, rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    """CSV text in chunks: the header (also when there are no rows), then one line per
    row, every cell neutralised."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns(kind), lineterminator="\r\n")
    writer.writeheader()
    yield buf.getvalue()
    buf.seek(0)
    buf.truncate()
    for row in rows:
        writer.writerow({k: neutralise(v) for k, v in row.items()})
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()


def to_jsonl(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    for row in rows:
        yield json_text(row) + "\n"
