"""``create_app()``: the Click & Drop sandbox as one Starlette app.

It serves the vendor API at ``/api/v1/...`` and the control routes at ``/_sandbox/...``.
Mounted by ``shipmux.sandboxes.create_sandboxes_app`` under ``/click-and-drop``.
"""

from __future__ import annotations

from starlette.applications import Starlette

from shipmux.sandboxes.click_and_drop.context import SandboxState
from shipmux.sandboxes.click_and_drop.control import control_routes
from shipmux.sandboxes.click_and_drop.settings import ClickAndDropSandboxSettings
from shipmux.sandboxes.click_and_drop.vendor import VendorApi
from shipmux.sandboxes.kit.app import sandbox_app

API_PREFIX = "/api/v1"


def create_app(settings: ClickAndDropSandboxSettings | None = None) -> Starlette:
    state = SandboxState(initial=settings or ClickAndDropSandboxSettings())
    return sandbox_app(
        state,
        api_prefix=API_PREFIX,
        vendor=VendorApi(state),
        control_routes=control_routes(state),
    )
