"""Actors: the person or crew behind one or more accounts, linked by evidence.

Pure functions over *sightings of identifiers*: an account posted a contact handle, a
wallet, a phone, QQ, WeChat or e-mail as its own (in its offers, not in exposures of
others), an account posted an ad that another account also posted (the same offer), an
account forwarded another's messages. Accounts are platform ids (never names), so a
renamed account stays one account.

Rules, each with its reason:
- A link records which identifier, in which messages, and a strength by kind
  (wallets and phones outrank handles; shared ads or a forward are weaker). Shared ads link
  two accounts only when they post at least ``SHARED_ADS`` of the same ads with the same
  contacts or none: one copied ad is common, a copied catalogue is not.
- A *hub* (an identifier used by more than ``HUB_ACCOUNTS`` accounts: an escrow bot, a
  group admin, an exchange address, an aggregator reposting everyone's ads) links nobody.
- A *username* links two accounts only while both were seen with it: usernames are sold
  and reassigned, so @x used by A in March and by B in June is two owners, not one actor.
- *Lookalike* handles (l/I/1, 0/o, extra underscores) are flagged as possible
  impersonation and never merged.
- An analyst's decisions win: ``join`` links two accounts, ``split`` keeps them apart
  whatever the evidence, on every rebuild.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

HUB_ACCOUNTS = 5  # an identifier shared by more accounts than this is a hub
HANDLE_GAP = timedelta(days=14)  # a handle is one owner's while uses are this close
STRENGTH = {
    "btc_address": 0.95, "eth_address": 0.95, "tron_address": 0.95, "xmr_address": 0.95,
    "ltc_address": 0.95, "phone": 0.9, "email": 0.9, "qq": 0.85, "wechat": 0.85,
    "telegram_handle": 0.8, "telegram_invite": 0.6, "contact": 0.7, "offer": 0.6,
    "forward": 0.5,
}  # fmt: skip
HANDLE_KINDS = ("telegram_handle",)


@dataclass(frozen=True)
class Use:
    """One account seen with one identifier in one message."""

    account: int
    kind: str  # an entity type, "offer" or "forward"
    key: str  # the identifier's normalised value (offer id, forwarded account …)
    message_id: int
    at: datetime


@dataclass
class Link:
    a: int
    b: int
    kind: str
    key: str
    strength: float
    message_ids: list[int]


@dataclass
class Flag:
    kind: str  # hub, reassigned_handle, lookalike
    key: str
    accounts: list[int]
    detail: str


@dataclass
class Linking:
    actor_of: dict[int, int]  # account → actor id (its smallest account id)
    links: list[Link] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)


_LOOK = str.maketrans({"1": "l", "i": "l", "|": "l", "0": "o", "5": "s", "_": "", ".": ""})
_REPEAT = re.compile(r"(.)\1+")


def lookalike_key(handle: str) -> str:
    """What a handle looks like at a glance: l/I/1 and 0/o read alike, underscores and
    doubled letters vanish (``@card_king`` ~ ``@cardking`` ~ ``@card_klng``)."""
    return _REPEAT.sub(r"\1", handle.lower().translate(_LOOK))


class _Components:
    def __init__(self, accounts: Iterable[int]) -> None:
        self.parent = {a: a for a in accounts}
        self.members = {a: {a} for a in self.parent}

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int, apart: set[tuple[int, int]]) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        left, right = self.members[ra], self.members[rb]
        if apart and any((x, y) in apart or (y, x) in apart for x in left for y in right):
            return False  # an analyst split these accounts
        keep, gone = (ra, rb) if ra < rb else (rb, ra)
        self.parent[gone] = keep
        self.members[keep] |= self.members.pop(gone)
        return True


def _spans(uses: Sequence[Use]) -> dict[int, tuple[datetime, datetime]]:
    spans: dict[int, tuple[datetime, datetime]] = {}
    for u in uses:
        lo, hi = spans.get(u.account, (u.at, u.at))
        spans[u.account] = (min(lo, u.at), max(hi, u.at))
    return spans


def _overlap(x: tuple[datetime, datetime], y: tuple[datetime, datetime]) -> bool:
    return x[0] <= y[1] + HANDLE_GAP and y[0] <= x[1] + HANDLE_GAP


def link_accounts(
    accounts: Iterable[int],
    uses: Iterable[Use],
    joins: Sequence[tuple[int, int]] = (),
    splits: Sequence[tuple[int, int]] = (),
) -> Linking:
    """Group accounts into actors (see the module docstring)."""
    by_id: dict[tuple[str, str], list[Use]] = defaultdict(list)
    idents_of_message: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for u in uses:
        by_id[(u.kind, u.key)].append(u)
        if u.kind not in ("offer", "forward"):
            idents_of_message[u.message_id].add((u.kind, u.key))
    all_accounts = set(accounts) | {u.account for us in by_id.values() for u in us}
    comps = _Components(sorted(all_accounts))
    apart = {(a, b) for a, b in splits}
    result = Linking({})
    candidate_links: list[Link] = []
    for (kind, key), found in sorted(by_id.items()):
        owners = sorted({u.account for u in found})
        if len(owners) < 2:
            continue
        if len(owners) > HUB_ACCOUNTS:
            result.flags.append(Flag("hub", f"{kind}:{key}", owners,
                                     f"used by {len(owners)} accounts: links nobody"))  # fmt: skip
            continue
        spans = _spans(found)
        for i, a in enumerate(owners):
            for b in owners[i + 1 :]:
                if kind in HANDLE_KINDS and not _overlap(spans[a], spans[b]):
                    result.flags.append(Flag(
                        "reassigned_handle", f"{kind}:{key}", [a, b],
                        f"@{key} used by account {a} {spans[a][0]:%Y-%m-%d}–{spans[a][1]:%Y-%m-%d} "
                        f"and by account {b} {spans[b][0]:%Y-%m-%d}–{spans[b][1]:%Y-%m-%d}: "
                        "not the same owner",
                    ))  # fmt: skip
                    continue
                if kind == "offer" and _copied(found, a, b, idents_of_message):
                    continue
                ids = sorted({u.message_id for u in found if u.account in (a, b)})
                candidate_links.append(Link(a, b, kind, key, STRENGTH.get(kind, 0.5), ids))
    _flag_lookalikes(by_id, result)
    candidate_links = _corroborated_ads(candidate_links)
    candidate_links = _without_reposters(candidate_links, by_id, result)
    candidate_links = _without_aggregators(candidate_links, result)
    for a, b in joins:
        comps.parent.setdefault(a, a)
        comps.members.setdefault(a, {a})
        comps.parent.setdefault(b, b)
        comps.members.setdefault(b, {b})
        if comps.union(a, b, apart):
            result.links.append(Link(min(a, b), max(a, b), "analyst_join", "", 1.0, []))
    # Strongest evidence first, so that a split blocks the weaker chains, not the wallet.
    for link in sorted(candidate_links, key=lambda x: (-x.strength, x.kind, x.key, x.a, x.b)):
        if comps.union(link.a, link.b, apart):
            result.links.append(link)
    result.actor_of = {a: comps.find(a) for a in comps.parent}
    return result


SHARED_ADS = 2  # distinct ads two accounts must both post before the ads alone link them


def _corroborated_ads(links: list[Link]) -> list[Link]:
    """Keep shared-ad links only between accounts that post several of the same ads:
    sellers copy a good ad's text, but rarely a second and a third one too."""
    ads: dict[tuple[int, int], list[Link]] = defaultdict(list)
    for link in links:
        if link.kind == "offer":
            ads[(link.a, link.b)].append(link)
    out = [x for x in links if x.kind != "offer"]
    for pair in sorted(ads):
        if len(ads[pair]) >= SHARED_ADS:
            out.append(Link(pair[0], pair[1], "offer", ",".join(x.key for x in ads[pair]),
                            STRENGTH["offer"],
                            sorted({m for x in ads[pair] for m in x.message_ids})))  # fmt: skip
    return out


