"""Parcel2Go's webhook delivery rules, as a ``kit.webhook_delivery.DeliveryPolicy``.

Delivery itself (the outbox, the lazily started task, the delivery faults) is the
kit's; Parcel2Go contributes its attempt budget and its uncapped exponential backoff:
attempt n waits ``retry_base_seconds * 2**(n-1)`` of sandbox-clock time after failing.
"""

from __future__ import annotations

from dataclasses import dataclass

from shipmux.sandboxes.parcel2go.settings import WebhookSettings


@dataclass(frozen=True, slots=True)
class Parcel2GoDeliveryPolicy:
    settings: WebhookSettings

    @property
    def max_attempts(self) -> int:
        return self.settings.max_attempts

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
        return float(self.settings.retry_base_seconds * 2 ** (attempts - 1))
