"""``create_app()``: the Parcel2Go sandbox as one Starlette app.

It serves the token endpoint at ``/auth/connect/token``, the vendor API at ``/api/...``
and the control routes at ``/_sandbox/...`` (ADR 0006 §1: the account's ``base_url`` is
this app's root). Mounted by ``shipmux.sandboxes.create_sandboxes_app`` under
``/parcel2go``, and so at ``/sandbox/parcel2go`` in the hub.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from shipmux.sandboxes.kit.app import sandbox_app
from shipmux.sandboxes.parcel2go.auth import token_endpoint
from shipmux.sandboxes.parcel2go.context import SandboxState
from shipmux.sandboxes.parcel2go.control import control_routes
from shipmux.sandboxes.parcel2go.settings import Parcel2GoSandboxSettings
from shipmux.sandboxes.parcel2go.vendor import VendorApi

API_PREFIX = "/api"
TOKEN_PATH = "/auth/connect/token"


def create_app(settings: Parcel2GoSandboxSettings | None = None) -> Starlette:
    state = SandboxState(initial=settings or Parcel2GoSandboxSettings())

    async def token(request: Request) -> Response:
        return await token_endpoint(state, request)

    return sandbox_app(
        state,
        api_prefix=API_PREFIX,
        vendor=VendorApi(state),
        control_routes=control_routes(state),
        routes=[Route(TOKEN_PATH, token, methods=["POST"])],
        webhooks=state.webhooks,
    )
