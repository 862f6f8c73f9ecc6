"""Order status transitions (research notes, section 5).

New -> Postage applied (OBA with auto-apply, weight + format + service given)
    -> Label generated (label fetched; ``printedOn``)
    -> Manifested (``manifestedOn``, and ``shippedOn`` at the same instant if not yet set)
``despatched`` sets ``shippedOn``; ``new`` resets the order, voiding its label.
"""

from __future__ import annotations

from datetime import datetime

from shipmux.sandboxes.click_and_drop.services import TrackingNumbers, is_tracked
from shipmux.sandboxes.click_and_drop.store import Order, OrderStatus


def can_apply_postage(order: Order) -> bool:
    """Seed: weight, package format and service code are the minimum for postage."""
    return bool(order.service_code and order.packages)


def apply_postage(order: Order, tracking: TrackingNumbers, now: datetime) -> None:
    order.status = OrderStatus.POSTAGE_APPLIED
    order.postage_applied_on = now
    order.status_changed_on = now
    if order.service_code and is_tracked(order.service_code):
        for package in order.packages:
            package.tracking_number = tracking.issue(order.service_code)


def generate_label(order: Order, now: datetime) -> None:
    """Printing a label moves Postage applied on; later statuses only get ``printedOn``."""
    if order.status is OrderStatus.POSTAGE_APPLIED:
        order.status = OrderStatus.LABEL_GENERATED
        order.status_changed_on = now
    if order.printed_on is None:
        order.printed_on = now


def reset_to_new(order: Order, now: datetime) -> None:
    """Spec: "new" removes the order from its batch; labels already made become invalid."""
    order.status = OrderStatus.NEW
    order.status_changed_on = now
    order.postage_applied_on = None
    order.printed_on = None
    order.shipped_on = None
    order.despatched_by_other_courier_on = None
    order.batch_number = None
    order.external_tracking_number = None
    for package in order.packages:
        package.tracking_number = None


def despatch(order: Order, when: datetime, now: datetime) -> None:
    order.status = OrderStatus.DESPATCHED
    order.status_changed_on = now
    order.shipped_on = when


def despatch_by_other_courier(order: Order, when: datetime, now: datetime) -> None:
    order.status = OrderStatus.DESPATCHED_BY_OTHER_COURIER
    order.status_changed_on = now
    order.despatched_by_other_courier_on = when
    order.shipped_on = when


def manifest(order: Order, number: int, now: datetime) -> None:
    order.status = OrderStatus.MANIFESTED
    order.status_changed_on = now
    order.manifest_number = number
    order.manifested_on = now
    if order.shipped_on is None:
        order.shipped_on = now
