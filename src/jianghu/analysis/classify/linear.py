"""The trained model: one weight row per hashed feature, one column per output.

Columns 0–13 are the categories (independent logistic outputs, multi-label), columns
14–17 the intents (one softmax). Category scores are calibrated with Platt scaling
(``sigmoid(a * logit + b)``), fitted on predictions for messages the weights were not
trained on (see ``train``).

On disk (``model.npz``) only the rows of features seen in training are kept, as
float16: the model stays far below the 20 MB budget and loads in milliseconds. Loaded, the
table stays float16 (9 MB a process instead of 19) and sums are taken in float32, which
gives exactly the scores of a float32 copy of the same weights.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from jianghu.analysis.classify.features import DIM, FeatureBatch
from jianghu.analysis.lexicon import CATEGORIES
from jianghu.errors import ConfigError

INTENTS = ("sell", "buy", "recruit", "other")
N_CAT = len(CATEGORIES)
N_OUT = N_CAT + len(INTENTS)
_CHUNK = 256  # messages scored at a time: bounds the gathered rows to a few MB


@dataclass
class LinearModel:
    weights: npt.NDArray[np.floating[Any]]  # (DIM, N_OUT): float32 in training, float16 loaded
    bias: npt.NDArray[np.float32]  # (N_OUT,)
    platt_a: npt.NDArray[np.float32]  # (N_CAT,)
    platt_b: npt.NDArray[np.float32]  # (N_CAT,)
    threshold: float = 0.5  # calibrated probability from which a category is assigned
    version: str = "untrained"

    @classmethod
    def zeros(cls) -> LinearModel:
        return cls(
            np.zeros((DIM, N_OUT), np.float32),
            np.zeros(N_OUT, np.float32),
            np.ones(N_CAT, np.float32),
            np.zeros(N_CAT, np.float32),
        )

    def logits(self, batch: FeatureBatch) -> npt.NDArray[np.float32]:
        """Raw scores, shape (messages, N_OUT)."""
        n = len(batch)
        out = np.empty((n, N_OUT), np.float32)
        for start in range(0, n, _CHUNK):
            end = min(start + _CHUNK, n)
            lo, hi = batch.indptr[start], batch.indptr[end]
            rows = np.take(self.weights, batch.indices[lo:hi], axis=0)
            out[start:end] = np.add.reduceat(
                rows, batch.indptr[start:end] - lo, axis=0, dtype=np.float32
            )
        out *= batch.scale[:, None]
        out += self.bias
        return out

    def predict(
        self, batch: FeatureBatch
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """(calibrated category probabilities (n, 14), intent probabilities (n, 4))."""
        z = self.logits(batch)
        return self.category_probs(z[:, :N_CAT]), softmax(z[:, N_CAT:])

    def category_probs(self, cat_logits: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        return sigmoid(cat_logits * self.platt_a + self.platt_b)

    def to_bytes(self) -> bytes:
        used = np.flatnonzero(np.any(self.weights != 0, axis=1)).astype(np.int32)
        arrays: dict[str, npt.NDArray[np.generic]] = {
            "rows": used,
            "weights": self.weights[used].astype(np.float16),
            "bias": self.bias.astype(np.float32),
            "platt_a": self.platt_a.astype(np.float32),
            "platt_b": self.platt_b.astype(np.float32),
            "threshold": np.array([self.threshold], np.float32),
        }
        # np.savez stamps each member with the current time; a fixed stamp makes the same
        # weights give the same bytes, so the model version is a function of the weights.
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as archive:
            for name, array in arrays.items():
                member = io.BytesIO()
                np.save(member, array, allow_pickle=False)
                info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, member.getvalue())
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes, where: str = "model") -> LinearModel:
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as z:
                rows, packed = z["rows"], z["weights"]
                weights = np.zeros((DIM, N_OUT), np.float16)
                weights[rows] = packed
                model = cls(
                    weights, z["bias"], z["platt_a"], z["platt_b"], float(z["threshold"][0])
                )
        except (OSError, KeyError, ValueError, IndexError) as exc:
            raise ConfigError(f"{where}: not a jianghu classifier model: {exc}") from exc
        if model.bias.shape != (N_OUT,) or model.platt_a.shape != (N_CAT,):
            raise ConfigError(f"{where}: model shape does not match this version of jianghu")
        model.version = model_version(data)
        return model

    def save(self, path: Path) -> str:
        data = self.to_bytes()
        path.write_bytes(data)
        return model_version(data)


def model_version(data: bytes) -> str:
    return "m-" + hashlib.sha256(data).hexdigest()[:12]


def sigmoid(z: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    return (1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))).astype(np.float32)


def softmax(z: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    out: npt.NDArray[np.float32] = (e / e.sum(axis=1, keepdims=True)).astype(np.float32)
    return out
