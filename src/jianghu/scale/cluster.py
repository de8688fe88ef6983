"""Connect to a Dask cluster, or start a local one, for the duration of a command.

Workers are processes with one thread each: analysis holds the GIL, so threads in one
worker would only queue behind each other. A worker keeps one store connection per
store URL for its lifetime (``worker_store``), so a partition pays no connection set-up.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from jianghu.errors import ConfigError, StoreConflict, StoreUnavailable
from jianghu.settings import get_int

if TYPE_CHECKING:
    from distributed import Client

    from jianghu.store.base import Store

ENGINES = ("local", "dask")
IN_FLIGHT_PER_WORKER = 3  # tasks queued per worker: keeps workers busy, bounds memory
CONFLICT_RETRIES = 8

_T = TypeVar("_T")


def check_engine(engine: str, db_url: str) -> None:
    """The Dask engine's workers write to the store themselves: only a server store takes
    writers on other machines (SQLite is a file on this one)."""
    if engine not in ENGINES:
        raise ConfigError(f"--engine {engine}: expected one of {', '.join(ENGINES)}")
    if engine == "dask" and not db_url.startswith(("postgresql://", "postgres://")):
        raise ConfigError(
            f"--engine dask needs a PostgreSQL store (--db postgresql://…), not {db_url}: "
            "its workers write their results themselves"
        )


@contextmanager
def dask_client(scheduler: str | None, workers: int = 2) -> Iterator[Client]:
    """A client of the cluster at ``scheduler`` (``tcp://host:8786``) or, without one, of
    a local cluster of ``workers`` worker processes started and stopped here."""
    try:
        import distributed
    except ImportError as exc:
        raise StoreUnavailable(
            "the Dask engine needs dask.distributed: pip install 'jianghu[scale]'"
        ) from exc
    # distributed is only partly typed: its classes are used through Any here.
    client_class: Any = distributed.Client
    cluster_class: Any = distributed.LocalCluster
    if scheduler:
        try:
            client = client_class(scheduler, timeout=f"{get_int('scheduler_timeout')}s")
        except OSError as exc:
            raise ConfigError(
                f"--scheduler {scheduler}: cannot reach the scheduler: {exc}"
            ) from exc
        try:
            yield client
        finally:
            client.close()
        return
    cluster = cluster_class(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        # Nothing of a local cluster listens beyond this machine.
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
        # Analysis workers hold a lexicon and a model: a worker is worth keeping alive.
        memory_limit=0,
    )
    try:
        client = client_class(cluster)
        try:
            yield client
        finally:
            client.close()
    finally:
        cluster.close()


_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()


def worker_store(url: str) -> Store:
    """This worker process's store at ``url``, opened (and migrated) on first use."""
    with _stores_lock:
        store = _stores.get(url)
        if store is None:
            from jianghu.store import open_store

            store = _stores[url] = open_store(url, migrate=False)
        return store


def in_flight_limit(client: Any) -> int:
    """How many tasks a driver keeps submitted to ``client``'s cluster at once."""
    return IN_FLIGHT_PER_WORKER * max(1, len(client.scheduler_info()["workers"]))


def retry_conflicts(write: Callable[[], _T]) -> tuple[_T, int]:
    """``write()`` and the attempt it took; a write rolled back for colliding with another
    worker's (StoreConflict) is made again after the other has had time to commit."""
    for attempt in range(1, CONFLICT_RETRIES + 1):
        try:
            return write(), attempt
        except StoreConflict:
            if attempt == CONFLICT_RETRIES:
                raise
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")
