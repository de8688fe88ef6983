"""Train the classifier from the project's own labelled data, deterministically.

Logistic outputs (one per category) and a softmax over intents share one weight table
over hashed features; the optimiser is mini-batch AdaGrad with L2, in a fixed order from
a fixed seed, in plain numpy (no BLAS reductions whose order could vary), so the same data
gives the same bytes on this machine.

Calibration: the category outputs get Platt scaling fitted on *out-of-fold* scores
(each training message scored by a model that did not see its group), then Brier score
and expected calibration error are measured on the held-out groups, which are used for
nothing else — not for training, not for fitting the scaling, not for choosing settings.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt

from jianghu.analysis.classify.classifier import THRESHOLD, feature_input
from jianghu.analysis.classify.features import DIM, FeatureBatch, batch_features
from jianghu.analysis.classify.linear import INTENTS, N_CAT, N_OUT, LinearModel, sigmoid, softmax
from jianghu.analysis.classify.trainset import Example, TrainingData
from jianghu.analysis.lexicon import CATEGORIES, Lexicon, load_lexicon

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class HyperParameters:
    epochs: int = 14
    batch: int = 32
    learning_rate: float = 0.4
    l2: float = 2e-5
    folds: int = 4
    seed: int = 20261130
    # Loss weight of messages about no trade, for the category outputs: chat vastly
    # outnumbers offers in real channels, and a false category costs an analyst's time.
    none_weight: float = 5.0


@dataclass
class Encoded:
    features: FeatureBatch
    categories: npt.NDArray[np.float32]  # (n, N_CAT) 0/1
    intents: npt.NDArray[np.int64]  # (n,)
    groups: list[str]


def encode(examples: Sequence[Example], lexicon: Lexicon | None = None) -> Encoded:
    lex = lexicon or load_lexicon()
    items = [feature_input(ex.text, lex) for ex in examples]
    y = np.zeros((len(examples), N_CAT), np.float32)
    for row, ex in enumerate(examples):
        for cat in ex.categories:
            y[row, CATEGORIES.index(cat)] = 1.0
    intents = np.array([INTENTS.index(ex.intent) for ex in examples], dtype=np.int64)
    return Encoded(batch_features(items), y, intents, [ex.group for ex in examples])


def take_rows(x: FeatureBatch, rows: npt.NDArray[np.int64]) -> FeatureBatch:
    starts, ends = x.indptr[rows], x.indptr[rows + 1]
    lengths = ends - starts
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    pos = np.repeat(starts - indptr[:-1], lengths) + np.arange(indptr[-1], dtype=np.int64)
    return FeatureBatch(indptr, x.indices[pos], x.scale[rows])


def fit(data: Encoded, rows: npt.NDArray[np.int64], hp: HyperParameters) -> LinearModel:
    """Weights trained on ``rows`` of ``data`` (Platt scaling left at identity)."""
    model = LinearModel.zeros()
    w, b = model.weights, model.bias
    acc_w = np.zeros((DIM, N_OUT), np.float32)
    acc_b = np.zeros(N_OUT, np.float32)
    rng = np.random.default_rng(hp.seed)
    eye = np.eye(len(INTENTS), dtype=np.float32)
    for _ in range(hp.epochs):
        order = rows[rng.permutation(len(rows))]
        for start in range(0, len(order), hp.batch):
            chosen = order[start : start + hp.batch]
            x = take_rows(data.features, chosen)
            lengths = np.diff(x.indptr)
            owner = np.repeat(np.arange(len(chosen)), lengths)
            z = np.add.reduceat(w[x.indices], x.indptr[:-1], axis=0) * x.scale[:, None] + b
            g = np.empty_like(z)
            g[:, :N_CAT] = sigmoid(z[:, :N_CAT]) - data.categories[chosen]
            if hp.none_weight != 1.0:
                g[:, :N_CAT] *= np.where(data.categories[chosen].any(axis=1), 1.0, hp.none_weight)[
                    :, None
                ]
            g[:, N_CAT:] = softmax(z[:, N_CAT:]) - eye[data.intents[chosen]]
            g /= len(chosen)
            per_entry = (g * x.scale[:, None])[owner]
            uniq, inverse = np.unique(x.indices, return_inverse=True)
            grad = np.zeros((len(uniq), N_OUT), np.float32)
            np.add.at(grad, inverse, per_entry)
            grad += hp.l2 * w[uniq]
            acc_w[uniq] += grad * grad
            w[uniq] -= hp.learning_rate * grad / np.sqrt(acc_w[uniq] + 1e-8)
            gb = g.sum(axis=0)
            acc_b += gb * gb
            b -= hp.learning_rate * gb / np.sqrt(acc_b + 1e-8)
    return model


def fold_of(group: str, folds: int) -> int:
    return zlib.crc32(f"fold/{group}".encode()) % folds


def out_of_fold_logits(
    data: Encoded, hp: HyperParameters, progress: Progress | None = None
) -> npt.NDArray[np.float32]:
    """Each message's logits from a model trained without its group's fold."""
    folds = np.array([fold_of(g, hp.folds) for g in data.groups])
    out = np.zeros((len(folds), N_OUT), np.float32)
    for k in range(hp.folds):
        if progress:
            progress(f"fold {k + 1}/{hp.folds}", k, hp.folds + 1)
        held = np.flatnonzero(folds == k)
        model = fit(data, np.flatnonzero(folds != k), hp)
        out[held] = model.logits(take_rows(data.features, held))
    return out


def fit_platt(z: npt.NDArray[np.float32], y: npt.NDArray[np.float32]) -> tuple[float, float]:
    """Platt's (a, b) for ``sigmoid(a*z + b)``, by Newton's method on the log loss with
    Platt's smoothed targets (so a separable category does not get an infinite slope)."""
    pos = float(y.sum())
    neg = float(len(y) - pos)
    t = np.where(y > 0.5, (pos + 1) / (pos + 2), 1 / (neg + 2)).astype(np.float64)
    z64 = z.astype(np.float64)

    def loss(a: float, b: float) -> float:
        m = a * z64 + b
        return float(np.sum(np.logaddexp(0.0, m) - t * m))

    a, b = 0.0, float(np.log((pos + 1) / (neg + 1)))
    current = loss(a, b)
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(a * z64 + b, -30, 30)))
        d = p - t
        wgt = p * (1 - p) + 1e-9
        g = np.array([np.dot(d, z64), d.sum()])
        h = np.array([[np.dot(wgt * z64, z64), np.dot(wgt, z64)], [np.dot(wgt, z64), wgt.sum()]])
        step = np.linalg.solve(h + np.eye(2) * 1e-6, g)
        # Newton's step, halved until the loss goes down (a plain step can overshoot).
        scale = 1.0
        while scale > 1e-6:
            na, nb = a - scale * step[0], b - scale * step[1]
            trial = loss(na, nb)
            if trial <= current:
                break
            scale /= 2
        else:
            break
        a, b, improved = na, nb, current - trial
        current = trial
        if improved < 1e-10:
            break
    return float(a), float(b)


