"""``create_app()``: the Sendcloud sandbox as one Starlette app.

The vendor API is at ``/api/v3/...`` (the spec's server path, so a connector's base URL
is this app's root) and the control routes at ``/_sandbox/...``. Mounted by
``shipmux.sandboxes.create_sandboxes_app`` under ``/sendcloud``, and so at
``/sandbox/sendcloud`` in the hub.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from shipmux.sandboxes.kit.control import control_mount
from shipmux.sandboxes.kit.raw_routing import RawPrefixRoute
from shipmux.sandboxes.sendcloud.context import SandboxState
from shipmux.sandboxes.sendcloud.control import control_routes
from shipmux.sandboxes.sendcloud.settings import SendcloudSandboxSettings
from shipmux.sandboxes.sendcloud.vendor import VendorApi

API_PREFIX = "/api/v3"


class WakeWebhookDelivery:
    """Around every request, make sure webhook delivery runs if there is work.

    A mounted app's lifespan never runs inside the hub, so this is how the delivery
    task gets started (lazily) and woken after a label, a clock move or a new URL.
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


def create_app(settings: SendcloudSandboxSettings | None = None) -> Starlette:
    state = SandboxState(initial=settings or SendcloudSandboxSettings())

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Runs only when served on its own; mounted, the loop's shutdown cancels delivery.
        yield
        await state.webhooks.stop()

    control = control_mount(
        faults=state.faults,
        clock=state.clock,
        on_reset=state.reset,
        extra_routes=control_routes(state),
    )
    app = Starlette(
        routes=[control, RawPrefixRoute(API_PREFIX, VendorApi(state))],
        middleware=[Middleware(WakeWebhookDelivery, state=state)],
        lifespan=lifespan,
    )
    # Exposed for in-process inspection (tests, the hub's demo); HTTP clients use /_sandbox.
    app.state.sandbox = state
    return app