def _copied(
    found: list[Use], a: int, b: int, idents_of_message: dict[int, set[tuple[str, str]]]
) -> bool:
    """Two accounts posting the same ad with different contacts: one copied the other's
    text (sellers do), which says nothing about who they are."""
    mine = set().union(*(idents_of_message[u.message_id] for u in found if u.account == a))
    theirs = set().union(*(idents_of_message[u.message_id] for u in found if u.account == b))
    return bool(mine) and bool(theirs) and not (mine & theirs)


MANY_CONTACTS = 3  # distinct contacts of one kind an account may post as its own


def _without_reposters(
    links: list[Link], by_id: dict[tuple[str, str], list[Use]], result: Linking
) -> list[Link]:
    """Drop the links of accounts that post many different contacts of one kind as their
    own (three phone numbers, three WeChat ids …): a seller keeps one or two and a backup;
    a channel or reseller reposting other people's ads shows each of theirs."""
    kinds: dict[tuple[int, str], set[str]] = defaultdict(set)
    for (kind, key), found in by_id.items():
        if kind in ("offer", "forward"):
            continue
        for u in found:
            kinds[(u.account, kind)].add(key)
    reposters: dict[int, tuple[str, int]] = {}
    for (account, kind), keys in kinds.items():
        if len(keys) >= MANY_CONTACTS and len(keys) > reposters.get(account, ("", 0))[1]:
            reposters[account] = (kind, len(keys))
    for account, (kind, n) in sorted(reposters.items()):
        result.flags.append(Flag("aggregator", f"account:{account}", [account],
                                 f"posts {n} different {kind} contacts as its own: a reposter, "
                                 "links nobody"))  # fmt: skip
    return [x for x in links if not ({x.a, x.b} & set(reposters))]


