"""The journey every sandbox shipment takes, and its scans at a moment of sandbox time.

Codes, descriptions and buckets come from _status.md and _track.md (research §2.7). A
shipment enters one stage every ``tracking_step_seconds`` after the courier accepted it;
a cancellation adds CANCELLED_ORDER and ends the journey.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from shipmux.sandboxes.clickpost.store import Order

IST = ZoneInfo("Asia/Kolkata")

# bucket -> description (_track.md bucket table; texts as in the webhook sample).
BUCKETS = {
    1: "Order placed",
    2: "Dispatched",
    3: "In transit",
    4: "Out for delivery",
    5: "Failed delivery",
    6: "Delivered",
    7: "Returned",
    8: "Lost",
    9: "Damaged",
}


@dataclass(frozen=True, slots=True)
class Stage:
    code: int
    description: str
    bucket: int
    courier_status: str
    at_drop: bool


JOURNEY = (
    Stage(1, "OrderPlaced", 1, "Manifested", at_drop=False),
    Stage(2, "PickupPending", 1, "Pickup scheduled", at_drop=False),
    Stage(4, "PickedUp", 2, "Shipment picked up", at_drop=False),
    Stage(5, "InTransit", 3, "In transit to destination hub", at_drop=False),
    Stage(6, "OutForDelivery", 4, "Out for delivery", at_drop=True),
    Stage(8, "Delivered", 6, "Delivered successfully", at_drop=True),
)
CANCELLED = Stage(10, "CancelledOrder", 1, "Shipment cancelled", at_drop=False)
DELIVERED_CODE = 8


@dataclass(frozen=True, slots=True)
class Scan:
    """One status a shipment has reached; ``checkpoint_id`` is unique per scan."""

    stage: Stage
    at: datetime
    location: str
    checkpoint_id: int
    reference_number: str

    def fields(self, timestamp: str) -> dict[str, Any]:
        return {
            "clickpost_status_code": self.stage.code,
            "clickpost_status_description": self.stage.description,
            "clickpost_status_bucket": self.stage.bucket,
            "clickpost_status_bucket_description": BUCKETS[self.stage.bucket],
            "status": self.stage.courier_status,
            "remark": self.stage.courier_status,
            "location": self.location,
            "timestamp": timestamp,
        }


def scans_at(order: Order, now: datetime, step_seconds: float) -> list[Scan]:
    """Every scan the shipment has by ``now``, oldest first (none while processing)."""
    if not order.is_ready(now):
        return []
    found: list[Scan] = []
    for index, stage in enumerate(JOURNEY):
        at = order.ready_at + timedelta(seconds=step_seconds * index)
        if at > now or (order.cancelled_at is not None and at > order.cancelled_at):
            break
        found.append(_scan(order, stage, at, index))
    if order.cancelled_at is not None and order.cancelled_at <= now:
        found.append(_scan(order, CANCELLED, order.cancelled_at, len(JOURNEY)))
    return found


def is_final(order: Order, now: datetime, step_seconds: float) -> bool:
    scans = scans_at(order, now, step_seconds)
    return bool(scans) and scans[-1].stage.code in (DELIVERED_CODE, CANCELLED.code)


def _scan(order: Order, stage: Stage, at: datetime, index: int) -> Scan:
    location = order.drop_city if stage.at_drop else order.pickup_city
    if stage.code == 5:
        location = f"{order.drop_city} hub"
    return Scan(stage, at, location, order.order_id * 100 + index, order.reference_number)


def polling_timestamp(moment: datetime) -> str:
    """The track-order sample's ``2018-07-07 19:34:46``, in IST like the webhooks."""
    return moment.astimezone(IST).strftime("%Y-%m-%d %H:%M:%S")


def webhook_timestamp(moment: datetime) -> str:
    """The webhook sample's ``2019-05-06T10:04:20Z`` (ISO, UTC)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
