"""Classify messages: categories with calibrated scores, an intent, and the evidence.

The lexicon and the indicator extractor run first (their findings are features and
evidence); the linear model over hashed character n-grams and those features decides.
Pure functions over text: no I/O besides loading the shipped model once per process.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from importlib.resources import files

import msgspec
import numpy as np

from jianghu.analysis.classify.features import FeatureInput, batch_features, named_features
from jianghu.analysis.classify.linear import INTENTS, N_CAT, LinearModel
from jianghu.analysis.entities import Entity, extract_entities
from jianghu.analysis.lexicon import CATEGORIES, Lexicon, load_lexicon
from jianghu.analysis.normalize import normalize
from jianghu.errors import ConfigError

# A category is assigned when its calibrated probability reaches this; training stores it
# in the model, so the model version covers it. Chosen on out-of-fold scores of the
# training data (the highest macro-F1 whose share of no-trade messages given a category
# is at most 5%, with the no-trade loss weight), never on the evaluation set; see
# EVALUATION.md.
THRESHOLD = 0.55


class Classification(msgspec.Struct, frozen=True):
    categories: tuple[str, ...]  # assigned, highest score first
    scores: dict[str, float]  # every category's calibrated probability
    intent: str
    intent_scores: dict[str, float]


class Contribution(msgspec.Struct, frozen=True):
    feature: str  # an n-gram of the normalised text, or term:/cat:/ent:/kind: …
    weight: float  # its share of the decision's logit (positive pushed towards it)


@functools.cache
def load_model() -> LinearModel:
    """The shipped model (built by ``jianghu train classifier``; see EVALUATION.md)."""
    path = files("jianghu.analysis") / "data" / "classify" / "model.npz"
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"{path}: the classifier model is missing; build it with 'make model'"
        ) from exc
    return LinearModel.from_bytes(data, str(path))


def feature_input(
    text: str, lexicon: Lexicon | None = None, entities: Sequence[Entity] | None = None
) -> FeatureInput:
    lex = lexicon or load_lexicon()
    norm = normalize(text)
    terms = lex.match(norm)
    ents = extract_entities(text) if entities is None else entities
    return FeatureInput(norm.text, tuple(terms), tuple(ents))


def decide(
    cat_probs: np.ndarray, intent_probs: np.ndarray, threshold: float = THRESHOLD
) -> list[Classification]:
    out = []
    cat_rows = np.round(cat_probs.astype(np.float64), 4).tolist()
    intent_rows = np.round(intent_probs.astype(np.float64), 4).tolist()
    best_intents = intent_probs.argmax(axis=1).tolist()
    for cp, ip, best in zip(cat_rows, intent_rows, best_intents, strict=True):
        scores = dict(zip(CATEGORIES, cp, strict=True))
        assigned = sorted(
            (c for c in CATEGORIES if scores[c] >= threshold), key=lambda c: -scores[c]
        )
        # TAXONOMY: an exposure warns, it never sells or buys, whatever goods it names.
        intent = "other" if "scam_report" in assigned else INTENTS[best]
        out.append(
            Classification(tuple(assigned), scores, intent, dict(zip(INTENTS, ip, strict=True)))
        )
    return out


def classify_inputs(
    items: Sequence[FeatureInput], model: LinearModel | None = None
) -> list[Classification]:
    if not items:
        return []
    m = model or load_model()
    cat_probs, intent_probs = m.predict(batch_features(items))
    return decide(cat_probs, intent_probs, m.threshold)


def classify_texts(texts: Sequence[str], lexicon: Lexicon | None = None) -> list[Classification]:
    return classify_inputs([feature_input(t, lexicon) for t in texts])


def explain(
    item: FeatureInput, output: str, model: LinearModel | None = None, top: int = 8
) -> list[Contribution]:
    """The features that pushed one output (a category or an intent) most, either way:
    the model's reasons, shown beside the lexicon terms and indicators."""
    m = model or load_model()
    column = CATEGORIES.index(output) if output in CATEGORIES else N_CAT + INTENTS.index(output)
    named = named_features(item)
    # The same weighting as the fast path: each distinct feature once, scaled by
    # 1/sqrt(number of distinct features); names sharing an index share its weight.
    names_of: dict[int, list[str]] = {}
    for name, index in named:
        names_of.setdefault(index, [])
        if name not in names_of[index]:
            names_of[index].append(name)
    scale = 1.0 / math.sqrt(max(len(names_of), 1))
    totals: dict[str, float] = {}
    for index, names in names_of.items():
        totals[" | ".join(names)] = float(m.weights[index, column]) * scale
    ranked = sorted(totals.items(), key=lambda kv: -abs(kv[1]))[:top]
    return [Contribution(name, round(float(w), 4)) for name, w in ranked if w != 0.0]
