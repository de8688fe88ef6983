"""Offers and actors built on a real Dask cluster (LocalCluster, worker processes) from a
demo corpus in the real PostgreSQL server: every row of the offer and actor tables, JSON
text included, is the row the single-process build writes on the same store. Slices and
batches are kept small, so that groups, accounts and identifiers span many tasks."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from jianghu.cli import app
from jianghu.ingest import ingest
from jianghu.intel.actor_build import build_actors
from jianghu.intel.minhash import BANDS, HASHES
from jianghu.intel.offers import build_offers, normalized_texts, skeletons_of
from jianghu.scale.actors_dask import build_actors_dask
from jianghu.scale.cluster import dask_client
from jianghu.scale.offers_dask import SkeletonSlice, build_offers_dask, merge_distinct
from jianghu.scale.slices_dask import id_slices
from jianghu.store import open_store
from jianghu.store.base import Store
from jianghu.store.offers import candidates_by_id

runner = CliRunner()
IDS_PER_TASK = 250  # about a dozen slices of the corpus


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with dask_client(None, 2) as c:
        yield c


@pytest.fixture(scope="module")
def corpus(pg_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A PostgreSQL store (a schema of the test database) holding 3,000 demo messages."""
    import psycopg

    root = tmp_path_factory.mktemp("demo")
    made = runner.invoke(app, ["demo", "--messages", "3000", "--out", str(root / "result.json")])
    assert made.exit_code == 0, made.output
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = f"{pg_database}?options=-csearch_path%3D{schema}"
    try:
        with open_store(url) as store:
            ingest(store, [root], workers=0)
        yield url
    finally:
        with psycopg.connect(pg_database, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


TABLES = {
    "offers": "SELECT id, categories, intent, item, regions, summary, price_usd, price_unit, "
    "quantity, first_seen, last_seen, sightings, channels, authors, details FROM offers "
    "ORDER BY id",
    "offer_sightings": "SELECT message_id, offer_id FROM offer_sightings ORDER BY message_id",
    "actors": "SELECT id, name, accounts, reputation, messages, first_seen, last_seen, "
    "categories, profile, factors FROM actors ORDER BY id",
    "actor_accounts": "SELECT author_id, actor_id FROM actor_accounts ORDER BY author_id",
}


def snapshot(store: Store, *tables: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of these tables but the build time, JSON as the stored text."""
    return {t: [tuple(r) for r in store._all(TABLES[t])] for t in tables}


def wipe(store: Store, *tables: str) -> None:
    for t in tables:
        store._execute(f"DELETE FROM {t}")


def test_offers_on_the_cluster_are_the_offers_of_one_process(client: Any, corpus: str) -> None:
    with open_store(corpus) as store:
        local = build_offers(store)
        want = snapshot(store, "offers", "offer_sightings")
        wipe(store, "offer_sightings", "offers")
        slices = id_slices(store, IDS_PER_TASK)
        steps: list[str] = []
        got = build_offers_dask(
            client, corpus, step=steps.append, ids_per_task=IDS_PER_TASK, members_per_task=200
        )
        have = snapshot(store, "offers", "offer_sightings")
        # The case worth testing: offers whose sightings lie in several slices, and
        # offers joining different skeletons (near-duplicates, not identical reposts).
        spread = near = 0
        for offer_id, *_ in want["offers"][:40]:
            ids = [m for m, o in want["offer_sightings"] if o == offer_id]
            spread += len({next(a for a, b in slices if a < m <= b) for m in ids}) > 1
            rows = candidates_by_id(store, ids)
            near += len(set(skeletons_of(rows, normalized_texts(rows)))) > 1
    assert got.to_json() == local.to_json()
    assert local.offers >= 100 and local.reposted >= 100 and len(slices) >= 10
    assert spread >= 20 and near >= 20
    assert any("distinct skeletons" in s for s in steps)
    for table in want:
        assert have[table] == want[table], table


def test_actors_on_the_cluster_are_the_actors_of_one_process(client: Any, corpus: str) -> None:
    with open_store(corpus) as store:
        build_offers(store)
        local = build_actors(store)
        want = snapshot(store, "actors", "actor_accounts")
        wipe(store, "actor_accounts", "actors")
        got = build_actors_dask(client, corpus, ids_per_task=IDS_PER_TASK)
        have = snapshot(store, "actors", "actor_accounts")
    assert got.to_json() == local.to_json()
    assert local.multi_account_actors >= 10 and local.links >= 50
    profiles = [json.loads(r[8]) for r in want["actors"]]
    assert sum(len(p["mentions"]) for p in profiles) >= 100
    assert sum(len(p["identifiers"]) for p in profiles) >= 40
    for table in want:
        assert have[table] == want[table], table


@pytest.mark.parametrize("command", [["offers", "build"], ["actors", "build"]])
def test_the_cluster_engine_needs_a_postgresql_store(command: list[str], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    result = runner.invoke(app, [*command, "--engine", "dask", "--db", url])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --engine dask needs a PostgreSQL store")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    bad = runner.invoke(app, [*command, "--engine", "spark", "--db", url])
    assert bad.exit_code == 2 and "--engine spark: expected one of local, dask" in bad.stderr


def test_the_build_commands_run_on_a_given_scheduler(client: Any, corpus: str) -> None:
    address = client.scheduler.address
    with open_store(corpus) as store:
        wanted_offers = build_offers(store).to_json()
        wanted_actors = build_actors(store).to_json()
        want = snapshot(store, *TABLES)
        wipe(store, "actor_accounts", "actors", "offer_sightings", "offers")
    for command, wanted in (
        (["offers", "build"], wanted_offers),
        (["actors", "build"], wanted_actors),
    ):
        result = runner.invoke(
            app,
            [*command, "--engine", "dask", "--scheduler", address, "--db", corpus, "--json"],
        )
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == wanted
    with open_store(corpus) as store:
        assert snapshot(store, *TABLES) == want


def test_an_empty_store_gives_empty_tables_on_the_cluster_too(client: Any, pg_url: str) -> None:
    with open_store(pg_url) as store:
        assert id_slices(store) == []
    offers = build_offers_dask(client, pg_url)
    actors = build_actors_dask(client, pg_url)
    assert (offers.candidates, offers.offers, actors.accounts, actors.actors) == (0, 0, 0, 0)


def test_slices_cover_every_message_id_once(corpus: str) -> None:
    with open_store(corpus) as store:
        first, last = store._one("SELECT min(id), max(id) FROM messages")
        slices = id_slices(store, 1000)
    assert slices[0][0] == first - 1 and slices[-1][1] == last
    assert all(b == c for (_, b), (c, _) in itertools.pairwise(slices))
    assert all(0 < b - a <= 1000 for a, b in slices)
    with pytest.raises(ValueError, match="at least 1"):
        id_slices(store, 0)


def _slice(ids: list[int], digests: list[int], keys: list[int]) -> SkeletonSlice:
    """A slice whose messages ``ids`` have skeletons ``digests`` (small ints), the first
    of each distinct one with band keys all equal to the matching ``keys`` entry."""
    rows = list(dict.fromkeys(digests))
    return SkeletonSlice(
        ids=np.array(ids, np.int64),
        distinct=np.array([rows.index(d) for d in digests], np.int64),
        digests=np.array([[d, 7 * d] for d in rows], np.uint64),
        first_ids=np.array([ids[digests.index(d)] for d in rows], np.int64),
        keys=np.array([[k] * BANDS for k in keys], np.uint64),
        signatures=np.zeros((0, HASHES), np.uint64),
    )


def test_identical_skeletons_of_several_slices_are_one_kept_where_first_seen() -> None:
    a, b, c = 11, 22, 33
    parts = [_slice([1, 2, 3], [a, b, a], [100, 200]), _slice([5, 6, 9], [c, a, c], [300, 101])]
    merged = merge_distinct(parts)
    assert merged.first_ids.tolist() == [1, 2, 5]  # a, b, c in the order first seen
    assert merged.slice_of.tolist() == [0, 0, 1] and merged.row_of.tolist() == [0, 1, 0]
    assert merged.keys[:, 0].tolist() == [100, 200, 300]  # a's keys from its first slice
    assert merged.of_message.tolist() == [0, 1, 0, 2, 0, 2]


# A tie between two units went to whichever a set of strings yields first, and string
# hashes are salted per process: these two salts order the two units differently.
TIE = """
from datetime import UTC, datetime
from jianghu.intel.offer_fields import load_rates
from jianghu.intel.offers import assemble
from jianghu.store.offers import Candidate
at = datetime(2026, 3, 1, tzinfo=UTC)
ads = [Candidate(i, 1, 1, at, "出 接码 5U一次 50U一月", ("sim_sms",), "sell") for i in (1, 2)]
price = {"currency": "USDT", "per": "1"}
found = {i: [("price", "5U", "5", {**price, "amount": "5", "unit": "次"}),
             ("price", "50U", "50", {**price, "amount": "50", "unit": "月"})] for i in (1, 2)}
offer = assemble(ads, found, load_rates())
print(offer.price_usd, offer.price_unit)
"""


@pytest.mark.parametrize("salt", ["1", "3"])
def test_a_tie_between_units_goes_to_the_unit_quoted_first_in_every_process(salt: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": salt}
    done = subprocess.run(
        [sys.executable, "-c", TIE], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["5.0", "use"]
