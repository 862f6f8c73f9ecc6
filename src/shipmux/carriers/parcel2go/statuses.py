"""Parcel2Go's normalised tracking stages -> our ``TrackingStage`` and ``ShipmentStatus``.

Parcel2Go names one stage per tracking event (``Results[].Stage``, and ``TrackingStage``
in a Tracking webhook). The stages are the seed's (ADR 0006 §10):

    Parcel2Go stage      TrackingStage       ShipmentStatus
    -------------------  ------------------  --------------
    Booked               LABEL_CREATED       (no change)
    DroppedOff           DROPPED_OFF         DESPATCHED
    Collected            COLLECTED           DESPATCHED
    InTransit            IN_TRANSIT          DESPATCHED
    AtDepot              AT_DEPOT            DESPATCHED
    DeliveryScheduled    OUT_FOR_DELIVERY    DESPATCHED
    Delivered            DELIVERED           DELIVERED
    MajorError           EXCEPTION           (no change: a person looks)

A stage we do not know maps to nothing: its event is left out rather than guessed.
"""

from __future__ import annotations

from types import MappingProxyType

from shipmux.carriers.base import TrackingStage
from shipmux.domain.shipments import ShipmentStatus

__all__ = ["STAGES", "shipment_status", "stage_of"]

STAGES: MappingProxyType[str, TrackingStage] = MappingProxyType(
    {
        "booked": TrackingStage.LABEL_CREATED,
        "droppedoff": TrackingStage.DROPPED_OFF,
        "collected": TrackingStage.COLLECTED,
        "intransit": TrackingStage.IN_TRANSIT,
        "atdepot": TrackingStage.AT_DEPOT,
        "deliveryscheduled": TrackingStage.OUT_FOR_DELIVERY,
        "delivered": TrackingStage.DELIVERED,
        "majorerror": TrackingStage.EXCEPTION,
    }
)

_MOVED = frozenset(
    {
        TrackingStage.DROPPED_OFF,
        TrackingStage.COLLECTED,
        TrackingStage.IN_TRANSIT,
        TrackingStage.AT_DEPOT,
        TrackingStage.OUT_FOR_DELIVERY,
    }
)


def stage_of(name: str | None) -> TrackingStage | None:
    """Our stage for a Parcel2Go stage name (any case, spaces or underscores ignored)."""
    if not name:
        return None
    return STAGES.get(name.replace(" ", "").replace("_", "").lower())


def shipment_status(stage: TrackingStage) -> ShipmentStatus | None:
    """The shipment status a stage proves, or None when it proves no move."""
    if stage is TrackingStage.DELIVERED:
        return ShipmentStatus.DELIVERED
    if stage in _MOVED:
        return ShipmentStatus.DESPATCHED
    return None
