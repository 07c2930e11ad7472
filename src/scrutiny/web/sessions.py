"""Login sessions of the web workbench, held in the server's memory.

A session is a random 256-bit token in an HttpOnly, SameSite=Strict cookie; the server keeps
who it belongs to, that user's role, a CSRF token for the forms of the session, and when it
ends (:data:`IDLE` without a request, or :data:`LIFETIME` after login). Restarting the
server logs everyone out. The role is read again from the catalog on every request (see
``web.app``), so disabling an account or lowering a role takes effect at once.

Failed logins are counted per user name: after :data:`MAX_FAILURES` within :data:`WINDOW`
seconds the name is locked for the rest of the window (scrypt already makes each guess slow).
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

IDLE = 2 * 3600.0
LIFETIME = 12 * 3600.0
MAX_FAILURES = 5
WINDOW = 15 * 60.0
COOKIE = "scrutiny_session"
LOGIN_COOKIE = "scrutiny_login"


@dataclass
class Session:
    token: str
    user: str
    csrf: str
    started: float
    seen: float = field(default=0.0)


def same(a: str | None, b: str | None) -> bool:
    """Constant-time equality of two tokens (False when either is missing)."""
    if not a or not b:
        return False
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


class Sessions:
    def __init__(self, idle: float = IDLE, lifetime: float = LIFETIME,
                 clock: Callable[[], float] | None = None) -> None:
        self.idle, self.lifetime = idle, lifetime
        self._clock: Callable[[], float] = clock or time.monotonic
        self._by_token: dict[str, Session] = {}
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def start(self, user: str) -> Session:
        now = self._clock()
        s = Session(secrets.token_urlsafe(32), user, secrets.token_urlsafe(32), now, now)
        with self._lock:
            self._by_token[s.token] = s
            self._failures.pop(user, None)
        return s

    def get(self, token: str | None) -> Session | None:
        if not token:
            return None
        now = self._clock()
        with self._lock:
            s = self._by_token.get(token)
            if s is None:
                return None
            if now - s.seen > self.idle or now - s.started > self.lifetime:
                del self._by_token[token]
                return None
            s.seen = now
            return s

    def end(self, token: str | None) -> None:
        with self._lock:
            self._by_token.pop(token or "", None)

    def end_user(self, user: str) -> None:
        """Log a user out everywhere (their account was disabled or their password set)."""
        with self._lock:
            for token in [t for t, s in self._by_token.items() if s.user == user]:
                del self._by_token[token]

    def locked(self, user: str) -> bool:
        now = self._clock()
        with self._lock:
            recent = [t for t in self._failures.get(user, []) if now - t < WINDOW]
            self._failures[user] = recent
            return len(recent) >= MAX_FAILURES

    def failed(self, user: str) -> None:
        with self._lock:
            self._failures.setdefault(user, []).append(self._clock())
