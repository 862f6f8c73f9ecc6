"""The worker process loop: claim due jobs, run them concurrently, keep the pipe full."""

from __future__ import annotations

import asyncio
import os
import socket
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import structlog

from shipmux.services.context import HubContext
from shipmux.services.outbox import JobKind
from shipmux.worker.dispatch import Dispatcher
from shipmux.worker.outbox import ClaimedJob, claim

__all__ = ["Worker", "group_jobs"]

log = structlog.get_logger(__name__)


def group_jobs(jobs: Sequence[ClaimedJob], batch_sizes: dict[str, int]) -> list[list[ClaimedJob]]:
    """Submit jobs of one account go together up to the carrier's batch size; others alone."""
    groups: list[list[ClaimedJob]] = []
    submits: dict[str, list[ClaimedJob]] = defaultdict(list)
    for job in jobs:
        if job.kind == JobKind.SUBMIT and job.account_id is not None:
            submits[job.account_id].append(job)
        else:
            groups.append([job])
    for account_id, batch in submits.items():
        size = max(1, batch_sizes.get(account_id, 1))
        groups.extend(batch[i : i + size] for i in range(0, len(batch), size))
    return groups


class Worker:
    def __init__(self, ctx: HubContext, worker_id: str | None = None) -> None:
        self.ctx = ctx
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}"
        self.dispatcher = Dispatcher(ctx, self.worker_id)
        self._in_flight: set[asyncio.Task[None]] = set()
        self._claimed = 0

    def _batch_sizes(self) -> dict[str, int]:
        # The connector class knows its batch size; accounts map to carriers once claimed.
        return self.dispatcher.batch_sizes()

    async def run_once(self) -> int:
        """Claim and run one round to completion (tests and the benchmark drive this)."""
        jobs = await asyncio.to_thread(
            claim,
            self.ctx.db,
            self.worker_id,
            self.ctx.settings.worker.claim_size,
            self.ctx.settings.worker.lease_seconds,
        )
        groups = group_jobs(jobs, await asyncio.to_thread(self._batch_sizes))
        sem = asyncio.Semaphore(self.ctx.settings.worker.concurrency)

        async def guarded(group: list[ClaimedJob]) -> None:
            async with sem:
                await self._run_group(group)

        await asyncio.gather(*(guarded(g) for g in groups))
        return len(jobs)

    async def run(self, stop: asyncio.Event) -> None:
        """Until ``stop`` is set: keep up to ``claim_size`` jobs in flight."""
        ws = self.ctx.settings.worker
        sem = asyncio.Semaphore(ws.concurrency)
        log.info("worker.started", worker=self.worker_id)
        while not stop.is_set():
            room = ws.claim_size - self._claimed
            jobs: list[ClaimedJob] = []
            if room > ws.claim_size // 4:
                jobs = await asyncio.to_thread(
                    claim, self.ctx.db, self.worker_id, room, ws.lease_seconds
                )
            for group in group_jobs(jobs, await asyncio.to_thread(self._batch_sizes)):
                self._spawn(group, sem)
            if not jobs:
                await self._wait(stop, ws.idle_sleep_seconds)
            elif self._claimed >= ws.claim_size:
                await asyncio.wait(self._in_flight, return_when=asyncio.FIRST_COMPLETED)
        if self._in_flight:
            await asyncio.wait(self._in_flight)
        await self.ctx.carriers.aclose()
        log.info("worker.stopped", worker=self.worker_id)

    def _spawn(self, group: list[ClaimedJob], sem: asyncio.Semaphore) -> None:
        self._claimed += len(group)

        async def guarded() -> None:
            try:
                async with sem:
                    await self._run_group(group)
            finally:
                self._claimed -= len(group)

        task = asyncio.create_task(guarded())
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _run_group(self, group: list[ClaimedJob]) -> None:
        try:
            await self.dispatcher.run(group)
        except Exception:
            # The jobs stay claimed and return when their lease ends; nothing is lost.
            log.exception("worker.group_failed", jobs=[j.id for j in group])

    async def _wait(self, stop: asyncio.Event, seconds: float) -> None:
        """Sleep until ``stop``, a finished job (room to claim more) or ``seconds``."""
        stopper: asyncio.Future[bool] = asyncio.ensure_future(stop.wait())
        waiters: set[asyncio.Future[Any]] = {stopper, *self._in_flight}
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
