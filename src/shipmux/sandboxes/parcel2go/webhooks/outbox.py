"""Webhooks waiting to be delivered, the delivery log, and the delivery-order fault.

Pure bookkeeping with no I/O: the dispatcher asks ``due()`` what to send now, reports
each attempt, and the outbox decides retries (exponential backoff on the sandbox clock)
and when to give up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from shipmux.sandboxes.kit.clock import format_timestamp
from shipmux.sandboxes.kit.webhook_order import due_in_sending_order


@dataclass
class PendingDelivery:
    sequence: int
    client_id: str
    url: str
    envelope: dict[str, Any]
    next_attempt_at: datetime
    attempts: int = 0
    # Out-of-order fault: a delivery with no successor to swap with waits one pass.
    held_once: bool = False


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    sequence: int
    event_id: str
    event_type: str
    url: str
    attempt: int
    at: datetime
    status_code: int | None
    error: str | None
    duplicate: bool = False

    @property
    def delivered(self) -> bool:
        return self.status_code == 200

    def body(self) -> dict[str, Any]:
        return {
            "sequence": self.sequence,
            "id": self.event_id,
            "type": self.event_type,
            "url": self.url,
            "attempt": self.attempt,
            "at": format_timestamp(self.at),
            "statusCode": self.status_code,
            "error": self.error,
            "delivered": self.delivered,
            "duplicate": self.duplicate,
        }


@dataclass
class Outbox:
    pending: list[PendingDelivery] = field(default_factory=list)
    delivered: list[PendingDelivery] = field(default_factory=list)
    abandoned: list[PendingDelivery] = field(default_factory=list)
    attempts: list[AttemptRecord] = field(default_factory=list)
    # (OrderLineId, stage index) of every tracking stage already turned into a webhook.
    announced: set[tuple[int, int]] = field(default_factory=set)
    _sequence: int = 0

    def enqueue(self, client_id: str, url: str, envelope: dict[str, Any], now: datetime) -> None:
        self._sequence += 1
        self.pending.append(PendingDelivery(self._sequence, client_id, url, envelope, now))

    def due(self, now: datetime, *, out_of_order: bool) -> list[PendingDelivery]:
        """What to attempt now, in sending order."""
        return due_in_sending_order(self.pending, now, out_of_order=out_of_order)

    def record(
        self,
        item: PendingDelivery,
        record: AttemptRecord,
        *,
        now: datetime,
        max_attempts: int,
        retry_base_seconds: float,
    ) -> None:
        self.attempts.append(record)
        if record.duplicate:
            return
        item.attempts += 1
        if record.delivered:
            self._move(item, self.delivered)
        elif item.attempts >= max_attempts:
            self._move(item, self.abandoned)
        else:
            backoff = retry_base_seconds * 2 ** (item.attempts - 1)
            item.next_attempt_at = now + timedelta(seconds=backoff)

    def _move(self, item: PendingDelivery, target: list[PendingDelivery]) -> None:
        self.pending.remove(item)
        target.append(item)
