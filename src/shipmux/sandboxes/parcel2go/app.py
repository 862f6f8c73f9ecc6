"""``create_app()``: the Parcel2Go sandbox as one Starlette app.

It serves the token endpoint at ``/auth/connect/token``, the vendor API at ``/api/...``
and the control routes at ``/_sandbox/...`` (ADR 0006 §1: the account's ``base_url`` is
this app's root). Mounted by ``shipmux.sandboxes.create_sandboxes_app`` under
``/parcel2go``, and so at ``/sandbox/parcel2go`` in the hub.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from shipmux.sandboxes.kit.control import control_mount
from shipmux.sandboxes.kit.raw_routing import RawPrefixRoute
from shipmux.sandboxes.parcel2go.auth import token_endpoint
from shipmux.sandboxes.parcel2go.context import SandboxState
from shipmux.sandboxes.parcel2go.control import control_routes
from shipmux.sandboxes.parcel2go.settings import Parcel2GoSandboxSettings
from shipmux.sandboxes.parcel2go.vendor import VendorApi

API_PREFIX = "/api"
TOKEN_PATH = "/auth/connect/token"


class WakeWebhookDelivery:
    """Around every request, make sure webhook delivery runs if there is work.

    A mounted app's lifespan never runs inside the hub, so this is how the delivery
    task gets started (lazily) and woken after a payment, a clock move or a new case.
    """

    def __init__(self, app: ASGIApp, state: SandboxState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.state.webhooks.ensure_running()
        try:
            await self.app(scope, receive, send)
        finally:
            self.state.webhooks.ensure_running()


def create_app(settings: Parcel2GoSandboxSettings | None = None) -> Starlette:
    state = SandboxState(initial=settings or Parcel2GoSandboxSettings())

    async def token(request: Request) -> Response:
        return await token_endpoint(state, request)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Runs only when the sandbox is served on its own; mounted, the event loop's
        # shutdown cancels the delivery task instead.
        yield
        await state.webhooks.stop()

    control = control_mount(
        faults=state.faults,
        clock=state.clock,
        on_reset=state.reset,
        extra_routes=control_routes(state),
    )
    app = Starlette(
        routes=[
            Route(TOKEN_PATH, token, methods=["POST"]),
            control,
            RawPrefixRoute(API_PREFIX, VendorApi(state)),
        ],
        middleware=[Middleware(WakeWebhookDelivery, state=state)],
        lifespan=lifespan,
    )
    # Exposed for in-process inspection (tests, the hub's demo); HTTP clients use /_sandbox.
    app.state.sandbox = state
    return app
