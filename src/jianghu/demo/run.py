"""The timeline every exported chat shares: ids that go up, dates that go forward, and
messages serialised field by field in tdesktop's order (id, type, date, edited, from,
author/forwarded_from, reply, media, text).

This is the hot loop of a million-message run, so choices use ``rng.random()`` arithmetic
rather than ``rng.choice``, and names are serialised once, up front.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Iterator, Sequence
from typing import TypeVar

from . import tdjson as tj
from .cast import Account, ChatSpec
from .offers import dm_offers
from .render import Rendered
from .world import Shared

Event = tuple[bool, bytes, int]  # (is a service message, serialised message, text length)
_T = TypeVar("_T")

BASE_EPOCH = 1_772_323_200  # 2026-03-01T00:00:00Z: every date goes forward from here
SPAN_SECONDS = 90 * 86400  # a chat's history spans about three months, whatever its size

_ID = tj.field("id")
_TYPE_SERVICE = tj.field("type") + b'"service"'
_HEAD = b"{" + _ID + b"%d," + tj.field("type") + b'"message",%s'  # % (id, date fields)
_REPLY = tj.field("reply_to_message_id")
NO_TEXT = tj.plain_text_fields("")


class Run:
    """Id, clock and serialisation shared by group, channel and private chats."""

    def __init__(self, shared: Shared, key: str, count: int, per_account: bool) -> None:
        self.s = shared
        self.count = count
        self.rng = random.Random(f"{shared.seed}/chat/{key}")
        self.rand = self.rng.random
        self.t = BASE_EPOCH + self.rng.randint(0, 6 * 3600)
        self.mean_gap = min(6 * 3600.0, max(2.0, SPAN_SECONDS / max(count, 1)))
        self.per_account = per_account
        self.next_id = self.rng.randint(40_000, 90_000) if per_account else 1
        self.shift = 0
        self.recent: deque[int] = deque(maxlen=40)
        self.written = 0

    def pick(self, items: Sequence[_T]) -> _T:
        return items[int(self.rand() * len(items))]

    def _tick(self) -> None:
        # exponential gaps (a Poisson stream of posts), at least a second apart
        self.t += 1 + int(-math.log(1.0 - self.rand()) * self.mean_gap)

    def _take_id(self) -> int:
        mid = self.next_id
        # Account-wide counters advance with other chats' messages; deletions leave gaps.
        step = 1 + int(self.rand() * 6) if self.per_account else 1
        if self.rand() < 0.02:
            step += 1 + int(self.rand() * 4)
        self.next_id += step
        return mid + self.shift

    def _message(
        self,
        who: bytes,
        post: Rendered,
        *,
        reply: int | None = None,
        extra: bytes | None = None,
        media: bytes | None = None,
        edit_p: float = 0.0,
    ) -> Event:
        self._tick()
        mid = self._take_id()
        out = _HEAD % (mid, self.s.clock.fields(self.t))
        if edit_p and self.rand() < edit_p:
            out += b"," + self.s.edit_clock.fields(self.t + 30 + int(self.rand() * 7200))
        out += b"," + who
        if extra is not None:  # author, forwarded_from: written between from and reply
            out += b"," + extra
        if reply is not None:
            out += b"," + _REPLY + str(reply).encode()
        if media is not None:
            out += b"," + media
        self.recent.append(mid)
        self.written += 1
        return False, b"".join((out, b",", post.fields, tj.MESSAGE_CLOSE)), post.length

    def _service(self, actor: bytes, action: str, *details: bytes) -> Event:
        self._tick()
        mid = self._take_id()
        fields = [_ID + str(mid).encode(), _TYPE_SERVICE, self.s.clock.fields(self.t), actor]
        fields.append(tj.field("action") + tj.js(action))
        fields.extend(details)
        fields.append(NO_TEXT)
        return True, tj.message(fields), 0

    def _reply(self, chance: float) -> int | None:
        if chance and self.recent and self.rand() < chance:
            return self.pick(self.recent)
        return None


class DmRun(Run):
    """The exporting account's private chat with one seller: a deal, repeated days apart."""

    def __init__(self, shared: Shared, spec: ChatSpec, count: int) -> None:
        super().__init__(shared, spec.key, count, per_account=True)
        self.seller: Account = shared.dm_seller.accounts[0]
        self.title = self.seller.first_name  # tdesktop names a personal chat by first name
        self.chat_id = self.seller.user_id
        self.script = dm_offers(shared.dm_seller)
        self.gap = 0

    def _tick(self) -> None:
        self.t += self.gap

    def events(self) -> Iterator[Event]:
        me, seller = self.s.user("from", self.s.me), self.s.user("from", self.seller)
        step = 0
        while self.written < self.count:
            line = step % len(self.script)
            if step and not line:  # the next deal, a few days later
                self.gap = self.rng.randint(2, 6) * 86400
            else:
                self.gap = self.rng.randint(15, 900)
            speaker, offer = self.script[line]
            post = self.s.cache.get(offer, self.rng.randrange(self.s.cache.variants))
            media = self.s.photos[0] if speaker == "seller" and line == 13 else None
            yield self._message(me if speaker == "me" else seller, post, media=media)
            step += 1