STAR_GROUPS = 2  # an account joining this many otherwise separate groups is a reposter


def _without_aggregators(links: list[Link], result: Linking) -> list[Link]:
    """Drop the links of accounts at the centre of a star: a channel that reposts every
    seller's ads with their contacts (or a reseller) shares an identifier with each
    seller, but the sellers share nothing with one another. One person's accounts share
    the same identifiers among themselves, so they are not a star."""
    partners: dict[int, set[int]] = defaultdict(set)
    for link in links:
        partners[link.a].add(link.b)
        partners[link.b].add(link.a)
    hubs: set[int] = set()
    for a, others in partners.items():
        if len(others) < STAR_GROUPS:
            continue
        groups = _Components(others)
        for x in others:  # edges among the partners, from the adjacency sets
            for y in partners[x] & others:
                groups.union(x, y, set())
        count = len({groups.find(x) for x in others})
        if count >= STAR_GROUPS:
            hubs.add(a)
            result.flags.append(Flag(
                "aggregator", f"account:{a}", [a],
                f"shares identifiers or ads with {len(others)} accounts in {count} unrelated "
                "groups: a reposter, links nobody",
            ))  # fmt: skip
    return [x for x in links if not ({x.a, x.b} & hubs)]


def _flag_lookalikes(by_id: dict[tuple[str, str], list[Use]], result: Linking) -> None:
    looks: dict[str, list[str]] = defaultdict(list)
    for kind, key in by_id:
        if kind in HANDLE_KINDS:
            looks[lookalike_key(key)].append(key)
    for handles in looks.values():
        if len(handles) < 2:
            continue
        owners = sorted({u.account for h in handles for u in by_id[("telegram_handle", h)]})
        result.flags.append(Flag(
            "lookalike", "telegram_handle:" + "|".join(sorted(handles)), owners,
            "look-alike handles " + ", ".join(f"@{h}" for h in sorted(handles))
            + ": possible impersonation, not merged",
        ))  # fmt: skip
