"""The vendor-API ASGI app: routing, faults, auth, rate limit, then the operation.

Order of checks for every call except ``GET /version`` (which needs no auth and gets
no faults): route (404/405) -> injected latency -> injected refusal (503 downtime,
429 burst, 500 error; nothing is stored) -> auth (401) -> rate limit (429) -> operation
-> for commit-then-timeout, hold the already-committed response for ``hang_seconds``.
"""

from __future__ import annotations

import asyncio
import logging
import math

from starlette.requests import Request
from starlette.responses import Response

from shipmux.sandboxes.click_and_drop.context import Call, SandboxState
from shipmux.sandboxes.click_and_drop.errors import ErrorShape, failure
from shipmux.sandboxes.click_and_drop.routes import VendorRoute, resolve
from shipmux.sandboxes.kit.faults import Fault, FaultKind
from shipmux.sandboxes.kit.raw_routing import RawSegmentsApp

logger = logging.getLogger(__name__)

UNAUTHORIZED = "Authorization has been denied for this request."
# The spec documents the limit but no 429 body; this message quotes the spec's tag.
RATE_LIMITED = "Exceeding the rate limit of {limit} calls per second will result in a 429 error."

_FAULT_TEXT = {
    FaultKind.DOWNTIME: ("ServiceUnavailable", "The service is temporarily unavailable."),
    FaultKind.RATE_LIMITED: ("TooManyRequests", "Too many requests."),
    FaultKind.SERVER_ERROR: ("InternalServerError", "An unexpected error occurred."),
}


def _retry_after(seconds: float | None) -> dict[str, str]:
    if seconds is None:
        return {}
    return {"Retry-After": str(max(1, math.ceil(seconds)))}


def api_key_from(header: str | None, *, min_length: int, max_length: int) -> str | None:
    """The key from ``Authorization: <key>`` or ``Authorization: Bearer <key>``, if well formed."""
    if not header:
        return None
    value = header.strip()
    scheme, _, rest = value.partition(" ")
    if scheme.lower() == "bearer" and rest:
        value = rest.strip()
    well_formed = (
        min_length <= len(value) <= max_length
        and value.isascii()
        and value.isprintable()
        and not any(char.isspace() for char in value)
    )
    return value if well_formed else None


class VendorApi(RawSegmentsApp):
    """ASGI app serving ``/api/v1/...`` for one ``SandboxState``."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    async def respond(self, request: Request, segments: list[str]) -> Response:
        found = resolve(request.method, segments)
        if found.route is None:
            status_code = 405 if found.path_exists else 404
            message = "Method not allowed." if found.path_exists else "Resource not found."
            code = "MethodNotAllowed" if found.path_exists else "NotFound"
            return failure(ErrorShape.ERROR_RESPONSE, status_code, code, message)
        route = found.route
        if route.public_handler is not None:
            return await route.public_handler(self.state)
        return await self._guarded(request, route, found.params)

    async def _guarded(
        self, request: Request, route: VendorRoute, params: dict[str, str]
    ) -> Response:
        state = self.state
        plan = state.faults.plan(state.clock.now(), mutating=route.mutating)
        if plan.latency_seconds:
            await asyncio.sleep(plan.latency_seconds)
        if plan.fault is not None:
            return self._fault_response(route, plan.fault)
        settings = state.settings
        api_key = api_key_from(
            request.headers.get("authorization"),
            min_length=settings.key_min_length,
            max_length=settings.key_max_length,
        )
        if api_key is None:
            response = failure(route.error_shape, 401, "Unauthorized", UNAUTHORIZED)
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
        wait = state.limiter.acquire(api_key)
        if wait is not None:
            message = RATE_LIMITED.format(limit=settings.rate_limit_per_second)
            return failure(route.error_shape, 429, "TooManyRequests", message, _retry_after(wait))
        call = Call(request, state, state.account_for(api_key), params, state.clock.now())
        response = await self._run(route, call)
        if plan.hang_seconds:
            # The change is committed; holding the answer makes the client time out.
            await asyncio.sleep(plan.hang_seconds)
        return response

    async def _run(self, route: VendorRoute, call: Call) -> Response:
        assert route.handler is not None
        try:
            return await route.handler(call)
        except Exception:
            logger.exception("sandbox operation %s failed", route.operation_id)
            return failure(
                route.error_shape, 500, "InternalServerError", "An unexpected error occurred."
            )

    @staticmethod
    def _fault_response(route: VendorRoute, fault: Fault) -> Response:
        code, message = _FAULT_TEXT[fault.kind]
        headers = _retry_after(fault.retry_after_seconds)
        return failure(route.error_shape, fault.status, code, message, headers)
