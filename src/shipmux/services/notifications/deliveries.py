"""The delivery log: what was sent where, every try, the dead letters, and replay.

``tenant_id`` None is the operator's view (the CLI, on the hub's own machine);
the API always passes the caller's tenant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from shipmux.domain.errors import Conflict, NotFound
from shipmux.storage.db import Database
from shipmux.storage.tables import WebhookAttemptRow, WebhookDeliveryRow, WebhookEndpointRow

__all__ = [
    "AttemptView",
    "DeliveryState",
    "DeliveryView",
    "get_delivery",
    "list_deliveries",
    "replay_delivery",
]

DeliveryState = Literal["pending", "sending", "delivered", "dead", "cancelled"]


@dataclass(frozen=True, slots=True)
class AttemptView:
    status: int | None
    duration_ms: float
    error: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class DeliveryView:
    id: str
    tenant_id: str
    endpoint_id: str
    message_id: str
    event_type: str
    state: DeliveryState
    attempts: int
    next_attempt_at: datetime | None
    last_status: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    payload: dict[str, Any]
    history: tuple[AttemptView, ...] = ()


def _view(row: WebhookDeliveryRow, history: tuple[AttemptView, ...] = ()) -> DeliveryView:
    waiting = row.state == "pending"
    return DeliveryView(
        id=row.id,
        tenant_id=row.tenant_id,
        endpoint_id=row.endpoint_id,
        message_id=row.message_id,
        event_type=row.event_type,
        state=row.state,  # type: ignore[arg-type]  # the column holds only these
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at if waiting else None,
        last_status=row.last_status,
        last_error=row.last_error,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
        payload=row.payload,
        history=history,
    )


def list_deliveries(
    db: Database,
    tenant_id: str | None,
    *,
    state: DeliveryState | None = None,
    endpoint_id: str | None = None,
    limit: int = 100,
) -> list[DeliveryView]:
    """Newest first."""
    query = select(WebhookDeliveryRow).order_by(WebhookDeliveryRow.id.desc()).limit(limit)
    if tenant_id is not None:
        query = query.where(WebhookDeliveryRow.tenant_id == tenant_id)
    if state is not None:
        query = query.where(WebhookDeliveryRow.state == state)
    if endpoint_id is not None:
        query = query.where(WebhookDeliveryRow.endpoint_id == endpoint_id)
    with db.reading() as session:
        return [_view(r) for r in session.scalars(query)]


def _row(session: Session, tenant_id: str | None, delivery_id: str) -> WebhookDeliveryRow:
    row = session.get(WebhookDeliveryRow, delivery_id)
    if row is None or (tenant_id is not None and row.tenant_id != tenant_id):
        raise NotFound(f"no webhook delivery '{delivery_id}'")
    return row


def get_delivery(db: Database, tenant_id: str | None, delivery_id: str) -> DeliveryView:
    """The delivery with every try, oldest first."""
    with db.reading() as session:
        row = _row(session, tenant_id, delivery_id)
        tries = session.scalars(
            select(WebhookAttemptRow)
            .where(WebhookAttemptRow.delivery_id == row.id)
            .order_by(WebhookAttemptRow.id)
        )
        history = tuple(AttemptView(t.status, t.duration_ms, t.error, t.at) for t in tries)
        return _view(row, history)


def replay_delivery(db: Database, tenant_id: str | None, delivery_id: str) -> DeliveryView:
    """Send a dead (or delivered) delivery again, now, with a fresh round of retries.

    The message keeps its ``webhook-id``, so a merchant that already has it can drop it.
    """
    now = datetime.now(UTC)
    with db.transaction() as session:
        row = _row(session, tenant_id, delivery_id)
        if row.state in ("pending", "sending"):
            raise Conflict(f"delivery '{delivery_id}' is {row.state} already")
        endpoint = session.get(WebhookEndpointRow, row.endpoint_id)
        assert endpoint is not None
        if endpoint.deleted_at is not None:
            raise Conflict(f"endpoint '{endpoint.id}' is deleted")
        if not endpoint.enabled:
            raise Conflict(
                f"endpoint '{endpoint.id}' is disabled ({endpoint.disabled_reason}); "
                "enable it first"
            )
        row.state, row.attempts, row.next_attempt_at = "pending", 0, now
        row.updated_at = now
        return _view(row)
