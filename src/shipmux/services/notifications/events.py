"""Queueing a tracking event for the merchant, in the transaction that stored it.

One delivery row per interested endpoint (an outbox): the event reaches the
merchant if and only if it was stored. Stale events are kept but not sent.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shipmux.storage.ids import new_id
from shipmux.storage.tables import (
    OrderRow,
    ShipmentRow,
    TrackingEventRow,
    WebhookDeliveryRow,
    WebhookEndpointRow,
)

__all__ = [
    "NOTIFY_QUEUED",
    "NOTIFY_STALE",
    "NO_ENDPOINT",
    "STALE_AFTER",
    "TRACKING_UPDATED",
    "StageNotices",
    "notify_stage_change",
    "tracking_payload",
]

TRACKING_UPDATED = "shipment.tracking_updated"

# Clickpost's rule for SMS and the like: news more than a day late misleads the customer.
STALE_AFTER = timedelta(hours=24)

# What ``tracking_events.notification`` says; "none" (the column default) means the
# event did not change the stage, or arrived before notifications existed.
NOTIFY_QUEUED = "queued"
NOTIFY_STALE = "suppressed: older than 24h"
NO_ENDPOINT = "no endpoint"


def tracking_payload(
    shipment: ShipmentRow, order: OrderRow, event: TrackingEventRow, now: datetime
) -> dict[str, Any]:
    """The message body: Standard Webhooks' ``type`` / ``timestamp`` / ``data`` envelope."""
    return {
        "type": TRACKING_UPDATED,
        "timestamp": now.isoformat(),
        "data": {
            "order_id": order.id,
            "reference": order.reference,
            "shipment_id": shipment.id,
            "carrier": shipment.carrier,
            "tracking_number": shipment.tracking_number,
            "status": shipment.status,
            "stage": event.stage,
            "carrier_code": event.carrier_code or None,
            "description": event.description,
            "location": event.location,
            "occurred_at": event.occurred_at.isoformat(),
        },
    }


def notify_stage_change(
    session: Session, shipment: ShipmentRow, event: TrackingEventRow, now: datetime
) -> str:
    """Queue ``event`` for every enabled endpoint of the tenant that wants its stage.

    Call it after the shipment took the event (its status is in the payload).
    Marks the event with what happened and returns that mark.
    """
    return StageNotices(session).notify(shipment, event, now)


class StageNotices:
    """``notify_stage_change`` for many events in one transaction.

    Each tenant's endpoints are read once however many events it notifies, orders can
    be read for many shipments at once (``read_orders``), and the deliveries are added
    to the session rather than inserted one statement at a time: a batch of webhooks
    read the endpoints and the order and flushed the session for every event, most of
    the cost of applying one. Use one per transaction: what it read is what the
    transaction sees.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._endpoints: dict[str, list[tuple[str, list[str] | None]]] = {}
        self._orders: dict[str, OrderRow] = {}

    def read_orders(self, order_ids: set[str]) -> None:
        """Read these orders in one query, for the events about to be notified."""
        missing = order_ids - self._orders.keys()
        if missing:
            found = self.session.scalars(select(OrderRow).where(OrderRow.id.in_(missing)))
            self._orders.update((order.id, order) for order in found)

    def notify(self, shipment: ShipmentRow, event: TrackingEventRow, now: datetime) -> str:
        """As ``notify_stage_change``."""
        if now - event.occurred_at > STALE_AFTER:
            event.notification = NOTIFY_STALE
            return event.notification
        # The event row is new in this session: mark it before anything flushes it, so
        # it is written once (an INSERT) instead of an INSERT and then an UPDATE.
        with self.session.no_autoflush:
            endpoints = self._endpoints_of(shipment.tenant_id)
            wanted = [eid for eid, stages in endpoints if stages is None or event.stage in stages]
            if not wanted:
                event.notification = NO_ENDPOINT
                return event.notification
            event.notification = NOTIFY_QUEUED
            order = self._orders.get(shipment.order_id) or self.session.get(
                OrderRow, shipment.order_id
            )
        assert order is not None  # a shipment always has its order (foreign key)
        payload = tracking_payload(shipment, order, event, now)
        message_id = new_id("msg")  # one message, the same webhook-id at every endpoint
        self.session.add_all(
            WebhookDeliveryRow(
                id=new_id("whd"),
                tenant_id=shipment.tenant_id,
                endpoint_id=endpoint_id,
                shipment_id=shipment.id,
                message_id=message_id,
                event_type=TRACKING_UPDATED,
                payload=payload,
                state="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
                updated_at=now,
            )
            for endpoint_id in wanted
        )
        return event.notification

    def _endpoints_of(self, tenant_id: str) -> list[tuple[str, list[str] | None]]:
        endpoints = self._endpoints.get(tenant_id)
        if endpoints is None:
            rows = self.session.execute(
                select(WebhookEndpointRow.id, WebhookEndpointRow.stages).where(
                    WebhookEndpointRow.tenant_id == tenant_id,
                    WebhookEndpointRow.enabled.is_(True),
                    WebhookEndpointRow.deleted_at.is_(None),
                )
            )
            endpoints = self._endpoints[tenant_id] = [(eid, stages) for eid, stages in rows]
        return endpoints
