"""The worker process loop: claim due jobs, run them concurrently, keep the pipe full."""

from __future__ import annotations

import asyncio
import os
import socket
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import structlog

from shipmux.services.context import HubContext
from shipmux.services.outbox import JobKind
from shipmux.worker.dispatch import Dispatcher
from shipmux.worker.notifications import WebhookSender
from shipmux.worker.outbox import ClaimedJob, claim
from shipmux.worker.polling import Poller

__all__ = ["Worker", "group_jobs"]

log = structlog.get_logger(__name__)


# Jobs of other kinds for one account are read together in groups this large (each is
# still its own carrier call and its own attempt).
READ_GROUP = 50


def group_jobs(
    jobs: Sequence[ClaimedJob], batch_sizes: dict[tuple[str, str], int]
) -> list[list[ClaimedJob]]:
    """Jobs of one kind and account go together, up to the carrier's batch for that kind."""
    by_kind: dict[tuple[str, str | None], list[ClaimedJob]] = defaultdict(list)
    for job in jobs:
        by_kind[(job.kind, job.account_id)].append(job)
    groups: list[list[ClaimedJob]] = []
    for (kind, account_id), batch in by_kind.items():
        if account_id is None:
            groups.extend([job] for job in batch)
            continue
        default = 1 if kind == JobKind.SUBMIT else READ_GROUP
        size = max(1, batch_sizes.get((account_id, kind), default))
        groups.extend(batch[i : i + size] for i in range(0, len(batch), size))
    return groups


class Worker:
    def __init__(self, ctx: HubContext, worker_id: str | None = None) -> None:
        self.ctx = ctx
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}"
        self.dispatcher = Dispatcher(ctx, self.worker_id)
        self.webhooks = WebhookSender(ctx, self.worker_id)
        self.poller = Poller(ctx, self.worker_id)
        self._in_flight: set[asyncio.Task[None]] = set()
        self._freed = asyncio.Event()
        self._claimed = 0

    def _batch_sizes(self) -> dict[tuple[str, str], int]:
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
        await asyncio.gather(*(self._run_group(g) for g in groups))
        return len(jobs)

    async def run(self, stop: asyncio.Event) -> None:
        """Until ``stop`` is set: keep up to ``claim_size`` jobs in flight."""
        ws = self.ctx.settings.worker
        # Database reads, group commits and label files all hop to threads; the default
        # pool (cores + 4) would leave carrier slots waiting for a thread.
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(max_workers=ws.concurrency + 4, thread_name_prefix="worker-io")
        )
        log.info("worker.started", worker=self.worker_id)
        # Merchant webhooks have their own loop and queue: a slow merchant never holds
        # up carrier work, nor the other way round.
        notifying = asyncio.create_task(self.webhooks.run(stop))
        # Tracking polls (and the daily sweep) become track jobs this loop then runs.
        polling = asyncio.create_task(self.poller.run(stop))
        while not stop.is_set():
            room = ws.claim_size - self._claimed
            # Claim in chunks (a quarter of the room at least), not one job per finish.
            if room >= max(1, ws.claim_size // 4):
                jobs = await asyncio.to_thread(
                    claim, self.ctx.db, self.worker_id, room, ws.lease_seconds
                )
                if jobs:
                    sizes = await asyncio.to_thread(self._batch_sizes)
                    for group in group_jobs(jobs, sizes):
                        self._spawn(group)
                if len(jobs) == room:
                    continue  # there may be more due: claim again while there is room
            self._freed.clear()
            await self._sleep(stop, ws.idle_sleep_seconds)
        if self._in_flight:
            await asyncio.wait(self._in_flight)
        await notifying
        await polling
        await self.ctx.carriers.aclose()
        log.info("worker.stopped", worker=self.worker_id)

    def _spawn(self, group: list[ClaimedJob]) -> None:
        self._claimed += len(group)

        async def guarded() -> None:
            try:
                await self._run_group(group)
            finally:
                self._claimed -= len(group)
                self._freed.set()

        task = asyncio.create_task(guarded())
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _run_group(self, group: list[ClaimedJob]) -> None:
        try:
            await self.dispatcher.run(group)
        except Exception:
            # The jobs stay claimed and return when their lease ends; nothing is lost.
            log.exception("worker.group_failed", jobs=[j.id for j in group])

    async def _sleep(self, stop: asyncio.Event, seconds: float) -> None:
        """Until ``stop``, a finished group (room to claim) or ``seconds`` (new jobs due)."""
        waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._freed.wait())]
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        for waiter in waiters:
            waiter.cancel()
