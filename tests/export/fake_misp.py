"""A stand-in MISP server on 127.0.0.1 that records each request and answers as a test
says; the push tests and the CLI tests share it (the fixture is in conftest.py)."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeMisp(BaseHTTPRequestHandler):
    """Records each request; answers as the test sets ``server.reply``."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.requests.append((self.path, dict(self.headers), body))  # type: ignore[attr-defined]
        status, headers, payload = self.server.reply  # type: ignore[attr-defined]
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:  # keep the test output clean
        pass


def url_of(server: ThreadingHTTPServer, path: str = "") -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


def answer(server: ThreadingHTTPServer, status: int, body: Any, **headers: str) -> None:
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    server.reply = (status, {"Content-Type": "application/json", **headers}, payload)  # type: ignore[attr-defined]
