"""Webhooks waiting to be delivered, the attempt log, and the delivery-order fault.

Pure bookkeeping with no I/O, shared by sandboxes whose carrier pushes webhooks: the
dispatcher (``kit.webhook_delivery``) asks ``due()`` what to send now and reports each
attempt; the outbox decides retries on the sandbox clock and when to give up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from shipmux.sandboxes.kit.clock import format_timestamp
from shipmux.sandboxes.kit.webhook_order import due_in_sending_order


@dataclass
class PendingDelivery:
    """One webhook: what to POST where, and how far its delivery has got."""

    sequence: int
    owner: str
    url: str
    # JSON-able data, serialised when sent; or ``bytes``, sent exactly as they are (for
    # carriers that sign the body bytes).
    payload: Any
    headers: Mapping[str, str]
    event_id: str
    next_attempt_at: datetime
    attempts: int = 0
    # Out-of-order fault: a delivery with no successor to swap with waits one pass.
    held_once: bool = False


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    sequence: int
    event_id: str
    url: str
    attempt: int
    at: datetime
    status_code: int | None
    error: str | None
    duplicate: bool = False
    # Whether any 2xx answer counts as delivered (otherwise only 200 does).
    any_2xx: bool = False

    @property
    def delivered(self) -> bool:
        if self.any_2xx:
            return self.status_code is not None and 200 <= self.status_code < 300
        return self.status_code == 200

    def body(self) -> dict[str, Any]:
        return {
            "sequence": self.sequence,
            "id": self.event_id,
            "url": self.url,
            "attempt": self.attempt,
            "at": format_timestamp(self.at),
            "statusCode": self.status_code,
            "error": self.error,
            "delivered": self.delivered,
            "duplicate": self.duplicate,
        }


RetryDelay = Callable[[int], float]
"""Seconds of sandbox-clock time to wait after the n-th failed attempt (n from 1)."""


@dataclass
class Outbox:
    pending: list[PendingDelivery] = field(default_factory=list)
    delivered: list[PendingDelivery] = field(default_factory=list)
    abandoned: list[PendingDelivery] = field(default_factory=list)
    attempts: list[AttemptRecord] = field(default_factory=list)
    _sequence: int = 0

    def enqueue(
        self,
        *,
        owner: str,
        url: str,
        payload: Any,
        headers: Mapping[str, str],
        event_id: str,
        now: datetime,
    ) -> PendingDelivery:
        self._sequence += 1
        item = PendingDelivery(self._sequence, owner, url, payload, dict(headers), event_id, now)
        self.pending.append(item)
        return item

    def due(self, now: datetime, *, out_of_order: bool) -> list[PendingDelivery]:
        """What to attempt now, in sending order (``kit.webhook_order`` has the rules)."""
        return due_in_sending_order(self.pending, now, out_of_order=out_of_order)

    def record(
        self,
        item: PendingDelivery,
        record: AttemptRecord,
        *,
        now: datetime,
        max_attempts: int,
        retry_delay: RetryDelay,
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
            item.next_attempt_at = now + timedelta(seconds=retry_delay(item.attempts))

    def _move(self, item: PendingDelivery, target: list[PendingDelivery]) -> None:
        self.pending.remove(item)
        target.append(item)
