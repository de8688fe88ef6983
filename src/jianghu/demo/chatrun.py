"""A group, supergroup or channel: who posts what (ads, questions, small talk, forwards,
rules, terminal pastes), replies, media and the service events around them.

Ids follow Telegram: channels and supergroups number their own messages from 1; a basic
group takes ids from the account-wide counter (so they start high and skip); a supergroup
upgraded from a basic group first shows that group's history with ids shifted by
-1,000,000,000.
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator

from . import phrasebook as pb
from . import tdjson as tj
from .cast import ChatSpec
from .render import Rendered, chatter
from .run import NO_TEXT, Event, Run
from .world import Shared

SERVICE_RATE = 0.012
MIGRATION_SHIFT = 1_000_000_000
INTENTS = ("sell", "buy", "recruit", "other")
REPLY_CHANCE = {"sell": 0.0, "buy": 0.05, "recruit": 0.0, "other": 0.15}
EDIT_CHANCE = {"sell": 0.06, "buy": 0.01, "recruit": 0.01, "other": 0.01}
# Messages placed at fixed positions so that even a small demo has every quirk.
SPECIALS = {"lounge": {3: "deleted"}, "tech": {5: "paste0", 9: "paste2"}}
_EMPTY = Rendered(NO_TEXT, 0)


class ChatRun(Run):
    """A group, supergroup or channel."""

    def __init__(self, shared: Shared, spec: ChatSpec, count: int) -> None:
        super().__init__(shared, spec.key, count, spec.type == "private_group")
        self.spec = spec
        self.is_channel = spec.is_channel
        self.title: str | None = spec.name
        self.chat_id = spec.id
        self.members = self.rng.sample(shared.bystanders, 60 if spec.key == "lounge" else 100)
        self.member_from = [shared.user("from", a) for a in self.members]
        self.admin = self.members[0]
        self.pools = shared.pools[spec.key]
        kinds = [(k, w) for k, w in spec.kinds if k not in INTENTS or self.pools.get(k)]
        self.kinds = [k for k, _ in kinds]
        self.cum_weights = list(itertools.accumulate(w for _, w in kinds))
        self.channel = shared.who("from", spec.name, f"channel{spec.id}")
        self.specials = SPECIALS.get(spec.key, {})
        self.long_chat = 0.35 if spec.key == "lounge" else 0.2
        self.pending_pin: int | None = None

    def events(self) -> Iterator[Event]:
        yield from self._opening()
        while self.written < self.count:
            if self.pending_pin is not None:
                yield self._pin(self.pending_pin)
                self.pending_pin = None
            elif self.rand() < SERVICE_RATE:
                yield self._membership()
            yield self._one()

    # --- service events ---------------------------------------------------------------

    def _actor(self) -> bytes:
        if self.spec.is_channel:
            return self.s.who("actor", self.spec.name, f"channel{self.spec.id}")
        return self.s.user("actor", self.admin)

    def _names(self, k: int) -> bytes:
        picked = self.rng.sample(self.members[1:], k)
        return tj.field("members") + tj.string_list([str(a.name) for a in picked])

    def _opening(self) -> Iterator[Event]:
        title = tj.field("title")
        if self.spec.migrated_from is not None:
            yield from self._pre_migration(self.spec.migrated_from)
        elif self.spec.type == "private_group":
            yield self._service(
                self._actor(), "create_group", title + tj.js(self.spec.name), self._names(3)
            )
        else:
            yield self._service(self._actor(), "create_channel", title + tj.js(self.spec.name))

    def _pre_migration(self, old_title: str) -> Iterator[Event]:
        """The basic group's history, then the upgrade, as a supergroup export shows it."""
        title = tj.field("title") + tj.js(old_title)
        self.per_account, self.shift = True, -MIGRATION_SHIFT
        self.next_id = self.rng.randint(20_000, 60_000)
        yield self._service(self._actor(), "create_group", title, self._names(4))
        for _ in range(min(self.count, max(3, min(60, self.count // 20)))):
            yield self._one()
        yield self._service(self._actor(), "migrate_to_supergroup")
        self.per_account, self.shift, self.next_id = False, 0, 1
        self.recent.clear()  # replies and pins stay on their side of the upgrade
        self.pending_pin = None
        yield self._service(self._actor(), "migrate_from_group", title)

    def _pin(self, message_id: int) -> Event:
        pinned = tj.field("message_id") + str(message_id).encode()
        return self._service(self._actor(), "pin_message", pinned)

    def _membership(self) -> Event:
        if self.spec.is_channel:
            return self._pin(self.pick(self.recent) if self.recent else 1)
        roll = self.rand()
        if roll < 0.6:
            joiner = self.s.user("actor", self.pick(self.members))
            inviter = tj.field("inviter") + tj.js(str(self.admin.name))
            return self._service(joiner, "join_group_by_link", inviter)
        if roll < 0.85:
            invited = self._names(self.rng.randint(1, 3))
            return self._service(self._actor(), "invite_members", invited)
        return self._service(self._actor(), "remove_members", self._names(1))

    # --- messages -----------------------------------------------------------------------

    def _one(self) -> Event:
        special = self.specials.get(self.written)
        if special == "deleted":
            return self._chat(self.s.user("from", self.s.deleted))
        if special is not None:
            return self._paste(int(special[-1]))
        kind = self.kinds[bisect.bisect(self.cum_weights, self.rand() * self.cum_weights[-1])]
        if kind == "chat":
            if self.rand() < 0.003:
                return self._chat(self.s.user("from", self.s.deleted))
            return self._chat(self.pick(self.member_from))
        if kind == "forward":
            return self._forward()
        if kind == "rules":
            post = self.s.fixed(self.pick(pb.CHAT_RULES))
            event = self._message(self._poster(self.s.user("from", self.admin)), post)
            self.pending_pin = self.recent[-1]
            return event
        if kind == "paste":
            return self._paste(int(self.rand() * len(pb.TECH_PASTES)))
        return self._offer(kind)

    def _poster(self, who: bytes) -> bytes:
        return self.channel if self.is_channel else who

    def _chat(self, who: bytes) -> Event:
        post, media = chatter(self.rng, self.long_chat), None
        if self.rand() < 0.02:
            media = self.pick(self.s.photos)
            post = _EMPTY if self.rand() < 0.5 else post
        return self._message(who, post, reply=self._reply(0.25), media=media, edit_p=0.01)

    def _paste(self, index: int) -> Event:
        post = self.s.fixed(pb.TECH_PASTES[index])
        return self._message(self.pick(self.member_from), post)

    def _offer(self, intent: str) -> Event:
        offer = self.pick(self.pools[intent])
        cache = self.s.cache
        post = cache.get(offer, int(self.rand() * cache.variants))
        if offer.poster is not None:
            who = self.pick(self.s.posters(offer.poster))
        else:
            who = self.pick(self.member_from)
        extra = None
        if self.spec.key == "board" and self.rand() < 0.3:
            extra = self.pick(self.s.authors)
        media = None
        if self.rand() < (0.3 if offer.template.market == "scam_report" else 0.08):
            media = self.pick(self.s.photos)
        elif self.spec.key == "data" and intent == "sell" and self.rand() < 0.03:
            media = self.pick(self.s.documents)
        reply = None if self.is_channel else self._reply(REPLY_CHANCE[intent])
        return self._message(
            self._poster(who),
            post,
            reply=reply,
            extra=extra,
            media=media,
            edit_p=EDIT_CHANCE[intent],
        )

    def _forward(self) -> Event:
        offers, with_id, named = self.pick(self.s.forwards)
        offer = self.pick(offers)
        post = self.s.cache.get(offer, int(self.rand() * self.s.cache.variants))
        roll = self.rand()
        if roll < 0.6:
            header = with_id
        elif roll < 0.85:
            header = named  # exports from before forwarded_from_id existed
        else:  # the original sender hides their account: a name and no id
            header = tj.field("forwarded_from") + tj.js(offer.subject.accounts[0].name or "")
        return self._message(self.pick(self.member_from), post, extra=header)
