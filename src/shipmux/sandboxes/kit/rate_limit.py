"""A per-key sliding-window rate limiter (N calls in any one-second window).

It uses the monotonic clock, not the simulated one: advancing the sandbox clock must
not hand out fresh quota, and a wall-clock jump must not block every caller.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class SlidingWindowRateLimiter:
    """Allow at most ``limit`` calls per key within any ``window_seconds``; 0 turns it off."""

    def __init__(
        self,
        limit: int,
        *,
        window_seconds: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window_seconds = window_seconds
        self._monotonic = monotonic
        self._calls: dict[str, deque[float]] = {}

    def acquire(self, key: str) -> float | None:
        """Record a call for ``key``; return ``None`` if allowed, else seconds until a slot frees.

        Rejected calls are not recorded, so a client that backs off is not punished twice.
        """
        if self.limit <= 0:
            return None
        now = self._monotonic()
        calls = self._calls.setdefault(key, deque())
        while calls and calls[0] <= now - self.window_seconds:
            calls.popleft()
        if len(calls) >= self.limit:
            return max(calls[0] + self.window_seconds - now, 0.0)
        calls.append(now)
        return None

    def reset(self) -> None:
        self._calls.clear()
