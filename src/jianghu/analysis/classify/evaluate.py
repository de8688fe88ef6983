"""Measure the classifier on the frozen evaluation set, beside a lexicon-only baseline.

``eval.jsonl`` was written apart from the training data and frozen before any model
work (EVALUATION.md records its hash). Nothing here feeds back into training: this module
only reads predictions and labels and counts.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

import orjson

from jianghu.analysis.classify.classifier import Classification, classify_inputs, feature_input
from jianghu.analysis.classify.features import FeatureInput
from jianghu.analysis.classify.linear import INTENTS
from jianghu.analysis.lexicon import CATEGORIES, Lexicon, load_lexicon
from jianghu.errors import ConfigError


@dataclass(frozen=True)
class Labelled:
    id: str
    text: str
    categories: frozenset[str]
    intent: str
    novel: bool = False


@dataclass(frozen=True)
class Prediction:
    categories: frozenset[str]
    intent: str


def _eval_path() -> Path:
    return Path(str(files("jianghu.analysis") / "data" / "classify" / "eval.jsonl"))


def eval_digest() -> str:
    return hashlib.sha256(_eval_path().read_bytes()).hexdigest()


def load_eval_set() -> list[Labelled]:
    out = []
    for line in _eval_path().read_text(encoding="utf-8").splitlines():
        obj = orjson.loads(line)
        out.append(
            Labelled(
                obj["id"],
                obj["text"],
                frozenset(obj["categories"]),
                obj["intent"],
                bool(obj.get("novel_wording")),
            )
        )
    return out


def load_tumcc(corpus: Path) -> list[Labelled]:
    """The hand-labelled TUMCC lines, with their text read from the corpus (the repository
    keeps only line numbers)."""
    labels = files("jianghu.analysis") / "data" / "classify" / "tumcc_labels.tsv"
    try:
        lines = corpus.read_text(encoding="utf-8").split("\n")
    except OSError as exc:
        raise ConfigError(f"{corpus}: cannot read the TUMCC corpus: {exc}") from exc
    out = []
    for row in labels.read_text(encoding="utf-8").splitlines()[1:]:
        number, cats, intent = row.split("\t")
        n = int(number)
        if n > len(lines):
            raise ConfigError(f"{corpus}: has no line {n}; is this TUMCC-clean.txt?")
        chosen = frozenset() if cats == "-" else frozenset(cats.split(","))
        out.append(Labelled(f"tumcc:{n}", lines[n - 1], chosen, intent))
    return out


# ---- the baseline ---------------------------------------------------------------------
_INTENT_OF_GLOSS = (("recruit", "recruit"), ("buy", "buy"), ("seek", "buy"), ("want", "buy"))


def _intent_of(gloss: str) -> str:
    for word, intent in _INTENT_OF_GLOSS:
        if word in gloss:
            return intent
    return "sell"  # selling, supplying, providing, taking orders, undertaking


def lexicon_baseline(item: FeatureInput) -> Prediction:
    """What the lexicon alone says: every category a matched term belongs to, and the
    intent of the first intent word (none: other; an exposure: other)."""
    cats = frozenset(h.category for h in item.terms if h.category)
    intents = [h for h in item.terms if h.kind == "intent"]
    intent = _intent_of(intents[0].gloss) if intents else "other"
    if "scam_report" in cats:
        intent = "other"
    return Prediction(cats, intent)


def from_model(c: Classification) -> Prediction:
    return Prediction(frozenset(c.categories), c.intent)


# ---- scoring --------------------------------------------------------------------------
@dataclass
class CategoryScore:
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class Scores:
    per_category: dict[str, CategoryScore]
    macro_f1: float
    micro_f1: float
    intent_accuracy: float
    none_flagged: float  # share of no-category messages given a category
    none_count: int
    chat_as_offer: float  # share of intent-'other', no-category messages called offers
    confusions: list[tuple[str, str, int]]  # (true, predicted, count)
    intent_confusion: dict[str, dict[str, int]]
    messages: int

    def to_json(self) -> dict[str, object]:
        return {
            "messages": self.messages,
            "macro_f1": self.macro_f1,
            "micro_f1": self.micro_f1,
            "intent_accuracy": self.intent_accuracy,
            "none_flagged": self.none_flagged,
            "none_count": self.none_count,
            "chat_as_offer": self.chat_as_offer,
            "per_category": {k: vars(v) for k, v in self.per_category.items()},
            "confusions": [list(c) for c in self.confusions],
            "intent_confusion": self.intent_confusion,
        }


def _ratio(a: float, b: float) -> float:
    return round(a / b, 4) if b else 0.0


def score(truth: Sequence[Labelled], predicted: Sequence[Prediction]) -> Scores:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    intents: dict[str, Counter[str]] = {i: Counter() for i in INTENTS}
    none_total = none_flagged = chat_total = chat_offer = 0
    for t, p in zip(truth, predicted, strict=True):
        for c in p.categories & t.categories:
            tp[c] += 1
        extra, missed = p.categories - t.categories, t.categories - p.categories
        for c in extra:
            fp[c] += 1
        for c in missed:
            fn[c] += 1
        for m in missed or {"none"}:
            for e in extra or ({"none"} if missed else set()):
                pairs[(m, e)] += 1
        intents[t.intent][p.intent] += 1
        if not t.categories:
            none_total += 1
            none_flagged += bool(p.categories)
            if t.intent == "other":
                chat_total += 1
                chat_offer += p.intent != "other" or bool(p.categories)
    per = {}
    for c in CATEGORIES:
        prec = _ratio(tp[c], tp[c] + fp[c])
        rec = _ratio(tp[c], tp[c] + fn[c])
        f1 = round(2 * prec * rec / (prec + rec), 4) if prec + rec else 0.0
        per[c] = CategoryScore(prec, rec, f1, tp[c] + fn[c])
    present = [c for c in CATEGORIES if per[c].support]
    all_tp, all_fp, all_fn = sum(tp.values()), sum(fp.values()), sum(fn.values())
    return Scores(
        per_category=per,
        macro_f1=round(sum(per[c].f1 for c in present) / max(len(present), 1), 4),
        micro_f1=_ratio(2 * all_tp, 2 * all_tp + all_fp + all_fn),
        intent_accuracy=_ratio(sum(intents[i][i] for i in INTENTS), len(truth)),
        none_flagged=_ratio(none_flagged, none_total),
        none_count=none_total,
        chat_as_offer=_ratio(chat_offer, chat_total),
        confusions=[(a, b, n) for (a, b), n in pairs.most_common(12)],
        intent_confusion={i: dict(intents[i]) for i in INTENTS},
        messages=len(truth),
    )


@dataclass
class ClassifyEvaluation:
    eval_sha256: str
    model_version: str
    model: Scores
    baseline: Scores
    slices: dict[str, dict[str, Scores]] = field(default_factory=dict)
    tumcc: dict[str, Scores] | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "eval_sha256": self.eval_sha256,
            "model_version": self.model_version,
            "model": self.model.to_json(),
            "lexicon_baseline": self.baseline.to_json(),
            "slices": {
                name: {k: v.to_json() for k, v in pair.items()}
                for name, pair in self.slices.items()
            },
            "tumcc": None
            if self.tumcc is None
            else {k: v.to_json() for k, v in self.tumcc.items()},
        }


def _both(
    rows: Sequence[Labelled], items: Sequence[FeatureInput], model: Sequence[Classification]
) -> dict[str, Scores]:
    return {
        "model": score(rows, [from_model(c) for c in model]),
        "baseline": score(rows, [lexicon_baseline(i) for i in items]),
    }


def _slices(rows: Sequence[Labelled]) -> list[tuple[str, Callable[[Labelled], bool]]]:
    """Subsets read off the text itself (plus the frozen novel-wording flag)."""
    from jianghu.analysis.language import detect_language

    return [
        ("novel wording", lambda r: r.novel),
        ("lexicon wording", lambda r: not r.novel),
        ("traditional (detected zh-Hant)", lambda r: detect_language(r.text) == "zh-Hant"),
        ("English", lambda r: detect_language(r.text) == "en"),
        ("short (< 15 characters)", lambda r: len(r.text) < 15),
        ("long (≥ 100 characters)", lambda r: len(r.text) >= 100),
    ]


def evaluate_classifier(
    tumcc_corpus: Path | None = None, lexicon: Lexicon | None = None
) -> ClassifyEvaluation:
    from jianghu.analysis.classify.classifier import load_model

    lex = lexicon or load_lexicon()
    rows = load_eval_set()
    items = [feature_input(r.text, lex) for r in rows]
    predicted = classify_inputs(items)
    both = _both(rows, items, predicted)
    slices = {}
    for name, keep in _slices(rows):
        chosen = [k for k, r in enumerate(rows) if keep(r)]
        slices[name] = _both(
            [rows[k] for k in chosen], [items[k] for k in chosen], [predicted[k] for k in chosen]
        )
    tumcc = None
    if tumcc_corpus is not None:
        t_rows = load_tumcc(tumcc_corpus)
        t_items = [feature_input(r.text, lex) for r in t_rows]
        tumcc = _both(t_rows, t_items, classify_inputs(t_items))
    return ClassifyEvaluation(
        eval_digest(), load_model().version, both["model"], both["baseline"], slices, tumcc
    )
