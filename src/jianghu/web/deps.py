"""What a route gets handed: the store (one connection per worker thread) and who asks."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from jianghu.store import open_store
from jianghu.store.base import Store


class StorePool:
    """One open store per thread: SQLite connections belong to the thread that made
    them, and FastAPI runs plain routes in a pool of threads."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._local = threading.local()
        self._all: list[Store] = []
        self._lock = threading.Lock()
        open_store(url).close()  # migrate once, before serving

    def get(self) -> Store:
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = open_store(self.url, migrate=False)
            self._local.store = store
            with self._lock:
                self._all.append(store)
        return store

    def close(self) -> None:
        with self._lock:
            for store in self._all:
                store.close()
            self._all.clear()


def store_dep(request: Request) -> Store:
    pool: StorePool = request.app.state.stores
    return pool.get()


def analyst_dep(request: Request) -> str:
    who: str | None = request.state.analyst
    if who is None:  # the middleware lets no one through without; this is a second lock
        raise HTTPException(401, "sign in")
    return who


StoreGetter = Callable[[], Store]


StoreDep = Annotated[Store, Depends(store_dep)]
AnalystDep = Annotated[str, Depends(analyst_dep)]
