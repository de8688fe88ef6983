"""Delivering alerts through the persistent outbox to real local servers: an HTTP
endpoint that fails then recovers (every alert arrives at least once, each idempotency
key once to a deduplicating receiver, a restart in between loses nothing), one that
stays down (dead letters), a local SMTP server, JSONL and stdout; no test sleeps."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from jianghu.analysis.pipeline import analyse
from jianghu.cli import app
from jianghu.intel.alerts import scan
from jianghu.intel.delivery import Sink, deliver, enqueue, parse_sinks, pending
from jianghu.intel.watchlist import parse_watchlist
from jianghu.records import ChannelRef
from jianghu.store import open_store
from jianghu.store.base import Store
from tests.conftest import make_message

CARD = "4111 1111 1111 1111"
WATCH = (
    '[[rule]]\nname = "bins"\nkind = "bin"\nvalues = ["411111"]\n'
    '[[rule]]\nname = "brand"\nkind = "brand"\nvalues = ["招商银行"]\n'
)


class FakeClock:
    def __init__(self) -> None:
        self.t = datetime(2026, 3, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += timedelta(seconds=seconds)


class Receiver:
    def __init__(self, fail_first: int) -> None:
        self.fail_left = fail_first
        self.requests: list[tuple[str, str, bytes]] = []
        self.accepted: dict[str, Any] = {}  # idempotency key → payload, deduplicated
        self.lock = threading.Lock()


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    state = Receiver(fail_first=3)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            key, sig = self.headers["Idempotency-Key"], self.headers["X-Jianghu-Signature"]
            with state.lock:
                state.requests.append((key, sig, body))
                failing = state.fail_left > 0
                state.fail_left -= failing
                if not failing:
                    state.accepted.setdefault(key, json.loads(body))
            self.send_response(503 if failing else 200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


def _alerts(store: Store) -> list[int]:
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    msgs = [
        make_message(
            str(i),
            f"出卡 {CARD} 有余额 招商银行 第{i}批",
            posted_at=t0,
            channel=ChannelRef("telegram", f"c{i}", str(i), f"群{i}", "public_supergroup"),
        )
        for i in range(3)
    ]
    store.write_batch(analyse(msgs), None)
    return scan(store, parse_watchlist(WATCH, "w.toml")).new_alert_ids


def test_webhook_retries_with_backoff_and_survives_a_restart(
    store_url: str, receiver: tuple[Receiver, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    state, url = receiver
    monkeypatch.setenv("JH_TEST_SECRET", "s3cret")
    sink = Sink(
        "hook", "webhook", url=url, secret_env="JH_TEST_SECRET", base_delay=10, max_attempts=6
    )
    clock = FakeClock()
    with open_store(store_url) as store:
        ids = _alerts(store)
        assert len(ids) == 2
        enqueue(store, ids, [sink], clock)
        enqueue(store, ids, [sink], clock)  # once per alert and sink
        first = deliver(store, [sink], clock)
        assert first.delivered == 0 and first.failed == 2
        assert deliver(store, [sink], clock).delivered == 0  # not due before the backoff
    clock.advance(10)
    with open_store(store_url) as store:  # jianghu restarted: the outbox is in the store
        second = deliver(store, [sink], clock)
        assert second.failed == 1 and second.delivered == 1
        clock.advance(19)
        assert deliver(store, [sink], clock).delivered == 0  # second backoff is 20 s
        clock.advance(1)
        assert deliver(store, [sink], clock).delivered == 1
        assert pending(store) == 0
    keys = [k for k, _, _ in state.requests]
    assert len(state.requests) == 5 and len(set(keys)) == 2 == len(state.accepted)
    for _key, sig, body in state.requests:
        assert sig == "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    for payload in state.accepted.values():
        assert CARD not in json.dumps(payload, ensure_ascii=False)
        assert payload["rule"] in ("bins", "brand")


def test_an_endpoint_that_stays_down_ends_in_the_dead_letter_file(
    tmp_path: Path, receiver: tuple[Receiver, str]
) -> None:
    state, url = receiver
    state.fail_left = 10**6
    dead = tmp_path / "dead.jsonl"
    sink = Sink("hook", "webhook", url=url, base_delay=1, max_attempts=3, dead_letter=dead)
    clock = FakeClock()
    with open_store(f"sqlite:///{tmp_path / 'd.db'}") as store:
        enqueue(store, _alerts(store), [sink], clock)
        for _ in range(3):
            deliver(store, [sink], clock)
            clock.advance(100)
        assert pending(store) == 0
    lines = [json.loads(x) for x in dead.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 2 and all(x["error"] == "HTTP 503" for x in lines)
    assert CARD not in dead.read_text(encoding="utf-8")


def test_smtp_jsonl_and_stdout_sinks(tmp_path: Path) -> None:
    from aiosmtpd.controller import Controller

    got: list[bytes] = []

    class Handler:
        async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
            got.append(envelope.content)
            return "250 OK"

    import socket

    with socket.socket() as probe:  # a free port: the controller checks it by connecting
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        sinks = parse_sinks(
            f'[[sink]]\nname = "mail"\nkind = "smtp"\nhost = "127.0.0.1"\nport = {port}\n'
            'sender = "jianghu@example.org"\nto = ["soc@example.org"]\n'
            f'[[sink]]\nname = "file"\nkind = "jsonl"\npath = "{tmp_path / "a.jsonl"}"\n'
            '[[sink]]\nname = "out"\nkind = "stdout"\n',
            "sinks.toml",
        )
        import io

        shown = io.StringIO()
        with open_store(f"sqlite:///{tmp_path / 's.db'}") as store:
            enqueue(store, _alerts(store), sinks, FakeClock())
            report = deliver(store, sinks, FakeClock(), stdout=shown)
        assert report.delivered == 6, report.errors
    finally:
        controller.stop()
    assert len(got) == 2 and all(b"[jianghu]" in m and CARD.encode() not in m for m in got)
    assert len((tmp_path / "a.jsonl").read_text(encoding="utf-8").splitlines()) == 2
    assert len(shown.getvalue().splitlines()) == 2


def test_bad_sink_files_are_one_clear_line() -> None:
    from jianghu.errors import ConfigError

    with pytest.raises(ConfigError, match=r"sinks.toml: sink 1 \('x'\): a webhook needs"):
        parse_sinks('[[sink]]\nname = "x"\nkind = "webhook"\nurl = "ftp://x"\n', "sinks.toml")


def test_watch_scan_delivers_new_alerts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    with open_store(url) as store:
        t0 = datetime(2026, 3, 1, tzinfo=UTC)
        store.write_batch(analyse([make_message("1", f"出卡 {CARD}", posted_at=t0)]), None)
    (tmp_path / "w.toml").write_text(WATCH, encoding="utf-8")
    (tmp_path / "s.toml").write_text(
        f'[[sink]]\nname = "file"\nkind = "jsonl"\npath = "{tmp_path / "out.jsonl"}"\n',
        encoding="utf-8",
    )
    runner = CliRunner()
    args = ["--file", str(tmp_path / "w.toml"), "--sinks", str(tmp_path / "s.toml"), f"--db={url}"]
    result = runner.invoke(app, ["watch", "scan", *args, "--json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["delivery"]["delivered"] == 1
    again = runner.invoke(app, ["watch", "scan", *args, "--json"])
    assert json.loads(again.stdout)["delivery"]["delivered"] == 0
    assert len((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()) == 1
    left = runner.invoke(
        app, ["alerts", "deliver", "--sinks", str(tmp_path / "s.toml"), f"--db={url}", "--json"]
    )
    assert json.loads(left.stdout)["pending"] == 0


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_login_with_a_password_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    logins: list[tuple[bytes, bytes]] = []
    got: list[bytes] = []

    def authenticator(
        server: object, session: object, envelope: object, mechanism: str, data: object
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        logins.append((data.login, data.password))
        return AuthResult(success=data.password == b"pa55")

    class Handler:
        async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
            got.append(envelope.content)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # No TLS on this local test server, so login is allowed in the clear here only.
    controller = Controller(
        Handler(),
        hostname="127.0.0.1",
        port=port,
        auth_required=True,
        auth_require_tls=False,
        authenticator=authenticator,
    )
    controller.start()
    monkeypatch.setenv("JH_SMTP_PASSWORD", "pa55")
    try:
        sink = Sink(
            "mail",
            "smtp",
            host="127.0.0.1",
            port=port,
            username="alerts",
            password_env="JH_SMTP_PASSWORD",
            sender="j@example.org",
            to=("soc@example.org",),
            max_attempts=2,
        )
        wrong = Sink(
            "bad",
            "smtp",
            host="127.0.0.1",
            port=port,
            username="alerts",
            password_env="JH_NOT_SET",
            sender="j@example.org",
            to=("soc@example.org",),
            max_attempts=5,
        )
        with open_store(f"sqlite:///{tmp_path / 'm.db'}") as store:
            enqueue(store, _alerts(store), [sink, wrong], FakeClock())
            report = deliver(store, [sink, wrong], FakeClock())
    finally:
        controller.stop()
    assert report.delivered == 2 and report.failed == 2
    assert all("JH_NOT_SET is not set" in e for e in report.errors)
    assert (b"alerts", b"pa55") in logins and len(got) == 2
