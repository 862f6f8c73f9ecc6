"""Background delivery of webhooks, started lazily from requests.

The sandbox is mounted inside the hub, where a mounted app's lifespan never runs, so
the delivery task is started (and woken) by the app's middleware around each request.
It polls while anything is pending or a webhook-enabled parcel still has statuses to
reach, then ends; ``flush()`` runs one pass on demand.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from typing import Protocol

import httpx

from shipmux.sandboxes.kit.clock import SandboxClock
from shipmux.sandboxes.sendcloud.settings import WebhookSettings
from shipmux.sandboxes.sendcloud.webhooks.outbox import AttemptRecord, Outbox, PendingDelivery

logger = logging.getLogger(__name__)


class WebhookSource(Protocol):
    clock: SandboxClock
    outbox: Outbox

    @property
    def webhook_settings(self) -> WebhookSettings: ...

    def collect_webhooks(self, now: datetime) -> None:
        """Enqueue a webhook for every status change that has happened by ``now``."""

    def has_webhook_work(self) -> bool:
        """Whether anything is pending or still to happen for a webhook-enabled integration."""


class WebhookDispatcher:
    def __init__(self, source: WebhookSource) -> None:
        self._source = source
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
            # A new event loop (restarted server, test client): old primitives are unusable.
            self._loop = loop
            self._task = None
            self._lock = asyncio.Lock()
            self._wake = asyncio.Event()
        if self.running:
            self._wake.set()
            return
        if self._source.has_webhook_work():
            self._task = loop.create_task(self._run(), name="sendcloud-sandbox-webhooks")

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
                logger.exception("sendcloud sandbox: webhook pass failed")
            if not self._source.has_webhook_work():
                return
            self._wake.clear()
            poll = self._source.webhook_settings.poll_interval_seconds
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=poll)

    async def _pass(self) -> list[AttemptRecord]:
        async with self._lock:
            source = self._source
            settings = source.webhook_settings
            source.collect_webhooks(source.clock.now())
            due = source.outbox.due(source.clock.now(), out_of_order=settings.out_of_order)
            if not due:
                return []
            records: list[AttemptRecord] = []
            async with httpx.AsyncClient(timeout=settings.timeout_seconds) as client:
                for item in due:
                    records.extend(await self._deliver(client, item, settings))
            return records

    async def _deliver(
        self, client: httpx.AsyncClient, item: PendingDelivery, settings: WebhookSettings
    ) -> list[AttemptRecord]:
        outbox = self._source.outbox
        first = await self._post(client, item, duplicate=False)
        outbox.record(item, first, now=self._source.clock.now(), settings=settings)
        if not (first.delivered and settings.duplicate):
            return [first]
        second = await self._post(client, item, duplicate=True)
        outbox.record(item, second, now=self._source.clock.now(), settings=settings)
        return [first, second]

    async def _post(
        self, client: httpx.AsyncClient, item: PendingDelivery, *, duplicate: bool
    ) -> AttemptRecord:
        status: int | None = None
        error: str | None = None
        try:
            response = await client.post(item.url, content=item.body, headers=item.headers)
            status = response.status_code
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        return AttemptRecord(
            sequence=item.sequence,
            url=item.url,
            attempt=item.attempts + (0 if duplicate else 1),
            at=self._source.clock.now(),
            status_code=status,
            error=error,
            duplicate=duplicate,
        )
