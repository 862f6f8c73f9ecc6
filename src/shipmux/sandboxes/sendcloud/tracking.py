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
CANCELLATION_REQUESTED = ParcelStatus(1999, "Cancellation requested", "CANCELLATION_REQUESTED")
CANCELLED = ParcelStatus(2000, "Cancelled", "CANCELLED")

# Journey indices of the two cancellation events (after any journey index), so each
# gets its own webhook.
CANCELLATION_REQUESTED_INDEX = 100
CANCELLED_INDEX = 101

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
    CANCELLATION_REQUESTED,
    CANCELLED,
)


@dataclass(frozen=True, slots=True)
class StatusEvent:
    status: ParcelStatus
    entered_at: datetime
    index: int  # position in the journey: identifies the event for webhooks


def statuses_reached(parcel: Parcel, now: datetime, step_seconds: float) -> list[StatusEvent]:
    """Every status the parcel has entered by ``now``, oldest first.

    A cancellation request freezes the journey at the status reached when it was made;
    the parcel then enters "Cancellation requested" (a queued cancellation) and, once
    ``cancelled_at`` has passed, "Cancelled".
    """
    reached = _journey_until(parcel, now, step_seconds)
    requested, cancelled = parcel.cancel_requested_at, parcel.cancelled_at
    if requested is None or cancelled is None:
        return reached
    if requested < cancelled and requested <= now:
        reached.append(StatusEvent(CANCELLATION_REQUESTED, requested, CANCELLATION_REQUESTED_INDEX))
    if cancelled <= now:
        reached.append(StatusEvent(CANCELLED, cancelled, CANCELLED_INDEX))
    return reached


def _journey_until(parcel: Parcel, now: datetime, step_seconds: float) -> list[StatusEvent]:
    if parcel.cancel_requested_at is not None:
        now = min(now, parcel.cancel_requested_at)
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


def final_index(parcel: Parcel) -> int:
    """The journey index of the last status this parcel will ever enter."""
    if parcel.cancelled_at is not None:
        return CANCELLED_INDEX
    return 0 if parcel.announcement_failed else len(JOURNEY) - 1
