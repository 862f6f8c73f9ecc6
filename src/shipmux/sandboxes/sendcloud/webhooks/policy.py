"""Sendcloud's webhook delivery rules, as a ``kit.webhook_policy.BackoffPolicy``.

Delivery itself (the outbox, the lazily started task, the delivery faults) is the
kit's; Sendcloud contributes its retry schedule (research §1.6: 10 retries,
exponential from 5 minutes, at most 1 hour apart) and its signed, exact body bytes.
"""

from __future__ import annotations

from shipmux.sandboxes.kit.webhook_policy import BackoffPolicy
from shipmux.sandboxes.sendcloud.settings import WebhookSettings


def delivery_policy(settings: WebhookSettings) -> BackoffPolicy:
    """Waits 5 min, 10, 20, 40, 60, 60... after each failure (with the defaults)."""
    return BackoffPolicy(
        settings,
        max_attempts=settings.max_retries + 1,  # the first attempt, then the retries
        first_delay_seconds=settings.first_retry_delay_seconds,
        max_delay_seconds=settings.max_retry_delay_seconds,
    )
