"""Handing due deliveries to a worker and recording each try.

Claimed like outbox jobs: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (any number of
workers), the single write lock on SQLite. A claim is a lease; a worker that dies
leaves its deliveries to be claimed again once the lease ends, and settling checks
the lease holder so a late worker cannot overwrite the new holder's result.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, insert, or_, select, update

from shipmux.services.notifications.endpoints import disable_endpoint, signing_secrets
from shipmux.storage.db import Database
from shipmux.storage.secret_box import SecretBox
from shipmux.storage.tables import WebhookAttemptRow, WebhookDeliveryRow, WebhookEndpointRow

__all__ = [
    "RETRY_JITTER",
    "ClaimedDelivery",
    "TryResult",
    "claim_deliveries",
    "jittered",
    "record_try",
]

# 410 Gone is the merchant saying "stop": the endpoint is disabled, not retried.
GONE = 410
_ERROR_CHARS = 500

# Everything that failed in the same second (an endpoint down) would otherwise come due
# in the same second too, and hit the endpoint all at once as it recovers. Each wait is
# spread by this fraction either way, so it is never under 90% of the configured one.
RETRY_JITTER = 0.1


@dataclass(frozen=True, slots=True)
class ClaimedDelivery:
    id: str
    tenant_id: str
    endpoint_id: str
    shipment_id: str | None
    message_id: str
    url: str
    body: str  # the exact bytes signed and sent, as text
    secrets: tuple[str, ...]
    attempts: int  # tries made before this one (since the last replay)


@dataclass(frozen=True, slots=True)
class TryResult:
    """What one POST came to: a status, or no answer (``status`` None) and why."""

    status: int | None
    duration_ms: float
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def claim_deliveries(
    db: Database, box: SecretBox, worker_id: str, limit: int, lease_seconds: float
) -> list[ClaimedDelivery]:
    now = datetime.now(UTC)
    due = or_(
        and_(WebhookDeliveryRow.state == "pending", WebhookDeliveryRow.next_attempt_at <= now),
        and_(WebhookDeliveryRow.state == "sending", WebhookDeliveryRow.locked_until < now),
    )
    query = (
        select(WebhookDeliveryRow, WebhookEndpointRow)
        .join(WebhookEndpointRow, WebhookEndpointRow.id == WebhookDeliveryRow.endpoint_id)
        .where(due)
        # A disabled endpoint's deliveries wait until the tenant enables it again.
        .where(WebhookEndpointRow.enabled.is_(True), WebhookEndpointRow.deleted_at.is_(None))
        .order_by(WebhookDeliveryRow.next_attempt_at, WebhookDeliveryRow.id)
        .limit(limit)
    )
    if db.dialect == "postgresql":
        query = query.with_for_update(skip_locked=True, of=WebhookDeliveryRow)
    with db.transaction() as session:
        rows = session.execute(query).all()
        if not rows:
            return []
        session.execute(
            update(WebhookDeliveryRow)
            .where(WebhookDeliveryRow.id.in_([d.id for d, _ in rows]))
            .values(
                state="sending",
                locked_by=worker_id,
                locked_until=now + timedelta(seconds=lease_seconds),
                updated_at=now,
            )
        )
        secrets = {e.id: tuple(signing_secrets(box, e, now)) for _, e in rows}
        return [
            ClaimedDelivery(
                id=d.id,
                tenant_id=d.tenant_id,
                endpoint_id=d.endpoint_id,
                shipment_id=d.shipment_id,
                message_id=d.message_id,
                url=e.url,
                body=json.dumps(d.payload, separators=(",", ":")),
                secrets=secrets[e.id],
                attempts=d.attempts,
            )
            for d, e in rows
        ]


def jittered(seconds: float, rng: random.Random) -> float:
    """``seconds``, give or take ``RETRY_JITTER`` of it, at random."""
    return seconds * (1 + rng.uniform(-RETRY_JITTER, RETRY_JITTER))


def record_try(
    db: Database,
    delivery: ClaimedDelivery,
    worker_id: str,
    result: TryResult,
    retry_seconds: Sequence[float],
    rng: random.Random,
) -> str:
    """Store the attempt and settle the delivery; its new state (or ``lost`` the lease).

    After try n fails the next waits ``retry_seconds[n-1]`` (``jittered``); past the
    end it is dead.
    """
    now = datetime.now(UTC)
    tries = delivery.attempts + 1
    error = (result.error or "")[:_ERROR_CHARS] or None
    values: dict[str, object] = {
        "attempts": tries,
        "last_status": result.status,
        "last_error": error,
        "locked_by": None,
        "locked_until": None,
        "updated_at": now,
    }
    if result.ok:
        values |= {"state": "delivered", "delivered_at": now, "last_error": None}
    elif result.status == GONE:
        values |= {"state": "dead", "last_error": "410 Gone: the endpoint was disabled"}
    elif tries > len(retry_seconds):
        values |= {"state": "dead"}
    else:
        next_at = now + timedelta(seconds=jittered(retry_seconds[tries - 1], rng))
        values |= {"state": "pending", "next_attempt_at": next_at}
    with db.transaction() as session:
        settled = session.execute(
            update(WebhookDeliveryRow)
            .where(
                WebhookDeliveryRow.id == delivery.id,
                WebhookDeliveryRow.locked_by == worker_id,
                WebhookDeliveryRow.state == "sending",
            )
            .values(**values)
        )
        if not settled.rowcount:  # type: ignore[attr-defined]
            return "lost"
        session.execute(
            insert(WebhookAttemptRow).values(
                tenant_id=delivery.tenant_id,
                delivery_id=delivery.id,
                status=result.status,
                duration_ms=result.duration_ms,
                error=error,
                at=now,
            )
        )
        if result.status == GONE:
            disable_endpoint(session, delivery.endpoint_id, "the endpoint answered 410 Gone", now)
    return str(values["state"])
