"""Webhooks waiting to be delivered, the delivery log, and the delivery-order fault.

Pure bookkeeping with no I/O: the dispatcher asks ``due()`` what to send now and reports
each attempt; the outbox schedules retries on the sandbox clock the way Sendcloud does
(research §1.6: 10 retries, exponential from 5 minutes, at most 1 hour apart).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from shipmux.sandboxes.kit.clock import format_timestamp
from shipmux.sandboxes.kit.webhook_order import due_in_sending_order
from shipmux.sandboxes.sendcloud.settings import WebhookSettings


@dataclass
class PendingDelivery:
    sequence: int
    integration_id: int
    url: str
    body: bytes
    headers: dict[str, str]
    next_attempt_at: datetime
    attempts: int = 0
    # Out-of-order fault: a first delivery with no successor to swap with waits one pass.
    held_once: bool = False


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    sequence: int
    url: str
    attempt: int
    at: datetime
    status_code: int | None
    error: str | None
    duplicate: bool = False

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    def body(self) -> dict[str, Any]:
        return {
            "sequence": self.sequence,
            "url": self.url,
            "attempt": self.attempt,
            "at": format_timestamp(self.at),
            "status_code": self.status_code,
            "error": self.error,
            "delivered": self.delivered,
            "duplicate": self.duplicate,
        }


def retry_delay(failed_attempts: int, settings: WebhookSettings) -> float:
    """Seconds to wait after the ``failed_attempts``-th failure: 5 min, 10, 20, 40, 60, 60..."""
    delay = settings.first_retry_delay_seconds * 2 ** (failed_attempts - 1)
    return float(min(delay, settings.max_retry_delay_seconds))


@dataclass
class Outbox:
    pending: list[PendingDelivery] = field(default_factory=list)
    delivered: list[PendingDelivery] = field(default_factory=list)
    abandoned: list[PendingDelivery] = field(default_factory=list)
    attempts: list[AttemptRecord] = field(default_factory=list)
    # (parcel id, journey index) of every status already turned into a webhook.
    announced: set[tuple[int, int]] = field(default_factory=set)
    _sequence: int = 0

    def enqueue(
        self, integration_id: int, url: str, body: bytes, headers: dict[str, str], now: datetime
    ) -> None:
        self._sequence += 1
        self.pending.append(
            PendingDelivery(self._sequence, integration_id, url, body, headers, now)
        )

    def due(self, now: datetime, *, out_of_order: bool) -> list[PendingDelivery]:
        """What to attempt now, in sending order."""
        return due_in_sending_order(self.pending, now, out_of_order=out_of_order)

    def record(
        self,
        item: PendingDelivery,
        record: AttemptRecord,
        *,
        now: datetime,
        settings: WebhookSettings,
    ) -> None:
        self.attempts.append(record)
        if record.duplicate:
            return
        item.attempts += 1
        if record.delivered:
            self._move(item, self.delivered)
        elif item.attempts > settings.max_retries:
            self._move(item, self.abandoned)
        else:
            item.next_attempt_at = now + timedelta(seconds=retry_delay(item.attempts, settings))

    def _move(self, item: PendingDelivery, target: list[PendingDelivery]) -> None:
        self.pending.remove(item)
        target.append(item)
