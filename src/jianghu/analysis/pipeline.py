"""What every message gets on its way into the store: pure functions over a batch.

No I/O here, so the same function runs in the ingest reader process, in a pool, or on a
Dask worker: search tokens, indicators, language, lexicon terms and the classification,
with the versions of the lexicon and model that produced it (so ``reanalyze`` can tell
stale results from current ones).
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from jianghu.analysis.classify.classifier import classify_inputs, load_model
from jianghu.analysis.classify.features import FeatureInput
from jianghu.analysis.entities import Entity, extract_entities
from jianghu.analysis.language import detect_language
from jianghu.analysis.lexicon import Lexicon, load_lexicon
from jianghu.analysis.normalize import normalize
from jianghu.analysis.search_terms import SearchDoc, search_doc
from jianghu.records import Message

_EMPTY_DOC = SearchDoc("", "")
KEPT_SCORE = 0.01  # lower category scores are not worth a row per message


class MessageAnalysis(msgspec.Struct, frozen=True):
    """What classification said about one message, and with which lexicon and model."""

    language: str
    intent: str
    categories: tuple[str, ...]
    scores: dict[str, float]  # categories scoring at least KEPT_SCORE
    lexicon_version: str
    model_version: str
    normalized: str = ""  # the normalised text (not stored: watchlist matching reuses it)


class Analysed(msgspec.Struct, frozen=True):
    """A message with what analysis found in it."""

    message: Message
    search: SearchDoc
    entities: tuple[Entity, ...] = ()
    analysis: MessageAnalysis | None = None  # None for service events


Findings = tuple[SearchDoc, tuple[Entity, ...], MessageAnalysis | None]
"""What analysis adds to one message; what a worker process sends back (the message
itself stays where it was, so it is not pickled twice)."""


def versions(lexicon: Lexicon | None = None) -> tuple[str, str]:
    """(lexicon version, model version) that analysis runs with now."""
    return (lexicon or load_lexicon()).version, load_model().version


_CHUNK = 256  # messages classified at a time: bounds the normalised texts held at once


def classify_messages(
    texts: Sequence[str],
    entities: Sequence[tuple[Entity, ...]],
    lexicon: Lexicon | None = None,
) -> list[MessageAnalysis]:
    """Language, intent and categories of each text (entities already extracted)."""
    lex = lexicon or load_lexicon()
    lex_version, model_version = versions(lex)
    out: list[MessageAnalysis] = []
    for start in range(0, len(texts), _CHUNK):
        chunk = texts[start : start + _CHUNK]
        items = []
        norm_texts = []
        for text, ents in zip(chunk, entities[start : start + _CHUNK], strict=True):
            norm = normalize(text)
            norm_texts.append(norm.text)
            items.append(FeatureInput(norm.text, tuple(lex.match(norm)), ents))
        for text, folded, result in zip(chunk, norm_texts, classify_inputs(items), strict=True):
            kept = {c: s for c, s in result.scores.items() if s >= KEPT_SCORE}
            out.append(
                MessageAnalysis(
                    detect_language(text),
                    result.intent,
                    result.categories,
                    kept,
                    lex_version,
                    model_version,
                    folded,
                )
            )
    return out


TextFindings = list[tuple[tuple[Entity, ...], MessageAnalysis]]


def analyse_texts(texts: Sequence[str]) -> TextFindings:
    """Indicators and classification of stored texts (what ``reanalyze`` recomputes)."""
    ents = [tuple(extract_entities(t)) for t in texts]
    return list(zip(ents, classify_messages(texts, ents), strict=True))


def findings(messages: Sequence[Message]) -> list[Findings]:
    analysed = iter(analyse_texts([m.text for m in messages if m.kind == "message"]))
    out: list[Findings] = []
    for message in messages:
        if message.kind != "message":  # service events are kept, never analysed as offers
            out.append((_EMPTY_DOC, (), None))
        else:
            ents, analysis = next(analysed)
            out.append((search_doc(message.text), ents, analysis))
    return out


def combine(messages: Sequence[Message], found: Sequence[Findings]) -> list[Analysed]:
    return [
        Analysed(m, doc, ents, analysis)
        for m, (doc, ents, analysis) in zip(messages, found, strict=True)
    ]


def analyse(messages: Sequence[Message]) -> list[Analysed]:
    return combine(messages, findings(messages))
