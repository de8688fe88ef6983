"""The classifier's training data: hand-written labelled messages, the demo's labelled
ads, and deterministic variants of both (traditional characters, split words, emoji).

How each part was made is in ``analysis/data/classify/DATASHEET.md``. The evaluation
set (``eval.jsonl``) and the TUMCC labels are never read here.

Every example has a *group*: variants of one message, and reposts of one demo ad, share
it. The split into training data and the held-out calibration data is by group, so no
message has a near-copy on the other side.
"""

from __future__ import annotations

import functools
import hashlib
import random
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from importlib.resources import files
from typing import Any

import orjson

from jianghu.analysis.classify.linear import INTENTS
from jianghu.analysis.lexicon import CATEGORIES
from jianghu.errors import ConfigError

HELD_OUT_SHARE = 10  # one group in ten is kept for measuring calibration, nothing else
DEMO_SEED, DEMO_VARIANTS, DEMO_CHATTER = 20261130, 3, 250


@dataclass(frozen=True, slots=True)
class Example:
    id: str
    group: str
    text: str
    categories: tuple[str, ...]
    intent: str
    source: str  # hand:<file>, demo, or <source>+<variant kind>


def _train_folder() -> Any:
    return files("jianghu.analysis") / "data" / "classify" / "train"


def parse_examples(lines: Iterable[str], name: str) -> Iterator[Example]:
    """Examples of one hand-written JSONL file, checked against the taxonomy."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise ConfigError(f"{where}: not a JSON object: {exc}") from exc
        if not isinstance(obj, dict):
            raise ConfigError(f"{where}: expected a JSON object")
        text, cats, intent = obj.get("text"), obj.get("categories"), obj.get("intent")
        if not isinstance(text, str) or not text.strip():
            raise ConfigError(f"{where}: expected a non-empty 'text'")
        if not isinstance(cats, list) or not all(c in CATEGORIES for c in cats):
            raise ConfigError(f"{where}: 'categories' must list taxonomy categories")
        if intent not in INTENTS:
            raise ConfigError(f"{where}: 'intent' must be one of {', '.join(INTENTS)}")
        ident = str(obj.get("id") or where)
        yield Example(ident, ident, text, tuple(sorted(set(cats))), intent, f"hand:{name}")


@functools.cache
def hand_written() -> tuple[Example, ...]:
    out: list[Example] = []
    entries = sorted(
        (p for p in _train_folder().iterdir() if p.name.endswith(".jsonl")), key=lambda p: p.name
    )
    for entry in entries:
        out.extend(parse_examples(entry.read_text(encoding="utf-8").splitlines(), entry.name))
    return tuple(out)


def demo_examples() -> list[Example]:
    from jianghu.demo.labelled import labelled_posts

    return [
        Example(f"{group}/{n}", group, text, cats, intent, "demo")
        for n, (group, text, cats, intent) in enumerate(
            labelled_posts(DEMO_SEED, DEMO_VARIANTS, DEMO_CHATTER)
        )
    ]


# ---- variants -------------------------------------------------------------------------
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,4}")
_SPLITTERS = (" ", " ", "-", ".", "❤", "➕", "*", "丶", "_")
_DECOR = ("🔥", "✅", "💰", "⭐️", "📣", "💎", "👉", "🚀", "‼️", "🎉", "💯", "🧧")


@functools.cache
def _s2tw() -> Any:
    import opencc

    return opencc.OpenCC("s2tw")


def _traditional(text: str, rng: random.Random) -> str | None:
    converted = str(_s2tw().convert(text))
    return converted if converted != text else None


def _split_word(text: str, rng: random.Random) -> str | None:
    runs = list(_HAN_RUN.finditer(text))
    if not runs:
        return None
    for m in rng.sample(runs, min(len(runs), rng.randint(1, 2))):
        sep = rng.choice(_SPLITTERS)
        text = text.replace(m.group(0), sep.join(m.group(0)), 1)
    return text


def _decorate(text: str, rng: random.Random) -> str | None:
    mark = rng.choice(_DECOR)
    return f"{mark * rng.randint(1, 3)}{text}{mark * rng.randint(0, 2)}"


_VARIANTS = (("trad", 0.2, _traditional), ("split", 0.12, _split_word), ("decor", 0.1, _decorate))


def with_variants(examples: Iterable[Example]) -> list[Example]:
    """Each example and, drawn per example from its own seed, its variants."""
    out: list[Example] = []
    for ex in examples:
        out.append(ex)
        rng = random.Random(f"variants/{ex.id}")
        for kind, share, make in _VARIANTS:
            if rng.random() < share and (text := make(ex.text, rng)) is not None:
                out.append(
                    replace(ex, id=f"{ex.id}+{kind}", text=text, source=f"{ex.source}+{kind}")
                )
    return out


def is_held_out(group: str) -> bool:
    return zlib.crc32(group.encode("utf-8")) % HELD_OUT_SHARE == 0


@dataclass(frozen=True)
class TrainingData:
    train: list[Example]
    held_out: list[Example]  # calibration measurement only

    def digest(self) -> str:
        h = hashlib.sha256()
        for ex in [*self.train, *self.held_out]:
            h.update(orjson.dumps([ex.id, ex.text, ex.categories, ex.intent]))
        return h.hexdigest()


def training_data() -> TrainingData:
    everything = with_variants([*hand_written(), *demo_examples()])
    train = [ex for ex in everything if not is_held_out(ex.group)]
    held = [ex for ex in everything if is_held_out(ex.group)]
    return TrainingData(train, held)