def brier(p: npt.NDArray[np.float32], y: npt.NDArray[np.float32]) -> float:
    return float(np.mean((p - y) ** 2))


def expected_calibration_error(
    p: npt.NDArray[np.float32], y: npt.NDArray[np.float32], bins: int = 10
) -> float:
    """ECE over every (message, category) probability, in equal-width bins."""
    flat_p, flat_y = p.ravel(), y.ravel()
    which = np.minimum((flat_p * bins).astype(np.int64), bins - 1)
    total = 0.0
    for k in range(bins):
        mask = which == k
        if mask.any():
            total += mask.sum() * abs(float(flat_p[mask].mean()) - float(flat_y[mask].mean()))
    return float(total / max(len(flat_p), 1))


def f1_scores(
    probs: npt.NDArray[np.float32], y: npt.NDArray[np.float32], threshold: float = THRESHOLD
) -> list[float]:
    pred = probs >= threshold
    truth = y > 0.5
    out = []
    for k in range(y.shape[1]):
        tp = float(np.sum(pred[:, k] & truth[:, k]))
        fp = float(np.sum(pred[:, k] & ~truth[:, k]))
        fn = float(np.sum(~pred[:, k] & truth[:, k]))
        out.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return out


def none_flagged(probs: npt.NDArray[np.float32], y: npt.NDArray[np.float32]) -> float:
    """Share of messages with no category that get one."""
    none = y.sum(axis=1) == 0
    return round(float(np.mean((probs[none] >= THRESHOLD).any(axis=1))), 4) if none.any() else 0.0


