"""`jianghu bench search` measures PostgreSQL search at growing sizes on the real server,
extrapolates, refuses what the disk cannot hold, and leaves no database behind."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from jianghu.bench_pgsearch import (
    SEARCH_INDEXES,
    database_url,
    disk_needed,
    fit_line,
    fit_power,
    run_pgsearch_bench,
)
from jianghu.bench_serve import query_mix
from jianghu.errors import ConfigError
from jianghu.faces.cli_bench_search import bench_search, parse_sizes
from tests.conftest import PG_ADMIN_URL, pg_admin

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def admin() -> Iterator[Any]:
    conn = pg_admin()
    yield conn
    conn.close()


def _bench_databases(admin: Any, sizes: tuple[int, ...]) -> list[str]:
    names = [f"jianghu_bench_{n}" for n in sizes]
    rows = admin.execute("SELECT datname FROM pg_database WHERE datname = ANY(%s)", (names,))
    return [r[0] for r in rows]


@pytest.fixture(scope="module")
def result(admin: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    workdir = tmp_path_factory.mktemp("bench-search")
    out = run_pgsearch_bench(PG_ADMIN_URL, [2000, 1000], progress=lambda s: None, workdir=workdir)
    out["workdir_left"] = sorted(p.name for p in workdir.iterdir())
    return out


def test_each_size_is_measured_smallest_first_on_the_fixed_mix(result: dict[str, Any]) -> None:
    assert [r["messages"] for r in result["sizes"]] == [1000, 2000]
    assert result["queries"] == 100 and len(result["mix"]) == 100
    handles = [p["q"][1:] for p in result["mix"][40:50]]
    assert result["mix"] == query_mix(handles)  # one mix, the same for every size
    for row in result["sizes"]:
        assert row["timed_queries"] == 300  # 3 timed passes after the warm-up
        assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["max_ms"]
        assert len(row["loadavg_before"]) == 3 and len(row["loadavg_after"]) == 3
        assert len(row["p95_ms_by_query_kind"]) == 10 and len(row["slowest"]) == 5
        base = row["sqlite_baseline"]
        assert 0 < base["p50_ms"] <= base["p95_ms"] and base["store_bytes"] > 0
        assert row["disk_estimate_bytes"] <= row["disk_free_bytes"]


def test_sizes_grow_with_the_number_of_messages(result: dict[str, Any]) -> None:
    small, large = (r["bytes"] for r in result["sizes"])
    for name in (*SEARCH_INDEXES, "messages", "database"):
        assert 0 < small[name] < large[name], name
    assert large["messages_with_indexes"] <= large["database"]


def test_the_growth_curve_is_fitted_and_extrapolated(result: dict[str, Any]) -> None:
    at = result["extrapolated"]
    largest = result["sizes"][-1]["bytes"]
    assert at["messages"] == 100_000_000
    assert at["database_bytes"] > largest["database"] * 1000
    assert at["search_indexes_bytes"] <= at["hot_indexes_bytes"] <= at["database_bytes"]
    assert at["disk_bytes"] > at["database_bytes"]
    assert result["fit"]["database_bytes"]["bytes_per_message"] > 0
    # Two tiny sizes are noise for latency: only check that the power law is applied.
    p95 = result["fit"]["p95_ms"]
    assert at["p95_ms"] == round(p95["coefficient"] * 1e8 ** p95["exponent"], 1)
    assert result["assumptions"]


def test_each_size_is_measured_again_with_rum_search_indexes(result: dict[str, Any]) -> None:
    assert result["rum"]["measured"] is True
    for row in result["sizes"]:
        rum = row["rum"]
        assert rum["timed_queries"] == 300 and 0 < rum["p50_ms"] <= rum["p95_ms"]
        assert rum["build_seconds"] > 0 and len(rum["p95_ms_by_query_kind"]) == 10
        for name in SEARCH_INDEXES:  # RUM keeps positions: larger than GIN
            assert rum["bytes"][name] > row["bytes"][name], name
        # Inserts are timed with each index in place, into chats new to the store.
        for insert in (rum["insert"], row["gin_insert"]):
            assert insert["read"] == insert["new"] == 1000
            assert insert["messages_per_second"] > 0
    assert result["rum"]["extrapolated"]["messages"] == 100_000_000
    assert result["rum"]["assumptions"] == result["assumptions"]


def test_rum_can_be_left_out(admin: Any, tmp_path: Path) -> None:
    out = run_pgsearch_bench(
        PG_ADMIN_URL, [1000], progress=lambda s: None, workdir=tmp_path, passes=1,
        sqlite_baseline=False, rum=False,
    )  # fmt: skip
    assert out["rum"] == {"measured": False, "why": "not asked for (--no-rum)"}
    assert "rum" not in out["sizes"][0] and _bench_databases(admin, (1000,)) == []


def test_nothing_is_left_behind(admin: Any, result: dict[str, Any]) -> None:
    assert _bench_databases(admin, (1000, 2000)) == []
    assert result["databases_kept"] == []
    assert result["workdir_left"] == []  # exports and SQLite baselines removed


def test_a_size_the_disk_cannot_hold_is_refused_before_anything_is_made(admin: Any) -> None:
    before = _bench_databases(admin, (1_000_000,))  # an analyst's own run may have kept one
    with pytest.raises(ConfigError, match=r"--sizes 1000000: needs about .* GiB of disk"):
        run_pgsearch_bench(PG_ADMIN_URL, [1_000_000], free_disk_bytes=3 << 30)
    assert _bench_databases(admin, (1_000_000,)) == before


def test_the_disk_estimate_grows_with_size_and_the_baseline() -> None:
    assert disk_needed(2_000_000, 6000, False) > disk_needed(1_000_000, 6000, False)
    assert disk_needed(1_000_000, 6000, True) > disk_needed(1_000_000, 6000, False)


def test_fits_recover_a_line_and_a_power_law() -> None:
    a, b = fit_line([1, 2, 3], [5, 7, 9])
    assert (round(a, 9), round(b, 9)) == (3, 2)
    c, k = fit_power([1e3, 1e4, 1e5], [2.0, 2.0 * 10**0.5, 20.0])
    assert (round(c * 1000**0.5, 6), round(k, 6)) == (2.0, 0.5)


def test_database_url_keeps_credentials_and_options() -> None:
    url = "postgresql://u@db.example:6432/admin?sslmode=verify-full"
    assert database_url(url, "jianghu_bench_1000") == (
        "postgresql://u@db.example:6432/jianghu_bench_1000?sslmode=verify-full"
    )


def test_sizes_option_is_checked(tmp_path: Path) -> None:
    assert parse_sizes("200000,1_000_000") == [200000, 1000000]
    app = typer.Typer()
    app.command()(bench_search)
    for bad, says in (("20", "at least 1000"), ("2e5", "expected counts")):
        run = CliRunner().invoke(app, ["--sizes", bad])
        assert run.exit_code == 2 and says in run.stderr, run.stderr
