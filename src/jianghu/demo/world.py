"""What every chat run shares: the offers each chat draws from, the variant cache, media
placeholders, and peer names serialised once."""

from __future__ import annotations

import random

from . import tdjson as tj
from .cast import CHATS, Account, ChatSpec, Persona
from .offers import Offer
from .render import PostCache, Rendered, finish

_PHOTO_SIZES = ((1280, 960), (960, 1280), (1080, 1920), (720, 1280), (1280, 720), (800, 800))
_DOCUMENTS = (
    ("样本.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("数据样本.txt", "text/plain"),
    ("sample_0301.csv", "text/csv"),
    ("料子样本.zip", "application/zip"),
)
_AUTHORS = ("小编阿K", "发布员01", "值班客服")


def _fields(*pairs: tuple[str, bytes]) -> bytes:
    return b",".join(tj.field(key) + value for key, value in pairs)


def _photo(width: int, height: int) -> bytes:
    skipped = tj.js(tj.FILE_SKIPPED)
    return _fields(("photo", skipped), ("width", b"%d" % width), ("height", b"%d" % height))


def _document(name: str, mime: str, size: int) -> bytes:
    skipped = tj.js(tj.FILE_SKIPPED)
    named, typed = tj.js(name), tj.js(mime)
    return _fields(
        ("file", skipped), ("file_name", named), ("file_size", b"%d" % size), ("mime_type", typed)
    )


def _pools(spec: ChatSpec, offers: list[Offer]) -> dict[str, list[Offer]]:
    pools: dict[str, list[Offer]] = {}
    for offer in offers:
        if offer.template.market in spec.markets:
            pools.setdefault(offer.template.intent, []).append(offer)
    return pools


class Shared:
    """What every chat reads: the world, the variant cache, names serialised once."""

    def __init__(
        self,
        seed: int,
        bystanders: list[Account],
        offers: list[Offer],
        variants: int,
        me: Account,
        dm_seller: Persona,
        deleted: Account,
    ) -> None:
        self.seed = seed
        self.bystanders = bystanders
        self.cache = PostCache(seed, variants)
        self.clock, self.edit_clock = tj.Clock("date"), tj.Clock("edited")
        self.me, self.dm_seller, self.deleted = me, dm_seller, deleted
        self.pools = {spec.key: _pools(spec, offers) for spec in CHATS}
        rng = random.Random(f"{seed}/media")
        self.photos = [_photo(w, h) for w, h in _PHOTO_SIZES]
        self.documents = [_document(n, m, rng.randint(20_000, 9_000_000)) for n, m in _DOCUMENTS]
        self.authors = [tj.field("author") + tj.js(name) for name in _AUTHORS]
        self.forwards = [self._forward_source(key) for key in ("board", "board", "exposure")]
        self._who: dict[tuple[str, str], bytes] = {}
        self._fixed: dict[str, Rendered] = {}
        self._posters: dict[str, list[bytes]] = {}

    def _forward_source(self, key: str) -> tuple[list[Offer], bytes, bytes]:
        spec = next(s for s in CHATS if s.key == key)
        offers = [o for pool in self.pools[key].values() for o in pool]
        named = tj.field("forwarded_from") + tj.js(spec.name)
        with_id = named + b"," + tj.field("forwarded_from_id") + f'"channel{spec.id}"'.encode()
        return offers, with_id, named

    def who(self, label: str, name: str | None, peer: str) -> bytes:
        """``from``/``from_id`` (or ``actor``/``actor_id``) for one peer, cached."""
        key = (label, peer)
        chunk = self._who.get(key)
        if chunk is None:
            name_b = b"null" if name is None else tj.js(name)
            chunk = tj.field(label) + name_b + b"," + tj.field(label + "_id") + tj.js(peer)
            self._who[key] = chunk
        return chunk

    def user(self, label: str, account: Account) -> bytes:
        return self.who(label, account.name, f"user{account.user_id}")

    def posters(self, persona: Persona) -> list[bytes]:
        """``from`` chunks of each of a persona's accounts."""
        chunks = self._posters.get(persona.handle)
        if chunks is None:
            chunks = [self.user("from", account) for account in persona.accounts]
            self._posters[persona.handle] = chunks
        return chunks

    def fixed(self, text: str) -> Rendered:
        hit = self._fixed.get(text)
        if hit is None:
            hit = self._fixed[text] = finish(text)
        return hit
