"""How the web workspace is served: where, against which store, for whom."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8411
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]", "::1")


def is_loopback(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class WebConfig:
    db_url: str
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    extra_hosts: tuple[str, ...] = ()  # further Host header names to accept (a proxy's)
    secure_cookies: bool = False  # set when served over HTTPS (behind a TLS proxy)

    def allowed_hosts(self) -> frozenset[str]:
        """Host header values the server answers: anything else is a DNS-rebinding
        attempt (a hostile page whose name now resolves to 127.0.0.1)."""
        names = {self.host, *self.extra_hosts}
        if is_loopback(self.host):
            names.update(LOOPBACK_NAMES)
        out = set()
        for name in names:
            shown = f"[{name}]" if ":" in name and not name.startswith("[") else name
            out.update({shown.lower(), f"{shown.lower()}:{self.port}"})
        return frozenset(out)
