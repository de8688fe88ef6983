"""What the alerts and the audit log show, assembled from the store.

No FastAPI here: the API and the pages share these functions, and tests can call them.
Strings from the store come back as found (they are escaped where they are shown); the
victims' data in an alert (card, ID and phone numbers) comes back masked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from jianghu.faces.masking import mask_found, mask_text
from jianghu.intel.alerts import AlertRow, alert_context, list_alerts
from jianghu.store.analysts import audit_entries
from jianghu.store.base import Store
from jianghu.web.paging import page


def alert_counts(store: Store) -> dict[str, int]:
    counts = {"new": 0, "acknowledged": 0, "dismissed": 0}
    for status, n in store._all("SELECT status, count(*) FROM alerts GROUP BY status"):
        counts[str(status)] = int(n)
    return counts


@dataclass(frozen=True)
class AlertQuery:
    status: str | None = None
    severity: str | None = None
    rule: str | None = None
    since: datetime | None = None  # changed (new sighting or status) at or after
    alert_id: int | None = None
    limit: int = 50
    offset: int = 0


# Context keys an alert has even where the context is unknown (the message is gone).
_NO_CONTEXT = dict.fromkeys(
    ("channel", "platform", "author", "author_id", "actor_id", "actor_reputation", "offer_id")
)


def find_alerts(store: Store, q: AlertQuery) -> list[AlertRow]:
    """Alerts most recently changed first, read by ``intel.alerts.list_alerts`` with the
    filters and the offset the API needs."""
    return list_alerts(
        store,
        q.status,
        q.severity,
        q.limit,
        rule=q.rule,
        alert_id=q.alert_id,
        since=q.since,
        offset=q.offset,
    )


def alert_items(store: Store, alerts: Sequence[AlertRow]) -> list[dict[str, Any]]:
    """Each alert with where it was seen, its matched text and first message masked, and
    where the (masked) match sits in that text, for highlighting."""
    found = store.entities_of([a.first_message_id for a in alerts])
    context = alert_context(store, alerts)
    posted = _posted_at(store, [a.first_message_id for a in alerts])
    items = []
    for a in alerts:
        text = mask_text(a.first_text, [e.to_entity() for e in found.get(a.first_message_id, [])])
        matched = mask_found(a.matched)
        # Masking moves offsets, so the stored span is of no use: find the masked match.
        at = text.find(matched) if matched else -1
        cx = {k: v for k, v in context.get(a.id, {}).items() if k != "highlight"}
        items.append(
            {
                **a.to_json(matched, text),
                "posted_at": posted.get(a.first_message_id),
                "highlight": [at, at + len(matched)] if at >= 0 else None,
                **_NO_CONTEXT,
                **cx,
            }
        )
    return items


def _posted_at(store: Store, ids: Sequence[int]) -> dict[int, str]:
    """When each message was posted (ISO text), for the alerts' first messages."""
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    rows = store._all(f"SELECT id, posted_at FROM messages WHERE id IN ({marks})", list(ids))
    return {int(i): store._read_ts(at).isoformat() for i, at in rows}


def excerpt(
    text: str, span: Sequence[int] | None, reach: int = 160
) -> tuple[str, tuple[int, int] | None]:
    """The part of ``text`` around ``span`` (a page lists many alerts, and one message
    may be 100,000 characters), and where the span is in that part."""
    start, end = (span[0], span[1]) if span else (0, 0)
    left, right = max(0, start - reach), min(len(text), end + reach)
    if not span:
        right = min(len(text), 2 * reach)
    head, tail = ("…" if left else ""), ("…" if right < len(text) else "")
    shown = head + text[left:right] + tail
    return shown, ((start - left + len(head), end - left + len(head)) if span else None)


def alerts_page(store: Store, q: AlertQuery) -> dict[str, Any]:
    """One page of alerts (the paging shape of every list)."""
    rows = find_alerts(store, replace(q, limit=q.limit + 1))  # one more: is there a next?
    return page(alert_items(store, rows[: q.limit]), q.limit, q.offset, len(rows) > q.limit)


def audit_page(store: Store, limit: int, offset: int) -> dict[str, Any]:
    """One page of the audit log, newest first."""
    entries = audit_entries(store, limit + 1, offset)
    return page([e.to_json() for e in entries[:limit]], limit, offset, len(entries) > limit)
