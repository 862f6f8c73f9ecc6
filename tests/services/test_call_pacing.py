"""An account's carrier calls keep one pace across processes (each limiter is one process)."""

from __future__ import annotations

import asyncio
import itertools
import time
from pathlib import Path

import pytest

from shipmux.carriers.http import SPACING_MARGIN, RateLimiter
from shipmux.services.call_pacing import SharedRateLimiter
from shipmux.services.context import HubContext
from shipmux.storage.db import Database

pytestmark = pytest.mark.anyio

RATE = 20.0
SPACING = SPACING_MARGIN / RATE


async def _calls(limiter: SharedRateLimiter | RateLimiter, count: int) -> list[float]:
    times = []
    for _ in range(count):
        await limiter.acquire()
        times.append(time.time())
    return times


def _gaps(times: list[float]) -> list[float]:
    ordered = sorted(times)
    return [b - a for a, b in itertools.pairwise(ordered)]


def _busiest(times: list[float], window: float) -> int:
    """The most calls in any ``window`` seconds."""
    ordered = sorted(times)
    return max(sum(1 for t in ordered if start <= t < start + window) for start in ordered)


# In half a second 20/s allows 10 calls (one more at the window's edge, one more for a
# late timer joining the next call).
WINDOW, MOST = 0.5, 12


async def test_two_processes_limiters_share_one_pace(hub: HubContext) -> None:
    first = SharedRateLimiter(hub.db, "account:x", RATE)
    second = SharedRateLimiter(hub.db, "account:x", RATE)
    started = time.time()
    a, b = await asyncio.gather(_calls(first, 8), _calls(second, 8))
    assert _busiest(a + b, WINDOW) <= MOST
    assert max(a + b) - started >= 15 * SPACING  # a slot each, the first at the earliest now


async def test_limiters_of_their_own_would_not_share(hub: HubContext) -> None:
    # The same load on two process-local limiters: calls collide (what the rows prevent).
    a, b = await asyncio.gather(_calls(RateLimiter(RATE), 8), _calls(RateLimiter(RATE), 8))
    assert _busiest(a + b, WINDOW) > MOST


async def test_a_429_seen_by_one_process_holds_back_the_other(hub: HubContext) -> None:
    first = SharedRateLimiter(hub.db, "account:y", RATE)
    second = SharedRateLimiter(hub.db, "account:y", RATE)
    await first.acquire()
    first.push_back(0.6)
    await asyncio.sleep(0.1)  # the push is written in the background
    started = time.time()
    await second.acquire()
    assert time.time() - started > 0.4


async def test_without_its_database_a_limiter_paces_this_process_alone(tmp_path: Path) -> None:
    broken = Database(f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}")
    limiter = SharedRateLimiter(broken, "account:z", RATE)
    times = await _calls(limiter, 4)
    assert min(_gaps(times)) > SPACING - 0.005
    broken.dispose()
