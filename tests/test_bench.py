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


def test_bench_analyze_reports_every_step_and_the_baseline(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["bench", "analyze", "--messages", "1000", "--json", "--workdir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    rates = report["messages_per_second_one_core"]
    for step in ("normalize", "lexicon", "entities", "language", "features", "model"):
        assert rates[step] > 0, step
    assert rates["analysis"] < rates["lexicon_only_baseline"]  # the whole does more work
    assert report["analysis_vs_lexicon_only"] > 1
    assert 80 <= report["mean_text_length"] <= 160
    assert report["analysis_with_search_tokens_two_processes"] > 0


def test_bench_intel_times_offers_and_actors_against_a_baseline(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["bench", "intel", "--messages", "1500", "--json", "--workdir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["offers"]["offers"] > 0 and report["actors"]["actors"] > 0
    assert report["offers_build_seconds"] > 0 and report["actors_build_seconds"] > 0
    assert report["baseline_read_offer_texts_seconds"] > 0
    assert report["offers_and_actors_vs_baseline"] > 1
