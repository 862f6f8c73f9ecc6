"""Tracking over simulated time: a paid order line moves one stage per step of the clock.

Nothing is stored as it happens. The stages a line has reached are computed from its
payment time and the sandbox clock, so ``POST /_sandbox/clock/advance`` (or ``PUT
/_sandbox/clock``) moves every parcel on at once, and ``/tracking`` and the webhooks
always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from shipmux.sandboxes.parcel2go.services import CollectionType, Service


@dataclass(frozen=True, slots=True)
class StageDefinition:
    stage: str
    status_code: str
    description: str
    location: str


BOOKED = StageDefinition("Booked", "BKD", "Order booked and label created", "Parcel2Go")
DROPPED_OFF = StageDefinition(
    "DroppedOff", "DRP", "Parcel received at the drop-off shop", "Drop-off shop"
)
COLLECTED = StageDefinition("Collected", "COL", "Parcel collected by the courier", "Collection")
IN_TRANSIT = StageDefinition("InTransit", "ITR", "Parcel in transit to the depot", "Hub")
AT_DEPOT = StageDefinition("AtDepot", "DEP", "Parcel scanned in at the depot", "Local depot")
DELIVERY_SCHEDULED = StageDefinition(
    "DeliveryScheduled", "OFD", "Parcel scheduled for delivery", "Local depot"
)
DELIVERED = StageDefinition("Delivered", "DEL", "Handed to customer", "Delivery address")


def stages_for(service: Service) -> tuple[StageDefinition, ...]:
    """The journey: ``DroppedOff`` for drop-off (Shop) services, ``Collected`` otherwise."""
    first_scan = DROPPED_OFF if service.collection_type is CollectionType.SHOP else COLLECTED
    return (BOOKED, first_scan, IN_TRANSIT, AT_DEPOT, DELIVERY_SCHEDULED, DELIVERED)


@dataclass(frozen=True, slots=True)
class TrackingEvent:
    definition: StageDefinition
    entered_at: datetime
    # Position in the journey (0 = Booked): identifies the event for webhooks.
    index: int


def events_reached(
    service: Service, paid_at: datetime | None, now: datetime, step_seconds: float
) -> list[TrackingEvent]:
    """Every stage entered by ``now``, oldest first; nothing before payment."""
    if paid_at is None or now < paid_at:
        return []
    step = timedelta(seconds=step_seconds)
    reached: list[TrackingEvent] = []
    for index, definition in enumerate(stages_for(service)):
        entered_at = paid_at + step * index
        if entered_at > now:
            break
        reached.append(TrackingEvent(definition, entered_at, index))
    return reached
