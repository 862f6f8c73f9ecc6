"""The vendor-API ASGI app under ``/api``: routing, faults, auth, scopes, rate limit.

Order of checks for every call except the public document links: route (404/405) ->
injected latency -> injected refusal (503 downtime, 429 burst, 500; nothing is stored)
-> token (401) -> scope (403) -> rate limit per client (429) -> operation -> for
commit-then-timeout on create and pay, hold the already-committed answer.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response

from shipmux.sandboxes.kit.faults import Fault, FaultKind
from shipmux.sandboxes.kit.raw_routing import RawSegmentsApp
from shipmux.sandboxes.kit.route_table import resolve_route
from shipmux.sandboxes.parcel2go.auth import PUBLIC_API, bearer_token
from shipmux.sandboxes.parcel2go.context import Call, SandboxState
from shipmux.sandboxes.parcel2go.errors import forbidden_scope, message, retry_after, unauthorized
from shipmux.sandboxes.parcel2go.routes import ROUTES, VendorRoute

logger = logging.getLogger(__name__)

# ASP.NET Web API's own texts for these statuses.
_FAULT_TEXT = {
    FaultKind.DOWNTIME: "The service is unavailable.",
    FaultKind.RATE_LIMITED: "Too many requests. Please slow down.",
    FaultKind.SERVER_ERROR: "An error has occurred.",
}


class VendorApi(RawSegmentsApp):
    """ASGI app serving ``/api/...`` for one ``SandboxState``."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    async def respond(self, request: Request, segments: list[str]) -> Response:
        found = resolve_route(ROUTES, request.method, segments)
        if found.route is None:
            if found.path_exists:
                text = f"The requested resource does not support http method '{request.method}'."
                return message(405, text)
            uri = "/api/" + "/".join(unquote(segment) for segment in segments)
            return message(404, f"No HTTP resource was found that matches the request URI "
                                f"'{uri}'.")  # fmt: skip
        route = found.route
        params = {name: unquote(value) for name, value in found.params.items()}
        if route.public_handler is not None:
            return await route.public_handler(self.state, request, params)
        return await self._guarded(request, route, params)

    async def _guarded(
        self, request: Request, route: VendorRoute, params: dict[str, str]
    ) -> Response:
        state = self.state
        plan = state.faults.plan(state.clock.now(), mutating=route.commits)
        if plan.latency_seconds:
            await asyncio.sleep(plan.latency_seconds)
        if plan.fault is not None:
            return self._fault_response(plan.fault)
        token = bearer_token(state, request.headers.get("authorization"))
        if token is None:
            return unauthorized()
        for needed in (PUBLIC_API, route.scope):
            if needed is not None and needed not in token.scopes:
                return forbidden_scope(needed)
        wait = state.limiter.acquire(token.client_id)
        if wait is not None:
            return message(429, _FAULT_TEXT[FaultKind.RATE_LIMITED], retry_after(wait))
        account = state.account(token.client_id)
        call = Call(request, state, account, token.scopes, params, state.clock.now())
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
            logger.exception("parcel2go sandbox: %s failed", route.name)
            return message(500, _FAULT_TEXT[FaultKind.SERVER_ERROR])

    @staticmethod
    def _fault_response(fault: Fault) -> Response:
        return message(
            fault.status, _FAULT_TEXT[fault.kind], retry_after(fault.retry_after_seconds)
        )
