"""One pace per carrier account across every process of the hub.

The worker, the API and any further workers all call carriers for the same accounts;
with only a limiter per process, N processes would make N times the carrier's limit.
``SharedRateLimiter`` takes each call's slot from the database (``storage.rate_slots``)
and sleeps until it.

Slots are wall-clock seconds: processes on one host share the clock, and hosts are
expected to keep theirs in step (NTP); a skew of a few ms only shifts one call.
"""

from __future__ import annotations

import asyncio
import time

import structlog
from sqlalchemy.exc import SQLAlchemyError

from shipmux.carriers.http import SPACING_MARGIN, RateLimiter
from shipmux.storage.db import Database
from shipmux.storage.rate_slots import push_slot, take_slot

__all__ = ["SharedRateLimiter"]

log = structlog.get_logger(__name__)


class SharedRateLimiter:
    """At most ``rate`` calls per second for ``key``, counted across every process.

    If the database cannot be reached the limiter paces this process alone rather than
    stop carrier calls; the failure is logged once per outage.
    """

    def __init__(self, db: Database, key: str, rate: float) -> None:
        self.db = db
        self.key = key
        self.rate = rate
        self._turn = asyncio.Lock()  # this process's callers queue here, not on the row
        self._alone = RateLimiter(rate)
        self._failing = False
        self._pushes: set[asyncio.Task[None]] = set()

    async def acquire(self) -> None:
        if self.rate <= 0:
            return
        async with self._turn:
            try:
                slot = await asyncio.to_thread(
                    take_slot, self.db, self.key, SPACING_MARGIN / self.rate, time.time()
                )
            except SQLAlchemyError as exc:
                self._note_failure(exc)
                slot = None
            else:
                self._failing = False
        if slot is None:
            await self._alone.acquire()
            return
        wait = slot - time.time()
        if wait > 0:
            await asyncio.sleep(wait)

    def push_back(self, seconds: float) -> None:
        """After a 429: no process calls for this account before ``seconds`` pass."""
        self._alone.push_back(seconds)
        until = time.time() + seconds
        task = asyncio.get_running_loop().create_task(self._push(until))
        self._pushes.add(task)  # kept until done: the loop holds tasks only weakly
        task.add_done_callback(self._pushes.discard)

    async def _push(self, until: float) -> None:
        try:
            await asyncio.to_thread(push_slot, self.db, self.key, until)
        except SQLAlchemyError as exc:
            self._note_failure(exc)

    def _note_failure(self, exc: SQLAlchemyError) -> None:
        if not self._failing:
            log.warning("rate_slots.unavailable", key=self.key, error=type(exc).__name__)
        self._failing = True
