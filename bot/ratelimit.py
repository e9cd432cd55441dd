"""Per-user sliding-window limit on questions (in memory: it protects one process)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class UserRateLimiter:
    """At most `limit` questions per `window` seconds per user."""

    def __init__(self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic):
        if limit < 1 or window <= 0:
            raise ValueError("limit must be >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._seen: dict[int, deque[float]] = {}
        self._noticed: dict[int, float] = {}

    def check(self, user_id: int) -> float:
        """Record a question; 0 if allowed, else seconds until the user may ask again."""
        now = self._clock()
        times = self._seen.setdefault(user_id, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) >= self.limit:
            return self.window - (now - times[0])
        times.append(now)
        if len(self._seen) > 10_000:  # forget idle users so memory stays bounded
            self._seen = {u: q for u, q in self._seen.items() if q and now - q[-1] < self.window}
            self._noticed = {u: t for u, t in self._noticed.items() if now - t < self.window}
        return 0.0

    def should_notify(self, user_id: int) -> bool:
        """For a limited user: True once per window (tell them to wait), then False
        (stay silent), so a flood of 500 messages gets one notice, not 480."""
        now = self._clock()
        last = self._noticed.get(user_id)
        if last is not None and now - last < self.window:
            return False
        self._noticed[user_id] = now
        return True
