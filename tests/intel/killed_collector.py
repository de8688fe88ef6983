"""Run by test_collect in a child process: a collector SIGKILLed inside the transaction of
its third batch, as a machine losing power or an OOM kill would stop it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from jianghu.intel.collect import Collector
from jianghu.store import open_store
from tests.intel.test_collect import GROUP, Recorded, ids


def main(url: str) -> None:
    store = open_store(url)
    original = store._insert_entities
    calls = [0]

    def insert_then_die(rows: object) -> None:
        original(rows)  # type: ignore[arg-type]
        calls[0] += 1
        if calls[0] == 3:  # rows of batch 3 written, its transaction still open
            os.kill(os.getpid(), signal.SIGKILL)

    store._insert_entities = insert_then_die  # type: ignore[method-assign]
    client = Recorded({GROUP.id: ids(10, GROUP)}, {"danbao": GROUP})
    asyncio.run(Collector(client, store, batch_size=3).run(["danbao"]))


if __name__ == "__main__":
    main(sys.argv[1])
