"""Moving a shipment through its states, with the history written beside it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from shipmux.carriers.base import CarrierOrder
from shipmux.domain import shipments
from shipmux.domain.shipments import ShipmentStatus
from shipmux.storage.tables import ShipmentRow, TransitionRow

__all__ = ["STAMPS", "carrier_order_of", "move", "transition_values"]

STAMPS = {
    ShipmentStatus.SUBMITTED: "submitted_at",
    ShipmentStatus.LABEL_READY: "labelled_at",
    ShipmentStatus.DESPATCHED: "despatched_at",
    ShipmentStatus.MANIFESTED: "manifested_at",
    ShipmentStatus.DELIVERED: "delivered_at",
    ShipmentStatus.CANCELLED: "cancelled_at",
}


def transition_values(
    shipment: ShipmentRow | dict[str, Any],
    target: ShipmentStatus,
    reason: str | None,
    now: datetime,
) -> dict[str, Any]:
    get = shipment.get if isinstance(shipment, dict) else lambda k: getattr(shipment, k)
    return {
        "tenant_id": get("tenant_id"),
        "shipment_id": get("id"),
        "from_status": get("status"),
        "to_status": target.value,
        "reason": reason,
        "at": now,
    }


def move(
    session: Session,
    shipment: ShipmentRow,
    target: ShipmentStatus,
    now: datetime,
    reason: str | None = None,
) -> None:
    """Apply a legal transition (raises ``IllegalTransition``) and record it."""
    if shipment.status == target:
        return
    shipments.transition(ShipmentStatus(shipment.status), target)
    session.add(TransitionRow(**transition_values(shipment, target, reason, now)))
    shipment.status = target.value
    shipment.updated_at = now
    stamp = STAMPS.get(target)
    if stamp is not None and getattr(shipment, stamp) is None:
        setattr(shipment, stamp, now)


def carrier_order_of(shipment: ShipmentRow, reference: str) -> CarrierOrder:
    """What the carrier holds for a shipment it has accepted, as connectors take it."""
    assert shipment.carrier_order_id is not None
    return CarrierOrder(
        carrier_order_id=shipment.carrier_order_id,
        reference=reference,
        tracking_number=shipment.tracking_number,
        carrier_shipment_ref=shipment.carrier_shipment_ref,
        carrier_data=dict(shipment.carrier_data or {}),
        service_code=shipment.service_code,
        price=None if shipment.price is None else Decimal(str(shipment.price)),
        currency=shipment.currency,
        paid_at=shipment.paid_at,
    )
