"""``create_app()``: the Clickpost sandbox as one Starlette app.

It serves Clickpost's API at ``/api/...`` (``/api/v3/create-order/`` and the rest, on one
host where live splits ``www.`` and ``api.``), the label PDFs at ``/labels/...`` (live:
S3 links) and the control routes at ``/_sandbox/...``. Mounted by
``shipmux.sandboxes.create_sandboxes_app`` under ``/clickpost``, and so at
``/sandbox/clickpost`` in the hub.
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

from shipmux.sandboxes.clickpost.context import SandboxState
from shipmux.sandboxes.clickpost.control import control_routes
from shipmux.sandboxes.clickpost.envelope import answer
from shipmux.sandboxes.clickpost.labels import label_pdf
from shipmux.sandboxes.clickpost.settings import ClickpostSandboxSettings
from shipmux.sandboxes.clickpost.vendor import VendorApi
from shipmux.sandboxes.kit.control import control_mount
from shipmux.sandboxes.kit.raw_routing import RawPrefixRoute

API_PREFIX = "/api"


class WakeWebhookDelivery:
    """Around every request, make sure webhook delivery runs if there is work.

    A mounted app's lifespan never runs inside the hub, so this is how the delivery
    task gets started (lazily) and woken after an order, a clock move or a new URL.
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


def create_app(settings: ClickpostSandboxSettings | None = None) -> Starlette:
    state = SandboxState(initial=settings or ClickpostSandboxSettings())

    async def label(request: Request) -> Response:
        """The label link (live: a public S3 URL, so no credentials here either)."""
        waybill = request.path_params["waybill"]
        now = state.clock.now()
        for order in state.store.orders.values():
            if order.waybill == waybill and order.is_ready(now) and not order.is_rvp:
                headers = {"Content-Disposition": f'inline; filename="{waybill}.pdf"'}
                return Response(label_pdf(order), media_type="application/pdf", headers=headers)
        return answer(404, None, message="Not Found", success=False)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Runs only when served on its own; mounted, the loop's shutdown ends delivery.
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
            Route("/labels/{waybill}.pdf", label, methods=["GET"]),
            control,
            RawPrefixRoute(API_PREFIX, VendorApi(state)),
        ],
        middleware=[Middleware(WakeWebhookDelivery, state=state)],
        lifespan=lifespan,
    )
    # Exposed for in-process inspection (tests, the hub's demo); HTTP clients use /_sandbox.
    app.state.sandbox = state
    return app