@dataclass
class TrainReport:
    version: str
    data_digest: str
    train_examples: int
    held_out_examples: int
    hyper: dict[str, float]
    out_of_fold_macro_f1: float
    out_of_fold_none_flagged: float  # no-trade messages given a category
    out_of_fold_intent_accuracy: float
    held_out: dict[str, float]  # brier/ece before and after scaling, macro-F1, intent acc
    platt: dict[str, tuple[float, float]]

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def train(
    data: TrainingData, hp: HyperParameters | None = None, progress: Progress | None = None
) -> tuple[LinearModel, TrainReport]:
    hp = hp or HyperParameters()
    lex = load_lexicon()
    train_set = encode(data.train, lex)
    held = encode(data.held_out, lex)
    oof = out_of_fold_logits(train_set, hp, progress)
    platt = [fit_platt(oof[:, k], train_set.categories[:, k]) for k in range(N_CAT)]
    if progress:
        progress("final model", hp.folds, hp.folds + 1)
    model = fit(train_set, np.arange(len(data.train)), hp)
    model.platt_a = np.array([a for a, _ in platt], np.float32)
    model.platt_b = np.array([b for _, b in platt], np.float32)
    model.threshold = THRESHOLD
    # Measure what ships: the float16 weights as they load back, not the float32 ones.
    model = LinearModel.from_bytes(model.to_bytes())

    oof_cat = sigmoid(oof[:, :N_CAT] * model.platt_a + model.platt_b)
    z = model.logits(held.features)
    raw = sigmoid(z[:, :N_CAT])
    calibrated = model.category_probs(z[:, :N_CAT])
    report = TrainReport(
        version=model.version,
        data_digest=data.digest(),
        train_examples=len(data.train),
        held_out_examples=len(data.held_out),
        hyper={**{k: float(v) for k, v in asdict(hp).items()}, "threshold": THRESHOLD},
        out_of_fold_macro_f1=round(float(np.mean(f1_scores(oof_cat, train_set.categories))), 4),
        out_of_fold_none_flagged=none_flagged(oof_cat, train_set.categories),
        out_of_fold_intent_accuracy=round(
            float(np.mean(oof[:, N_CAT:].argmax(axis=1) == train_set.intents)), 4
        ),
        held_out={
            "brier_uncalibrated": round(brier(raw, held.categories), 5),
            "ece_uncalibrated": round(expected_calibration_error(raw, held.categories), 5),
            "brier": round(brier(calibrated, held.categories), 5),
            "ece": round(expected_calibration_error(calibrated, held.categories), 5),
            "macro_f1": round(float(np.mean(f1_scores(calibrated, held.categories))), 4),
            "none_flagged": none_flagged(calibrated, held.categories),
            "intent_accuracy": round(
                float(np.mean(z[:, N_CAT:].argmax(axis=1) == held.intents)), 4
            ),
        },
        platt={c: (round(a, 5), round(b, 5)) for c, (a, b) in zip(CATEGORIES, platt, strict=True)},
    )
    return model, report
