"""``create_app()``: the Sendcloud sandbox as one Starlette app.

The vendor API is at ``/api/v3/...`` (the spec's server path, so a connector's base URL
is this app's root) and the control routes at ``/_sandbox/...``. Mounted by
``shipmux.sandboxes.create_sandboxes_app`` under ``/sendcloud``, and so at
``/sandbox/sendcloud`` in the hub.
"""

from __future__ import annotations

from starlette.applications import Starlette

from shipmux.sandboxes.kit.app import sandbox_app
from shipmux.sandboxes.sendcloud.context import SandboxState
from shipmux.sandboxes.sendcloud.control import control_routes
from shipmux.sandboxes.sendcloud.settings import SendcloudSandboxSettings
from shipmux.sandboxes.sendcloud.vendor import VendorApi

API_PREFIX = "/api/v3"


def create_app(settings: SendcloudSandboxSettings | None = None) -> Starlette:
    state = SandboxState(initial=settings or SendcloudSandboxSettings())
    return sandbox_app(
        state,
        api_prefix=API_PREFIX,
        vendor=VendorApi(state),
        control_routes=control_routes(state),
        webhooks=state.webhooks,
    )
