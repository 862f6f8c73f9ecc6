"""The webhook delivery loop: an asyncio task started lazily from request handling.

A sandbox is also mounted inside the hub's app, where a mounted app's lifespan never
runs, so the loop cannot be started at startup. Instead ``ensure_running()`` is called
around every request: it starts the task when there is webhook work, or wakes it. The
task ends by itself once ``has_webhook_work()`` says nothing is left; ``stop()`` (the
app's lifespan, when it runs) and the event loop's shutdown cancel it otherwise.
``flush()`` runs one pass on demand.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from typing import Protocol

import httpx

from shipmux.sandboxes.kit.clock import SandboxClock
from shipmux.sandboxes.kit.jsonio import dumps
from shipmux.sandboxes.kit.webhook_outbox import AttemptRecord, Outbox, PendingDelivery

logger = logging.getLogger(__name__)


class DeliverySettings(Protocol):
    """The webhook settings every carrier's sandbox has, the delivery faults among them."""

    @property
    def timeout_seconds(self) -> float: ...

    @property
    def poll_interval_seconds(self) -> float: ...

    @property
    def duplicate(self) -> bool: ...

    @property
    def out_of_order(self) -> bool: ...


class DeliveryPolicy(DeliverySettings, Protocol):
    """How delivery behaves: the carrier's documented rules plus the delivery faults."""

    @property
    def max_attempts(self) -> int: ...

    def retry_delay(self, attempts: int) -> float:
        """Sandbox-clock seconds to wait after the ``attempts``-th failure."""


class WebhookSource(Protocol):
    """What the dispatcher needs from a sandbox's state."""

    clock: SandboxClock
    outbox: Outbox

    @property
    def delivery_policy(self) -> DeliveryPolicy: ...

    def collect_webhooks(self, now: datetime) -> None:
        """Enqueue a webhook for everything that has happened by ``now``."""

    def has_webhook_work(self) -> bool:
        """Whether anything is pending or still to happen for a webhook-enabled account."""


class WebhookDispatcher:
    def __init__(self, source: WebhookSource, *, name: str, any_2xx: bool = False) -> None:
        """``any_2xx``: any 2xx answer counts as delivered (otherwise only a 200 does)."""
        self._source = source
        self._name = name
        self._any_2xx = any_2xx
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def ensure_running(self) -> None:
        """Start the delivery task if there is work, else nothing; never blocks."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            # A new event loop (a restarted server, a test client): the old task, lock
            # and event belong to the old loop and cannot be used here.
            self._loop = loop
            self._task = None
            self._lock = asyncio.Lock()
            self._wake = asyncio.Event()
        if self.running:
            self._wake.set()
            return
        if self._source.has_webhook_work():
            self._task = loop.create_task(self._run(), name=f"{self._name}-webhooks")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def flush(self) -> list[AttemptRecord]:
        """Deliver everything due right now (one pass) and report the attempts made."""
        self.ensure_running()
        return await self._pass()

    async def _run(self) -> None:
        while True:
            try:
                await self._pass()
            except Exception:  # one bad pass must not end delivery for good
                logger.exception("%s sandbox: webhook pass failed", self._name)
            if not self._source.has_webhook_work():
                return
            self._wake.clear()
            poll = self._source.delivery_policy.poll_interval_seconds
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=poll)

    async def _pass(self) -> list[AttemptRecord]:
        async with self._lock:
            source = self._source
            policy = source.delivery_policy
            source.collect_webhooks(source.clock.now())
            due = source.outbox.due(source.clock.now(), out_of_order=policy.out_of_order)
            if not due:
                return []
            records: list[AttemptRecord] = []
            async with httpx.AsyncClient(timeout=policy.timeout_seconds) as client:
                for item in due:
                    records.extend(await self._deliver(client, item, policy))
            return records

    async def _deliver(
        self, client: httpx.AsyncClient, item: PendingDelivery, policy: DeliveryPolicy
    ) -> list[AttemptRecord]:
        outbox = self._source.outbox
        first = await self._post(client, item, duplicate=False)
        outbox.record(
            item,
            first,
            now=self._source.clock.now(),
            max_attempts=policy.max_attempts,
            retry_delay=policy.retry_delay,
        )
        if not (first.delivered and policy.duplicate):
            return [first]
        second = await self._post(client, item, duplicate=True)
        outbox.record(
            item,
            second,
            now=self._source.clock.now(),
            max_attempts=0,
            retry_delay=policy.retry_delay,
        )
        return [first, second]

    async def _post(
        self, client: httpx.AsyncClient, item: PendingDelivery, *, duplicate: bool
    ) -> AttemptRecord:
        status: int | None = None
        error: str | None = None
        try:
            content = item.payload if isinstance(item.payload, bytes) else dumps(item.payload)
            response = await client.post(
                item.url,
                content=content,
                headers={"Content-Type": "application/json", **item.headers},
            )
            status = response.status_code
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        return AttemptRecord(
            sequence=item.sequence,
            event_id=item.event_id,
            url=item.url,
            attempt=item.attempts + (0 if duplicate else 1),
            at=self._source.clock.now(),
            status_code=status,
            error=error,
            duplicate=duplicate,
            any_2xx=self._any_2xx,
        )
