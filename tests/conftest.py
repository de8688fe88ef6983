"""Shared fixtures: stores on both backends, messages, the shared sample folder.

PostgreSQL tests run against the real server on 127.0.0.1:5432. Each test run creates
its own database, each test its own schema inside it, and both are dropped afterwards.
When CI=true an unreachable server fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from jianghu.records import AuthorRef, ChannelRef, Message, SourceRef
from jianghu.store import open_store
from jianghu.store.base import Store

# The shared samples sit beside the repository (../shared), as on developers' machines
# and in CI; JIANGHU_SHARED points elsewhere.
SHARED = Path(
    os.environ.get("JIANGHU_SHARED", Path(__file__).resolve().parents[1].parent / "shared")
)
FIXTURES = SHARED / "fixtures"
DATA = Path(__file__).resolve().parent / "data"
PG_ADMIN_URL = os.environ.get("JIANGHU_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def pytest_sessionstart(session: pytest.Session) -> None:
    if not (FIXTURES / "telegram").is_dir():
        raise pytest.UsageError(
            f"shared samples not found at {SHARED}: put shared/ beside the repository "
            "or set JIANGHU_SHARED"
        )


def _pg_unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is required in CI and unavailable: {reason}")
    pytest.skip(f"PostgreSQL unavailable: {reason}")


def pg_admin() -> Any:
    """A connection to the server's admin database; skips (fails in CI) when unreachable."""
    try:
        import psycopg

        return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)
    except Exception as exc:  # any failure to reach the server
        _pg_unavailable(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        raise AssertionError("unreachable") from exc


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A database of this test run's own, dropped at the end."""
    admin = pg_admin()
    name = f"jianghu_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def pg_url(pg_database: str) -> Iterator[str]:
    """A fresh schema in the run's database, as a store URL whose search_path is it."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{pg_database}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(pg_database, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    s = open_store(store_url)
    try:
        yield s
    finally:
        s.close()


CHANNEL = ChannelRef("telegram", "channel100", "100", "测试群", "public_supergroup")


def make_message(
    message_id: str = "1",
    text: str = "出料 50U",
    *,
    channel: ChannelRef = CHANNEL,
    author: AuthorRef | None = None,
    posted_at: datetime | None = None,
    edited_at: datetime | None = None,
    kind: Any = "message",
) -> Message:
    return Message(
        platform="telegram",
        channel=channel,
        message_id=message_id,
        kind=kind,
        author=author or AuthorRef("user1", "卖家一号"),
        posted_at=posted_at or datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
        edited_at=edited_at,
        text=text,
        raw='{"id": ' + message_id + "}",
        source=SourceRef("test.json", 1, 1, 0, f"messages[{message_id}]"),
    )
