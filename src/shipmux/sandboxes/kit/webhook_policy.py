"""A ``kit.webhook_delivery.DeliveryPolicy`` with exponential backoff, for any carrier.

The carrier's webhook settings give the timeout, the poll interval and the two delivery
faults; the carrier says what its attempt budget is and how its backoff runs: after the
n-th failed attempt, wait ``first_delay_seconds * 2**(n-1)`` of sandbox-clock time, at
most ``max_delay_seconds`` when there is a cap.
"""

from __future__ import annotations

from dataclasses import dataclass

from shipmux.sandboxes.kit.webhook_delivery import DeliverySettings


@dataclass(frozen=True, slots=True)
class BackoffPolicy:
    settings: DeliverySettings
    max_attempts: int
    first_delay_seconds: float
    max_delay_seconds: float | None = None

    @property
    def timeout_seconds(self) -> float:
        return self.settings.timeout_seconds

    @property
    def poll_interval_seconds(self) -> float:
        return self.settings.poll_interval_seconds

    @property
    def duplicate(self) -> bool:
        return self.settings.duplicate

    @property
    def out_of_order(self) -> bool:
        return self.settings.out_of_order

    def retry_delay(self, attempts: int) -> float:
        delay = self.first_delay_seconds * 2 ** (attempts - 1)
        if self.max_delay_seconds is not None:
            delay = min(delay, self.max_delay_seconds)
        return float(delay)
