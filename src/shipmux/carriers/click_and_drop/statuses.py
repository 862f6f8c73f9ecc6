"""Click & Drop order timestamps -> our ``ShipmentStatus``: how far an order has got.

Click & Drop has no tracking events and no status field on the endpoints open to
every account (``orderStatus`` exists only on the ChannelShipper-only ``/full``
resources, and its values are undocumented). What every account can read is when
things happened: ``printedOn`` (label generated), ``shippedOn`` (despatched) and
``manifestedOn`` (on a manifest). Those stamps are set in this order, so the latest
stamp present tells how far the order has got. Delivery is never reported: a
Click & Drop order ends at "manifested" as far as its API can tell.

    stamp set (latest first)  ShipmentStatus
    ------------------------  --------------
    manifestedOn              MANIFESTED
    shippedOn                 DESPATCHED
    printedOn                 LABEL_READY   (the label exists at the carrier)
    none                      SUBMITTED     (New / Postage applied, or reset to New)

A reset (``PUT /orders/status`` to ``new``) clears ``printedOn``, so an order that was
LABEL_READY reads SUBMITTED again; ``shipments.TRANSITIONS`` allows that move.
"""

from __future__ import annotations

from datetime import datetime
from types import MappingProxyType

from shipmux.carriers.base import CarrierOrder
from shipmux.domain.shipments import ShipmentStatus

__all__ = ["STAMP_STATUS", "progress", "status_of"]

# Latest stage first: the first stamp present decides.
STAMP_STATUS: MappingProxyType[str, ShipmentStatus] = MappingProxyType(
    {
        "manifestedOn": ShipmentStatus.MANIFESTED,
        "shippedOn": ShipmentStatus.DESPATCHED,
        "printedOn": ShipmentStatus.LABEL_READY,
    }
)


def _stamps(order: CarrierOrder) -> dict[str, datetime | None]:
    return {
        "manifestedOn": order.manifested_at,
        "shippedOn": order.despatched_at,
        "printedOn": order.label_printed_at,
    }


def status_of(order: CarrierOrder) -> ShipmentStatus:
    """How far the order has got at Click & Drop, from its timestamps alone."""
    stamps = _stamps(order)
    for stamp, status in STAMP_STATUS.items():
        if stamps[stamp] is not None:
            return status
    return ShipmentStatus.SUBMITTED


def progress(order: CarrierOrder) -> list[tuple[ShipmentStatus, datetime]]:
    """Each stage the order has reached with when, oldest first (manifest wins a tie).

    Manifesting sets ``shippedOn`` and ``manifestedOn`` to the same instant; the sort
    keeps DESPATCHED before MANIFESTED so a replay walks the legal moves in order.
    """
    stamps = _stamps(order)
    rank = {status: i for i, status in enumerate(reversed(list(STAMP_STATUS.values())))}
    reached = [(status, stamps[stamp]) for stamp, status in STAMP_STATUS.items()]
    return sorted(
        ((status, at) for status, at in reached if at is not None),
        key=lambda pair: (pair[1], rank[pair[0]]),
    )
