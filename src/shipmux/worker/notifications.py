"""The merchant webhook loop: claim due deliveries, POST them signed, record every try.

Runs beside the outbox loop in each worker process. Deliveries of one claim round
to one endpoint about one shipment go one after another, oldest first (order kept
where it costs nothing); everything else is sent concurrently. A failing delivery
never holds back later ones: it waits for its own next try.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

import httpx
import structlog

from shipmux.services.context import HubContext
from shipmux.services.notifications.queue import (
    ClaimedDelivery,
    TryResult,
    claim_deliveries,
    record_try,
)
from shipmux.services.notifications.signing import signed_headers
from shipmux.services.notifications.transport import AddressNotAllowed, PublicOnlyTransport

__all__ = ["WebhookSender", "in_order"]

log = structlog.get_logger(__name__)

_BODY_EXCERPT = 200


def in_order(deliveries: Sequence[ClaimedDelivery]) -> list[list[ClaimedDelivery]]:
    """Chains to send one after another: per endpoint and shipment, in claim order."""
    chains: dict[tuple[str, str | None], list[ClaimedDelivery]] = defaultdict(list)
    for delivery in deliveries:
        chains[(delivery.endpoint_id, delivery.shipment_id)].append(delivery)
    return list(chains.values())


class WebhookSender:
    """Delivers merchant webhooks for one worker process."""

    def __init__(
        self, ctx: HubContext, worker_id: str, client: httpx.AsyncClient | None = None
    ) -> None:
        self.ctx = ctx
        self.worker_id = worker_id
        self.client = client or _merchant_client(ctx)
        self._slots = asyncio.Semaphore(ctx.settings.worker.concurrency)
        self._rng = random.Random()  # spreads retries (queue.jittered)

    async def run_once(self) -> int:
        """Claim one round and send it to completion; how many were claimed."""
        ws = self.ctx.settings.worker
        claimed = await asyncio.to_thread(
            claim_deliveries,
            self.ctx.db,
            self.ctx.secret_box,
            self.worker_id,
            ws.webhook_claim_size,
            ws.lease_seconds,
        )
        await asyncio.gather(*(self._send_chain(chain) for chain in in_order(claimed)))
        return len(claimed)

    async def run(self, stop: asyncio.Event) -> None:
        """Until ``stop`` is set; then close the HTTP client."""
        ws = self.ctx.settings.worker
        idle = ws.idle_sleep_seconds
        try:
            while not stop.is_set():
                try:
                    claimed = await self.run_once()
                except Exception:
                    # Unsettled deliveries return when their lease ends; keep the loop alive.
                    log.exception("webhooks.round_failed")
                    claimed = 0
                if claimed >= ws.webhook_claim_size:
                    idle = ws.idle_sleep_seconds
                    continue
                if claimed:
                    idle = ws.idle_sleep_seconds
                await _wait(stop, idle)
                if not claimed:
                    # Each empty round takes the database's write lock (SQLite) only to
                    # find nothing: while nothing comes, poll less often (up to
                    # _IDLE_CAP apart), so an idle webhook loop does not keep queueing
                    # ahead of the outbox's claims and group commits.
                    idle = min(idle * 2, max(ws.idle_sleep_seconds, _IDLE_CAP))
        finally:
            await self.client.aclose()

    async def aclose(self) -> None:
        await self.client.aclose()

    async def _send_chain(self, chain: list[ClaimedDelivery]) -> None:
        for delivery in chain:
            async with self._slots:
                result = await self._post(delivery)
            state = await asyncio.to_thread(
                record_try,
                self.ctx.db,
                delivery,
                self.worker_id,
                result,
                self.ctx.settings.worker.webhook_retry_seconds,
                self._rng,
            )
            log.info(
                "webhooks.try",
                delivery=delivery.id,
                endpoint=delivery.endpoint_id,
                status=result.status,
                state=state,
            )

    async def _post(self, delivery: ClaimedDelivery) -> TryResult:
        headers = signed_headers(
            delivery.secrets, delivery.message_id, datetime.now(UTC), delivery.body
        )
        started = time.perf_counter()
        try:
            response = await self.client.post(
                delivery.url, content=delivery.body.encode(), headers=headers
            )
        except AddressNotAllowed as exc:
            # Refused before connecting; retried like any failure, in case DNS was wrong.
            log.warning("webhooks.address_not_allowed", delivery=delivery.id, reason=str(exc))
            return TryResult(None, _ms(started), str(exc))
        except httpx.TimeoutException:
            return TryResult(None, _ms(started), "timed out")
        except httpx.HTTPError as exc:
            return TryResult(None, _ms(started), f"{type(exc).__name__}: {exc}")
        error = None
        if not 200 <= response.status_code < 300:
            error = f"HTTP {response.status_code}: {response.text[:_BODY_EXCERPT]}"
        return TryResult(response.status_code, _ms(started), error)


# The longest an idle webhook loop waits between rounds (unless idle_sleep is longer).
_IDLE_CAP = 0.5


def _merchant_client(ctx: HubContext) -> httpx.AsyncClient:
    # Only public addresses, checked as each connection opens (a tenant chooses the
    # URL: see services/notifications/addresses.py), unless the settings allow private
    # ones for development. No redirects: a signed event goes where the tenant
    # registered it, nowhere else (and a redirect could point anywhere).
    private_ok = ctx.settings.allow_private_webhook_urls
    return httpx.AsyncClient(
        timeout=ctx.settings.worker.webhook_timeout_seconds,
        follow_redirects=False,
        transport=None if private_ok else PublicOnlyTransport(),
    )


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        pass
