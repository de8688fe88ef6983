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


def analyse_one(message: Message) -> Analysed:
    if message.kind != "message":  # service events are kept, never analysed as offers
        return Analysed(message, _EMPTY_DOC)
    text = message.text
    return Analysed(message, search_doc(text), tuple(extract_entities(text)))


def analyse(messages: Sequence[Message]) -> list[Analysed]:
    return [analyse_one(m) for m in messages]
