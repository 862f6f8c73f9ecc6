"""The vendor-API route table under ``/api/v3`` (spec ``v3/openapi.json`` paths).

``commits`` marks the calls the commit-then-timeout fault applies to: the ones that
store something a client must not lose track of when the answer never arrives.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.responses import Response

from shipmux.sandboxes.sendcloud.context import Call
from shipmux.sandboxes.sendcloud.routes import labels, orders, reference, shipments

Handler = Callable[[Call], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class VendorRoute:
    method: str
    pattern: tuple[str, ...]
    name: str
    handler: Handler
    commits: bool = False


def _path(text: str) -> tuple[str, ...]:
    return tuple(text.strip("/").split("/"))


ROUTES: tuple[VendorRoute, ...] = (
    VendorRoute("GET", _path("user/auth/metadata"), "RetrieveUserAuthMetadata", reference.metadata),
    VendorRoute("POST", _path("shipping-options"), "ShippingOptions", reference.shipping_options),
    VendorRoute("GET", _path("parcels/statuses"), "ParcelStatuses", reference.parcel_statuses),
    VendorRoute(
        "POST",
        _path("orders/create-label-sync"),
        "CreateLabelSync",
        labels.create_label_sync,
        commits=True,
    ),
    VendorRoute(
        "POST",
        _path("orders/create-labels-async"),
        "CreateLabelsAsync",
        labels.create_labels_async,
        commits=True,
    ),
    VendorRoute("POST", _path("orders"), "UpsertOrders", orders.upsert_orders, commits=True),
    VendorRoute("GET", _path("orders"), "ListOrders", orders.list_orders),
    VendorRoute("GET", _path("orders/{id}"), "RetrieveOrder", orders.retrieve_order),
    VendorRoute("DELETE", _path("orders/{id}"), "DeleteOrder", orders.delete_order, commits=True),
    VendorRoute("PATCH", _path("orders/{id}"), "UpdateOrder", orders.update_order, commits=True),
    VendorRoute("GET", _path("shipments"), "ListShipments", shipments.list_shipments),
    VendorRoute("GET", _path("shipments/{id}"), "RetrieveShipment", shipments.retrieve_shipment),
    VendorRoute(
        "POST",
        _path("shipments/{id}/cancel"),
        "CancelShipment",
        shipments.cancel_shipment,
        commits=True,
    ),
    VendorRoute(
        "GET",
        _path("parcels/tracking/{tracking_number}"),
        "ParcelTracking",
        shipments.parcel_tracking,
    ),
    VendorRoute(
        "GET", _path("parcels/{id}/documents/{type}"), "ParcelDocument", shipments.parcel_document
    ),
)
