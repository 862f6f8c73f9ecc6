"""SlidingWindowRateLimiter and SandboxClock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shipmux.sandboxes.kit.clock import SandboxClock, format_timestamp, parse_timestamp
from shipmux.sandboxes.kit.rate_limit import SlidingWindowRateLimiter


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_sliding_window_per_key() -> None:
    clock = FakeMonotonic()
    limiter = SlidingWindowRateLimiter(2, monotonic=clock)
    assert limiter.acquire("a") is None
    clock.now += 0.5
    assert limiter.acquire("a") is None
    assert limiter.acquire("a") == pytest.approx(0.5)
    assert limiter.acquire("b") is None
    clock.now += 0.5  # the first call leaves the window
    assert limiter.acquire("a") is None
    assert limiter.acquire("a") is not None


def test_zero_turns_the_limiter_off() -> None:
    limiter = SlidingWindowRateLimiter(0)
    assert all(limiter.acquire("a") is None for _ in range(100))


def test_clock_advances_and_resets() -> None:
    clock = SandboxClock()
    before = clock.now()
    later = clock.advance(3600)
    assert (later - before).total_seconds() >= 3600
    with pytest.raises(ValueError, match="forward"):
        clock.advance(-1)
    clock.reset()
    assert clock.offset_seconds == 0


def test_timestamps() -> None:
    moment = datetime(2026, 2, 11, 17, 32, 26, 763419, tzinfo=UTC)
    assert format_timestamp(moment) == "2026-02-11T17:32:26.763419Z"
    assert parse_timestamp("2026-02-11T17:32:26.763419Z") == moment
    assert parse_timestamp("2026-02-11T18:32:26.763419+01:00") == moment
    assert parse_timestamp("2026-02-11T17:32:26.763419") == moment
    with pytest.raises(ValueError):
        parse_timestamp("soon")
