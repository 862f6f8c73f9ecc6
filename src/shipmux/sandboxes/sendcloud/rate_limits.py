"""Sendcloud's rate limits: per account, shared by all of the account's keys (research §1.2).

"Unsafe" methods (POST, PATCH, PUT, DELETE) get 100 a minute with a burst of 15 a
second; "safe" ones 1,000 a minute. The kit's sliding windows run on the monotonic
clock, so advancing the sandbox clock hands out no fresh quota.
"""

from __future__ import annotations

from shipmux.sandboxes.kit.rate_limit import SlidingWindowRateLimiter
from shipmux.sandboxes.sendcloud.settings import RateLimitSettings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class AccountRateLimits:
    def __init__(self, settings: RateLimitSettings) -> None:
        self.unsafe_minute = SlidingWindowRateLimiter(0, window_seconds=60.0)
        self.unsafe_second = SlidingWindowRateLimiter(0, window_seconds=1.0)
        self.safe_minute = SlidingWindowRateLimiter(0, window_seconds=60.0)
        self.configure(settings)

    def configure(self, settings: RateLimitSettings) -> None:
        self.unsafe_minute.limit = settings.unsafe_per_minute
        self.unsafe_second.limit = settings.unsafe_burst_per_second
        self.safe_minute.limit = settings.safe_per_minute

    def allow(self, user_id: int, method: str) -> bool:
        key = str(user_id)
        if method.upper() in SAFE_METHODS:
            return self.safe_minute.acquire(key) is None
        # Check the burst first so a refused burst does not use up the minute's budget.
        if self.unsafe_second.acquire(key) is not None:
            return False
        return self.unsafe_minute.acquire(key) is None

    def reset(self) -> None:
        for limiter in (self.unsafe_minute, self.unsafe_second, self.safe_minute):
            limiter.reset()
