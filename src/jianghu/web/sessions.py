"""Browser sessions: a random id in an HttpOnly, SameSite=Strict cookie, the analyst and
the session's CSRF token kept here in memory (a restart logs everyone out, which is the
safe direction)."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass

COOKIE = "jianghu_session"
LIFETIME = 12 * 3600  # seconds: one working day


@dataclass(frozen=True)
class Session:
    analyst: str
    csrf: str
    expires: float


class Sessions:
    def __init__(self) -> None:
        self._by_id: dict[str, Session] = {}
        self._lock = threading.Lock()

    def start(self, analyst: str) -> tuple[str, Session]:
        sid = secrets.token_urlsafe(32)
        session = Session(analyst, secrets.token_urlsafe(32), time.time() + LIFETIME)
        with self._lock:
            self._by_id[sid] = session
        return sid, session

    def get(self, sid: str | None) -> Session | None:
        if not sid:
            return None
        with self._lock:
            session = self._by_id.get(sid)
            if session is not None and session.expires < time.time():
                del self._by_id[sid]
                return None
            return session

    def end(self, sid: str | None) -> None:
        with self._lock:
            self._by_id.pop(sid or "", None)
