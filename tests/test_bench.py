"""`jianghu bench ingest` measures what BENCHMARKS.md quotes, with its baseline."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from jianghu.cli import app


def test_bench_ingest_reports_throughput_memory_and_baseline(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["bench", "ingest", "--messages", "1000", "--json", "--workdir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["messages"] == 1000 and report["new"] == 1000 and report["rejected"] == 0
    for key in (
        "ingest_records_per_second",
        "ingest_peak_rss_mb",
        "orjson_parse_seconds",
        "ingest_vs_orjson_parse",
        "mean_text_length",
        "analysis_us_per_message_one_core",
    ):
        assert report[key] > 0, key  # fmt: skip
    assert 80 <= report["mean_text_length"] <= 160
