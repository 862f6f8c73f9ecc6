"""Clickpost's API paths under ``/api`` (one host serves what live splits over www/api)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from shipmux.sandboxes.clickpost.context import Call, SandboxState
from shipmux.sandboxes.clickpost.ordering import create_order, find_order
from shipmux.sandboxes.clickpost.registration import register_webhook
from shipmux.sandboxes.clickpost.shipments import cancel_order, fetch_label, track_order

Handler = Callable[[Call], Awaitable[Response]]
# Authenticates from the body itself (register-webhook carries ``key`` in its JSON).
SelfAuthHandler = Callable[[SandboxState, Request], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class VendorRoute:
    method: str
    pattern: tuple[str, ...]
    name: str
    handler: Handler | None = None
    self_auth_handler: SelfAuthHandler | None = None
    # The commit-then-timeout fault applies to calls that store something new.
    commits: bool = False


async def _create_v3(call: Call) -> Response:
    return await create_order(call, "v3")


async def _create_v4(call: Call) -> Response:
    return await create_order(call, "v4")


ROUTES: tuple[VendorRoute, ...] = (
    VendorRoute("POST", ("v3", "create-order"), "create-order-v3", _create_v3, commits=True),
    VendorRoute("POST", ("v4", "create-order"), "create-order-v4", _create_v4, commits=True),
    VendorRoute("GET", ("v3", "create-order"), "find-order-v3", find_order),
    VendorRoute("GET", ("v4", "create-order"), "find-order-v4", find_order),
    VendorRoute("GET", ("v1", "cancel-order"), "cancel-order", cancel_order),
    VendorRoute("GET", ("v1", "fetch", "shippinglabel"), "fetch-label", fetch_label),
    VendorRoute("GET", ("v2", "track-order"), "track-order", track_order),
    VendorRoute(
        "POST",
        ("v1", "tracking", "register-webhook"),
        "register-webhook",
        self_auth_handler=register_webhook,
    ),
    VendorRoute(
        "PUT",
        ("v1", "tracking", "register-webhook"),
        "update-webhook",
        self_auth_handler=register_webhook,
    ),
)
