"""Precision and recall per entity type on the labelled corpus, and the trap pass rate.

Matching is by (type, value as written), counted as multisets per message: an extracted
entity is a true positive when the message's expected entities hold one more of the same
type and value. Reading the two JSONL files is this module's only I/O, for the
``jianghu eval entities`` face and the tests.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import msgspec

from jianghu.analysis.entities.extract import extract_entities

DATA_DIR = Path(__file__).parent / "data"


class _Expected(msgspec.Struct):
    type: str
    value: str


class _Labelled(msgspec.Struct):
    id: str
    text: str
    entities: list[_Expected]


class _Trap(msgspec.Struct):
    text: str
    imitates: str


class TypeScore(msgspec.Struct):
    type: str
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


class TrapScore(msgspec.Struct):
    imitates: str
    total: int
    clean: int

    @property
    def pass_rate(self) -> float:
        return self.clean / self.total if self.total else 1.0


class EvalReport(msgspec.Struct):
    messages: int
    types: list[TypeScore]
    traps: list[TrapScore]
    errors: list[str]  # "id: missed/extra type value", for reading the failures

    @property
    def trap_pass_rate(self) -> float:
        total = sum(t.total for t in self.traps)
        return sum(t.clean for t in self.traps) / total if total else 1.0

    def table(self) -> str:
        lines = [f"{'type':<16} {'tp':>4} {'fp':>4} {'fn':>4} {'prec':>6} {'recall':>6}"]
        for s in self.types:
            lines.append(
                f"{s.type:<16} {s.tp:>4} {s.fp:>4} {s.fn:>4} {s.precision:>6.3f} {s.recall:>6.3f}"
            )
        lines.append(f"\n{'traps imitating':<16} {'n':>4} {'clean':>5} {'rate':>6}")
        for t in self.traps:
            lines.append(f"{t.imitates:<16} {t.total:>4} {t.clean:>5} {t.pass_rate:>6.3f}")
        lines.append(f"{'all traps':<16} {'':>4} {'':>5} {self.trap_pass_rate:>6.3f}")
        return "\n".join(lines)


def evaluate(
    labelled_path: Path = DATA_DIR / "labelled.jsonl", traps_path: Path = DATA_DIR / "traps.jsonl"
) -> EvalReport:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    errors: list[str] = []
    rows = msgspec.json.Decoder(_Labelled)
    lines = labelled_path.read_bytes().splitlines()
    for line in lines:
        row = rows.decode(line)
        want = Counter((e.type, e.value) for e in row.entities)
        got = Counter((e.type, e.value) for e in extract_entities(row.text))
        for key in want | got:
            hit = min(want[key], got[key])
            tp[key[0]] += hit
            fp[key[0]] += got[key] - hit
            fn[key[0]] += want[key] - hit
            if got[key] != want[key]:
                kind = "extra" if got[key] > want[key] else "missed"
                errors.append(f"{row.id}: {kind} {key[0]} {key[1]!r} in {row.text!r}")
    types = [TypeScore(t, tp[t], fp[t], fn[t]) for t in sorted(set(tp) | set(fp) | set(fn))]
    return EvalReport(len(lines), types, _traps(traps_path), errors)


def _traps(path: Path) -> list[TrapScore]:
    total: Counter[str] = Counter()
    clean: Counter[str] = Counter()
    decoder = msgspec.json.Decoder(_Trap)
    for line in path.read_bytes().splitlines():
        trap = decoder.decode(line)
        total[trap.imitates] += 1
        if not any(e.type == trap.imitates for e in extract_entities(trap.text)):
            clean[trap.imitates] += 1
    return [TrapScore(t, total[t], clean[t]) for t in sorted(total)]


if __name__ == "__main__":
    report = evaluate()
    print(report.table())
    print("\n".join(report.errors[:80]))
