"""Run the workspace in a background thread of this process (benchmarks and browser
tests talk real HTTP to it)."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

from jianghu.web.app import create_app
from jianghu.web.config import WebConfig


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_in_thread(db: str, port: int | None = None) -> tuple[Any, str]:
    """Start uvicorn on 127.0.0.1; return the server (set ``should_exit`` to stop it)
    and its base URL."""
    import uvicorn

    port = port or free_port()
    config = uvicorn.Config(create_app(WebConfig(db, port=port)), host="127.0.0.1", port=port,
                            log_level="warning")  # fmt: skip
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    for _ in range(400):
        if server.started:
            return server, f"http://127.0.0.1:{port}"
        time.sleep(0.05)
    raise RuntimeError("the web server did not start within 20 s")
