"""Parcel2Go's webhook delivery rules, as a ``kit.webhook_policy.BackoffPolicy``.

Delivery itself (the outbox, the lazily started task, the delivery faults) is the
kit's; Parcel2Go contributes its attempt budget and its uncapped exponential backoff:
attempt n waits ``retry_base_seconds * 2**(n-1)`` of sandbox-clock time after failing.
"""

from __future__ import annotations

from shipmux.sandboxes.kit.webhook_policy import BackoffPolicy
from shipmux.sandboxes.parcel2go.settings import WebhookSettings


def delivery_policy(settings: WebhookSettings) -> BackoffPolicy:
    return BackoffPolicy(
        settings,
        max_attempts=settings.max_attempts,
        first_delay_seconds=settings.retry_base_seconds,
    )
