"""The vendor-API route table under ``/api`` (research §3, ADR 0006).

Every call needs a token with ``public-api``; ``scope`` names the extra scope a call
needs (ADR §2). ``commits`` marks the calls that the commit-then-timeout fault applies to:
create and pay, where a lost answer is what a client must survive. Document links are
public (seed "Links": "No authorisation is required").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from shipmux.sandboxes.parcel2go.context import Call, SandboxState
from shipmux.sandboxes.parcel2go.routes import (
    labels,
    orders,
    payments,
    quotes,
    reference,
    tracking,
)

Handler = Callable[[Call], Awaitable[Response]]
PublicHandler = Callable[[SandboxState, Request, dict[str, str]], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class VendorRoute:
    method: str
    pattern: tuple[str, ...]
    name: str
    handler: Handler | None = None
    scope: str | None = None
    commits: bool = False
    public_handler: PublicHandler | None = None


def _path(text: str) -> tuple[str, ...]:
    return tuple(text.strip("/").split("/"))


ROUTES: tuple[VendorRoute, ...] = (
    VendorRoute("GET", _path("countries"), "GetCountries", reference.get_countries),
    VendorRoute("GET", _path("services"), "GetServices", reference.get_services),
    VendorRoute("POST", _path("quotes"), "PostQuotes", quotes.post_quotes),
    VendorRoute("POST", _path("orders/verify"), "VerifyOrder", orders.verify_order),
    VendorRoute("POST", _path("orders"), "CreateOrder", orders.create_order, commits=True),
    VendorRoute("GET", _path("orders"), "GetOrder", orders.read_order),
    VendorRoute("GET", _path("me/orders/detail"), "GetOrderHistory", orders.order_history,
                scope="my-profile"),
    VendorRoute("POST", _path("orders/{OrderId}/paywithprepay"), "PayWithPrePay",
                payments.pay_with_prepay, scope="payment", commits=True),
    VendorRoute("POST", _path("orders/{OrderId}/parcelnumbers"), "GetParcelNumbers",
                orders.parcel_numbers),
    VendorRoute("GET", _path("prepay"), "GetPrePayBalance", payments.prepay_balance,
                scope="payment"),
    VendorRoute("GET", _path("labels/{reference}"), "GetLabels", labels.get_labels),
    VendorRoute("GET", _path("tracking/{OrderLineId}"), "GetTracking", tracking.get_tracking),
    VendorRoute("GET", _path("documents/{OrderId}/{kind}"), "GetDocument",
                public_handler=labels.get_document),
)  # fmt: skip
