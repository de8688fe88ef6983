"""Measure actor linking against the demo corpus's ground truth.

The demo generator knows who is behind every account: each seller persona has one or
more accounts, the trust drama's seller 老李 has two, everyone else is one person. The
corpus is generated, ingested into a fresh SQLite store, offers and actors are built, and
every pair of those accounts is scored: linked and the same person (true positive),
linked but different people (false positive), the same person but not linked (false
negative). Pairwise precision and recall are the usual measures of entity resolution.
"""

from __future__ import annotations

import itertools
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from jianghu.demo.generator import build_world


@dataclass
class LinkingEvaluation:
    messages: int
    seed: int
    accounts: int  # accounts with a known owner that posted at least once
    people: int
    true_positive: int
    false_positive: int
    false_negative: int
    wrong_merges: list[list[str]] = field(default_factory=list)  # owners merged together
    missed: list[str] = field(default_factory=list)  # owners whose accounts stayed apart

    @property
    def precision(self) -> float:
        linked = self.true_positive + self.false_positive
        return round(self.true_positive / linked, 4) if linked else 1.0

    @property
    def recall(self) -> float:
        same = self.true_positive + self.false_negative
        return round(self.true_positive / same, 4) if same else 1.0

    def to_json(self) -> dict[str, object]:
        return {**vars(self), "precision": self.precision, "recall": self.recall}


def ground_truth(seed: int) -> dict[str, str]:
    """Platform id of each account whose owner the generator knows → the owner."""
    personas, _, _, cast = build_world(seed)
    owner = {f"user{a.user_id}": p.handle for p in personas for a in p.accounts if not a.deleted}
    for role, account in cast.items():
        owner[f"user{account.user_id}"] = "drama:li" if role in ("li1", "li2") else f"drama:{role}"
    return owner


def evaluate_linking(messages: int = 5000, seed: int = 7) -> LinkingEvaluation:
    from jianghu.demo import write_demo_export
    from jianghu.ingest import ingest
    from jianghu.intel.actor_build import build_actors
    from jianghu.intel.offers import build_offers as build_offer_table
    from jianghu.store import open_store

    owner = ground_truth(seed)
    with tempfile.TemporaryDirectory(prefix="jianghu-eval-") as folder:
        export = Path(folder) / "result.json"
        write_demo_export(export, messages=messages, seed=seed)
        with open_store(f"sqlite:///{Path(folder) / 'eval.db'}") as store:
            ingest(store, [export], workers=0)
            build_offer_table(store)
            build_actors(store)
            actor = {
                str(k): int(a)
                for k, a in store._all(
                    "SELECT a.key, aa.actor_id FROM authors a "
                    "JOIN actor_accounts aa ON aa.author_id = a.id"
                )
                if str(k) in owner
            }
    report = LinkingEvaluation(messages, seed, len(actor), len({owner[k] for k in actor}), 0, 0, 0)
    for x, y in itertools.combinations(sorted(actor), 2):
        same, linked = owner[x] == owner[y], actor[x] == actor[y]
        report.true_positive += same and linked
        report.false_positive += linked and not same
        report.false_negative += same and not linked
    by_actor: dict[int, set[str]] = {}
    for k, a in actor.items():
        by_actor.setdefault(a, set()).add(owner[k])
    report.wrong_merges = sorted(sorted(o) for o in by_actor.values() if len(o) > 1)
    by_owner: dict[str, set[int]] = {}
    for k, a in actor.items():
        by_owner.setdefault(owner[k], set()).add(a)
    report.missed = sorted(o for o, acts in by_owner.items() if len(acts) > 1)
    return report
