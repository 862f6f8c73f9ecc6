"""The vendor-API ASGI app under ``/api/v3``: routing, faults, auth, rate limits.

Order of checks for every call: route (404/405) -> injected latency -> injected refusal
(503 downtime, 429 burst, 500; nothing is stored) -> Basic auth (401; provisions new
sandbox accounts) -> the account's rate limit (429, empty body) -> operation -> for
commit-then-timeout on mutating calls, hold the already-committed answer.
"""

from __future__ import annotations

import asyncio
import logging
import math
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response

from shipmux.sandboxes.kit.faults import Fault, FaultKind
from shipmux.sandboxes.kit.raw_routing import RawSegmentsApp
from shipmux.sandboxes.kit.route_table import resolve_route
from shipmux.sandboxes.sendcloud.auth import authenticate
from shipmux.sandboxes.sendcloud.context import Call, SandboxState
from shipmux.sandboxes.sendcloud.errors import (
    error_object,
    errors_response,
    not_found,
    single_error,
    too_many_requests,
    unauthorized,
)
from shipmux.sandboxes.sendcloud.routes import ROUTES, VendorRoute

logger = logging.getLogger(__name__)


class VendorApi(RawSegmentsApp):
    """ASGI app serving ``/api/v3/...`` for one ``SandboxState``."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    async def respond(self, request: Request, segments: list[str]) -> Response:
        found = resolve_route(ROUTES, request.method, segments)
        if found.route is None:
            if found.path_exists:
                return single_error(
                    405, "method_not_allowed", f'Method "{request.method}" not allowed.'
                )
            return not_found()
        params = {name: unquote(value) for name, value in found.params.items()}
        return await self._guarded(request, found.route, params)

    async def _guarded(
        self, request: Request, route: VendorRoute, params: dict[str, str]
    ) -> Response:
        state = self.state
        plan = state.faults.plan(state.clock.now(), mutating=route.commits)
        if plan.latency_seconds:
            await asyncio.sleep(plan.latency_seconds)
        if plan.fault is not None:
            return _fault_response(plan.fault)
        integration = authenticate(state.store, request.headers.get("authorization"))
        if isinstance(integration, tuple):
            return unauthorized(detail=integration[1], title=integration[0])
        if not state.limits.allow(integration.user_id, request.method):
            return too_many_requests()
        call = Call(request, state, integration, params, state.clock.now())
        try:
            response = await route.handler(call)
        except Exception:
            logger.exception("sendcloud sandbox: %s failed", route.name)
            return _fault_response(Fault(FaultKind.SERVER_ERROR, 500))
        if plan.hang_seconds:
            # The change is committed; holding the answer makes the client time out.
            await asyncio.sleep(plan.hang_seconds)
        return response


def _fault_response(fault: Fault) -> Response:
    if fault.kind is FaultKind.RATE_LIMITED:
        return too_many_requests()  # research §1.2: "an empty response with HTTP status 429"
    headers: dict[str, str] = {}
    if fault.retry_after_seconds is not None:
        headers["Retry-After"] = str(max(1, math.ceil(fault.retry_after_seconds)))
    if fault.kind is FaultKind.DOWNTIME:
        error = error_object(
            503,
            "service_unavailable",
            "Service temporarily unavailable, try again later.",
            title="Service Unavailable",
        )
    else:
        error = error_object(
            500, "server_error", "A server error occurred.", title="Internal Server Error"
        )
    response = errors_response(fault.status, [error])
    response.headers.update(headers)
    return response
