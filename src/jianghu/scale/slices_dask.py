"""Slices of the store's message ids for a cluster's tasks, and their results one by one.

A slice is ``after < id <= upto``: each worker reads its own slice with the store's
primary key, so no message passes through the driver. Message ids only grow, so slices
in ascending order concatenate to message order, which the merges rely on.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from distributed import Future

    from jianghu.store.base import Store

IDS_PER_TASK = 100_000  # message ids per slice: a task of a few seconds, a few MB of text

_T = TypeVar("_T")


def id_slices(store: Store, ids_per_task: int = IDS_PER_TASK) -> list[tuple[int, int]]:
    """(after, upto) slices covering every stored message id, in ascending order."""
    if ids_per_task < 1:
        raise ValueError(f"ids_per_task must be at least 1, not {ids_per_task}")
    row = store._one("SELECT min(id), max(id) FROM messages")
    if row is None or row[0] is None:
        return []
    first, last = int(row[0]), int(row[1])
    return [
        (after, min(after + ids_per_task, last)) for after in range(first - 1, last, ids_per_task)
    ]


def results(futures: list[Future[_T]]) -> Iterator[_T]:
    """Each future's result, in the given order (the tasks run meanwhile; a finished one
    waits on its worker, not here). The list is emptied as it is read: a future nobody
    holds is released, so the driver keeps one result at a time and the cluster only
    what is still to be read. A failed task raises its error here."""
    futures.reverse()
    while futures:
        yield futures.pop().result()
