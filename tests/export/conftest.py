"""The stand-in MISP server as a fixture."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer

import pytest

from tests.export.fake_misp import FakeMisp


@pytest.fixture
def misp(monkeypatch: pytest.MonkeyPatch) -> Iterator[ThreadingHTTPServer]:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(var, raising=False)  # the stand-in is on this machine
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeMisp)
    server.requests = []  # type: ignore[attr-defined]
    server.reply = (200, {"Content-Type": "application/json"}, b"")  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
