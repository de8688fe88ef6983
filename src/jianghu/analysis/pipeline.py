"""What every message gets on its way into the store: pure functions over a batch.

No I/O here, so the same function runs in the ingest reader process, in a pool, or on a
Dask worker. Later stages (entities, lexicon terms, categories) add their results to
:class:`Analysed` as they land.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from jianghu.analysis.entities import Entity, extract_entities
from jianghu.analysis.search_terms import SearchDoc, search_doc
from jianghu.records import Message

_EMPTY_DOC = SearchDoc("", "")


class Analysed(msgspec.Struct, frozen=True):
    """A message with what analysis found in it."""

    message: Message
    search: SearchDoc
    entities: tuple[Entity, ...] = ()


Findings = tuple[SearchDoc, tuple[Entity, ...]]
"""What analysis adds to one message; what a worker process sends back (the message
itself stays where it was, so it is not pickled twice)."""


def findings(messages: Sequence[Message]) -> list[Findings]:
    out: list[Findings] = []
    for message in messages:
        if message.kind != "message":  # service events are kept, never analysed as offers
            out.append((_EMPTY_DOC, ()))
        else:
            out.append((search_doc(message.text), tuple(extract_entities(message.text))))
    return out


def combine(messages: Sequence[Message], found: Sequence[Findings]) -> list[Analysed]:
    return [Analysed(m, doc, ents) for m, (doc, ents) in zip(messages, found, strict=True)]


def analyse(messages: Sequence[Message]) -> list[Analysed]:
    return combine(messages, findings(messages))
