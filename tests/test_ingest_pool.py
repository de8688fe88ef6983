"""The worker-pool path of ingest stores exactly what the in-process path stores."""

from __future__ import annotations

from pathlib import Path

import pytest

from jianghu.demo import write_demo_export
from jianghu.ingest import ingest
from jianghu.store import open_store


def snapshot(url: str) -> tuple[list[tuple[str, str]], list[tuple[object, ...]]]:
    store = open_store(url)
    try:
        texts = store.message_texts()
        ents = store._all(
            "SELECT c.key, m.message_id, e.type, e.normalized, e.start_pos FROM message_entities e "
            "JOIN messages m ON m.id = e.message_id JOIN channels c ON c.id = m.channel_id "
            "ORDER BY 1, 2, 5, 3"
        )
    finally:
        store.close()
    return texts, [tuple(r) for r in ents]


def test_pool_and_inline_store_the_same(tmp_path: Path) -> None:
    export = tmp_path / "result.json"
    write_demo_export(export, messages=1200, seed=3)
    results = []
    for workers in (0, 2):
        url = f"sqlite:///{tmp_path / f'w{workers}.db'}"
        store = open_store(url)
        try:
            report = ingest(store, [export], workers=workers, batch_size=100)
        finally:
            store.close()
        assert report.ok and report.read == 1200
        results.append(snapshot(url))
    assert results[0] == results[1]
    assert len(results[0][1]) > 500  # the demo corpus is full of indicators


def test_an_analysis_bug_is_one_line_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import jianghu.ingest as ingest_module
    from jianghu.errors import JianghuError

    export = tmp_path / "result.json"
    write_demo_export(export, messages=50, seed=3)

    def broken(messages: object) -> object:
        raise RuntimeError("a bug in analysis")

    monkeypatch.setattr(ingest_module, "findings", broken)
    store = open_store(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with pytest.raises(JianghuError, match=r"analysis failed on the batch starting at .*"):
            ingest(store, [export], workers=0)
        assert store.summary().messages == 0
    finally:
        store.close()
