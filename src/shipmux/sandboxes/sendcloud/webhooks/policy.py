"""Sendcloud's webhook delivery rules, as a ``kit.webhook_delivery.DeliveryPolicy``.

Delivery itself (the outbox, the lazily started task, the delivery faults) is the
kit's; Sendcloud contributes its retry schedule (research §1.6: 10 retries,
exponential from 5 minutes, at most 1 hour apart) and its signed, exact body bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from shipmux.sandboxes.sendcloud.settings import WebhookSettings


def retry_delay(failed_attempts: int, settings: WebhookSettings) -> float:
    """Seconds to wait after the ``failed_attempts``-th failure: 5 min, 10, 20, 40, 60, 60..."""
    delay = settings.first_retry_delay_seconds * 2 ** (failed_attempts - 1)
    return float(min(delay, settings.max_retry_delay_seconds))


@dataclass(frozen=True, slots=True)
class SendcloudDeliveryPolicy:
    settings: WebhookSettings

    @property
    def max_attempts(self) -> int:
        return self.settings.max_retries + 1  # the first attempt, then the retries

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
        return retry_delay(attempts, self.settings)
