"""``create_app()``: the Clickpost sandbox as one Starlette app.

It serves Clickpost's API at ``/api/...`` (``/api/v3/create-order/`` and the rest, on one
host where live splits ``www.`` and ``api.``), the label PDFs at ``/labels/...`` (live:
S3 links) and the control routes at ``/_sandbox/...``. Mounted by
``shipmux.sandboxes.create_sandboxes_app`` under ``/clickpost``, and so at
``/sandbox/clickpost`` in the hub.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from shipmux.sandboxes.clickpost.context import SandboxState
from shipmux.sandboxes.clickpost.control import control_routes
from shipmux.sandboxes.clickpost.envelope import answer
from shipmux.sandboxes.clickpost.labels import label_pdf
from shipmux.sandboxes.clickpost.settings import ClickpostSandboxSettings
from shipmux.sandboxes.clickpost.vendor import VendorApi
from shipmux.sandboxes.kit.app import sandbox_app

API_PREFIX = "/api"


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

    return sandbox_app(
        state,
        api_prefix=API_PREFIX,
        vendor=VendorApi(state),
        control_routes=control_routes(state),
        routes=[Route("/labels/{waybill}.pdf", label, methods=["GET"])],
        webhooks=state.webhooks,
    )
