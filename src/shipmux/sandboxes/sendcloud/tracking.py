"""Parcel statuses over simulated time (research §1.7).

A parcel announced at ``t0`` enters one status of ``JOURNEY`` per ``tracking_step_seconds``
of sandbox-clock time. Nothing is stored as it happens: the statuses reached are computed
from the clock, so advancing the clock moves every parcel on at once, and the API and
the webhooks always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from shipmux.sandboxes.sendcloud.store import Parcel


@dataclass(frozen=True, slots=True)
class ParcelStatus:
    id: int  # the v2 numeric id webhooks carry
    message: str
    code: str  # the v3 string code (only some are confirmed by the spec; see the docs)


ANNOUNCED = ParcelStatus(1, "Announced", "ANNOUNCED")
EN_ROUTE_TO_SORTING = ParcelStatus(3, "En route to sorting center", "EN_ROUTE_TO_SORTING_CENTER")
BEING_SORTED = ParcelStatus(7, "Being sorted", "BEING_SORTED")
SORTED = ParcelStatus(5, "Sorted", "SORTED")
DRIVER_EN_ROUTE = ParcelStatus(92, "Driver en route", "DRIVER_EN_ROUTE")
DELIVERY_ATTEMPT_FAILED = ParcelStatus(8, "Delivery attempt failed", "DELIVERY_ATTEMPT_FAILED")
DELIVERED = ParcelStatus(11, "Delivered", "DELIVERED")
READY_TO_SEND = ParcelStatus(1000, "Ready to send", "READY_TO_SEND")
ANNOUNCEMENT_FAILED = ParcelStatus(1002, "Announcement failed", "ANNOUNCEMENT_FAILED")

JOURNEY: tuple[ParcelStatus, ...] = (
    READY_TO_SEND,
    ANNOUNCED,
    EN_ROUTE_TO_SORTING,
    BEING_SORTED,
    SORTED,
    DRIVER_EN_ROUTE,
    DELIVERY_ATTEMPT_FAILED,
    DRIVER_EN_ROUTE,
    DELIVERED,
)

ALL_STATUSES: tuple[ParcelStatus, ...] = (
    READY_TO_SEND,
    ANNOUNCED,
    EN_ROUTE_TO_SORTING,
    BEING_SORTED,
    SORTED,
    DRIVER_EN_ROUTE,
    DELIVERY_ATTEMPT_FAILED,
    DELIVERED,
    ANNOUNCEMENT_FAILED,
)


@dataclass(frozen=True, slots=True)
class StatusEvent:
    status: ParcelStatus
    entered_at: datetime
    index: int  # position in the journey: identifies the event for webhooks


def statuses_reached(parcel: Parcel, now: datetime, step_seconds: float) -> list[StatusEvent]:
    """Every status the parcel has entered by ``now``, oldest first."""
    if parcel.announcement_failed:
        return [StatusEvent(ANNOUNCEMENT_FAILED, parcel.created_at, 0)]
    step = timedelta(seconds=step_seconds)
    reached: list[StatusEvent] = []
    for index, status in enumerate(JOURNEY):
        entered_at = parcel.created_at + step * index
        if entered_at > now:
            break
        reached.append(StatusEvent(status, entered_at, index))
    return reached


def current_status(parcel: Parcel, now: datetime, step_seconds: float) -> StatusEvent:
    reached = statuses_reached(parcel, now, step_seconds)
    return reached[-1] if reached else StatusEvent(READY_TO_SEND, parcel.created_at, 0)


def journey_length(parcel: Parcel) -> int:
    return 1 if parcel.announcement_failed else len(JOURNEY)
