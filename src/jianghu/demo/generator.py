"""Deterministic demo corpus: a Telegram Desktop full-account export (``result.json``) of
Chinese-language underground chats, streamed to disk one message at a time.

The same ``(messages, seed)`` always gives the same bytes: every random choice comes from
``random.Random`` instances seeded from ``seed`` (string seeds are hashed with SHA-512, not
with Python's randomised ``hash``), and dates count forward from a fixed base date.
Memory stays bounded: rendered ad variants are cached (offers x variants), messages are not.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..errors import ConfigError
from . import drama
from . import phrasebook as pb
from . import tdjson as tj
from .cast import (
    CHATS,
    DM_PERSONA,
    Account,
    ChatSpec,
    Persona,
    build_bystanders,
    build_personas,
)
from .chatrun import ChatRun
from .drama import DramaRun
from .offers import Offer, build_offers
from .run import DmRun, Event
from .world import Shared

PROGRESS_EVERY = 5_000


@dataclass(frozen=True)
class DemoSummary:
    """What :func:`write_demo_export` wrote."""

    path: Path
    messages: int  # messages of type "message" written
    service_messages: int  # messages of type "service" written
    chats: int
    bytes_written: int
    mean_text_length: float  # mean len() of the plain text of "message" messages


def _variants_for(messages: int) -> int:
    """Variants kept per ad: few for a small demo, more for a big one so that a million
    messages do not repeat a handful of texts (real ads repeat, but not that much)."""
    return max(3, min(24, messages // 2500 + 3))


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` by ``weights`` with the largest-remainder method (sums exactly)."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    counts = [int(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - shares[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _target(path: Path | str) -> Path:
    path = Path(path)
    if path.is_dir():
        return path / "result.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


class _Tally:
    """Counts what was written and reports progress now and then."""

    def __init__(self, progress: Callable[[int], None] | None) -> None:
        self.progress = progress
        self.messages = 0
        self.services = 0
        self.text_chars = 0
        self.reported = -1

    def add(self, event: Event) -> None:
        is_service, _blob, length = event
        if is_service:
            self.services += 1
            return
        self.messages += 1
        self.text_chars += length
        if self.messages % PROGRESS_EVERY == 0:
            self.report()

    def report(self) -> None:
        if self.progress is not None and self.reported != self.messages:
            self.progress(self.messages)
            self.reported = self.messages


def _write_chats(
    out: BinaryIO,
    shared: Shared,
    chats: list[tuple[ChatSpec, int]],
    tally: _Tally,
    cast: dict[str, Account],
) -> None:
    write = out.write
    for index, (spec, count) in enumerate(chats):
        run: ChatRun | DmRun | DramaRun
        if spec.key == drama.SPEC.key:
            run = DramaRun(shared, cast, count)
        elif spec.type == "personal_chat":
            run = DmRun(shared, spec, count)
        else:
            run = ChatRun(shared, spec, count)
        write(tj.chat_open(index == 0, run.title, spec.type, run.chat_id))
        first = True
        for event in run.events():
            write(tj.NEXT_ITEM if not first else tj.FIRST_ITEM)
            write(event[1])
            first = False
            tally.add(event)
        write(tj.chat_close())


def build_world(
    seed: int,
) -> tuple[list[Persona], list[Account], list[Offer], dict[str, Account]]:
    """Who is in the demo corpus: sellers and buyers with their accounts, bystanders, the
    offers, and the trust drama's cast — also the ground truth of ``eval actors``."""
    world_rng = random.Random(f"{seed}/world")
    used_ids: set[int] = {pb.ME_USER_ID}
    personas = build_personas(world_rng, used_ids)
    bystanders = build_bystanders(world_rng, used_ids, 260)
    offers = build_offers(world_rng, personas)
    return personas, bystanders, offers, drama.build_cast(seed, used_ids)


def write_demo_export(
    path: Path | str,
    messages: int = 5000,
    seed: int = 7,
    progress: Callable[[int], None] | None = None,
) -> DemoSummary:
    """Write a demo ``result.json`` with ``messages`` messages of type "message" (service
    messages come on top) and return what was written. ``path`` may be a directory."""
    if messages < 0:
        raise ConfigError(f"messages must be zero or more, not {messages}")
    target = _target(path)
    personas, bystanders, offers, cast = build_world(seed)
    me = Account(pb.ME_USER_ID, pb.ME_FIRST_NAME)
    dm_seller = next(p for p in personas if p.handle == DM_PERSONA)
    deleted = next(a for p in personas for a in p.accounts if a.deleted)
    shared = Shared(seed, bystanders, offers, _variants_for(messages), me, dm_seller, deleted)

    # The trust drama is a fixed script: it gets its lines first, the other chats share
    # the rest by weight.
    scripted = min(len(drama.SCRIPT), messages)
    counts = _allocate(messages - scripted, [spec.weight for spec in CHATS])
    joined = [(s, n) for s, n in zip(CHATS, counts, strict=True) if not s.left]
    joined.append((drama.SPEC, scripted))
    left = [(s, n) for s, n in zip(CHATS, counts, strict=True) if s.left]
    tally = _Tally(progress)
    partial = target.with_name(target.name + ".part")
    with partial.open("wb", buffering=1 << 20) as out:
        out.write(tj.root_open())
        out.write(
            tj.personal_information(
                me.user_id, me.first_name, "", pb.ME_PHONE, pb.ME_USERNAME, pb.ME_BIO
            )
        )
        for key, about, chats in (
            ("chats", tj.ABOUT_CHATS, joined),
            ("left_chats", tj.ABOUT_LEFT_CHATS, left),
        ):
            out.write(tj.section_open(key, about))
            _write_chats(out, shared, chats, tally, cast)
            out.write(tj.section_close())
        out.write(tj.root_close())
    os.replace(partial, target)  # a crash never leaves a half-written result.json behind
    tally.report()
    return DemoSummary(
        path=target,
        messages=tally.messages,
        service_messages=tally.services,
        chats=len(CHATS) + 1,
        bytes_written=target.stat().st_size,
        mean_text_length=tally.text_chars / tally.messages if tally.messages else 0.0,
    )
