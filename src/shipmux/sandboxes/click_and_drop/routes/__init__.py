"""The vendor-API route table: the spec's 15 operations under ``/api/v1``.

Patterns are matched on raw path segments, literals case-insensitively (the help centre
writes ``/api/v1/Orders``). ``{ids}`` and ``{manifest}`` capture one raw segment.
Order matters: ``orders/status`` and ``orders/full`` come before ``orders/{ids}``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.responses import Response

from shipmux.sandboxes.click_and_drop.context import Call, SandboxState
from shipmux.sandboxes.click_and_drop.errors import ErrorShape
from shipmux.sandboxes.click_and_drop.routes import labels, manifests, misc, orders, status
from shipmux.sandboxes.kit.route_table import RouteLookup, resolve_route

Handler = Callable[[Call], Awaitable[Response]]
PublicHandler = Callable[[SandboxState], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class VendorRoute:
    method: str
    pattern: tuple[str, ...]
    operation_id: str
    handler: Handler | None = None
    public_handler: PublicHandler | None = None
    error_shape: ErrorShape = ErrorShape.ERROR_RESPONSE

    @property
    def mutating(self) -> bool:
        return self.method in {"POST", "PUT", "DELETE"}


_M = ErrorShape.MANIFEST_ERRORS

ROUTES: tuple[VendorRoute, ...] = (
    VendorRoute("GET", ("version",), "GetVersionAsync", public_handler=misc.get_version),
    VendorRoute("GET", ("orders",), "GetOrdersAsync", orders.list_orders),
    VendorRoute("POST", ("orders",), "CreateOrdersAsync", orders.create_orders),
    VendorRoute("PUT", ("orders", "status"), "UpdateOrdersStatusAsync", status.update_status),
    VendorRoute("GET", ("orders", "full"), "GetOrdersWithDetailsAsync", orders.list_orders_full),
    VendorRoute("GET", ("orders", "{ids}"), "GetSpecificOrdersAsync", orders.get_orders),
    VendorRoute("DELETE", ("orders", "{ids}"), "DeleteOrdersAsync", orders.delete_orders),
    VendorRoute("GET", ("orders", "{ids}", "full"), "GetSpecificOrdersWithDetailsAsync",
                orders.get_orders_full),
    VendorRoute("GET", ("orders", "{ids}", "label"), "GetOrdersLabelAsync", labels.get_label),
    VendorRoute("POST", ("manifests",), "ManifestEligibleAsync", manifests.manifest_eligible, None,
                _M),
    VendorRoute("POST", ("manifests", "retry", "{manifest}"), "RetryManifestAsync",
                manifests.retry_manifest, None, _M),
    VendorRoute("GET", ("manifests", "{manifest}"), "GetManifestAsync", manifests.get_manifest,
                None, _M),
    VendorRoute("GET", ("carriers",), "GetCarriersAsync", misc.get_carriers),
    VendorRoute("GET", ("returns", "services"), "ReturnsServices", misc.get_return_services),
    VendorRoute("POST", ("returns",), "ReturnsCreate", misc.create_return),
)  # fmt: skip


def resolve(method: str, segments: list[str]) -> RouteLookup[VendorRoute]:
    """The route for a method and path; ``path_exists`` tells 405 from 404."""
    return resolve_route(ROUTES, method, segments)
