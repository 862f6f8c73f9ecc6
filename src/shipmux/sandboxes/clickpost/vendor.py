"""The vendor-API ASGI app under ``/api``: routing, faults, auth, rate limit.

Order of checks for every call: route (404/405) -> injected latency -> injected refusal
(503 downtime, 429 burst, 500; nothing is stored) -> ``username``/``key`` (meta 301) ->
rate limit per username (429) -> operation -> for commit-then-timeout on create, hold
the already-committed answer. Every answer is in Clickpost's ``meta`` envelope.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import Response

from shipmux.sandboxes.clickpost.auth import authenticate
from shipmux.sandboxes.clickpost.context import Call, SandboxState
from shipmux.sandboxes.clickpost.envelope import answer, failure
from shipmux.sandboxes.clickpost.routes import ROUTES, VendorRoute
from shipmux.sandboxes.kit.faults import Fault
from shipmux.sandboxes.kit.raw_routing import RawSegmentsApp
from shipmux.sandboxes.kit.route_table import resolve_route

logger = logging.getLogger(__name__)


def _retry_after(seconds: float | None) -> dict[str, str]:
    return {} if seconds is None else {"Retry-After": str(max(1, round(seconds)))}


class VendorApi(RawSegmentsApp):
    """ASGI app serving ``/api/...`` for one ``SandboxState``."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    async def respond(self, request: Request, segments: list[str]) -> Response:
        found = resolve_route(ROUTES, request.method, segments)
        if found.route is None:
            if found.path_exists:
                return answer(405, None, message="Method Not Allowed", success=False)
            return answer(404, None, message="Not Found", success=False)
        return await self._guarded(request, found.route)

    async def _guarded(self, request: Request, route: VendorRoute) -> Response:
        state = self.state
        plan = state.faults.plan(state.clock.now(), mutating=route.commits)
        if plan.latency_seconds:
            await asyncio.sleep(plan.latency_seconds)
        if plan.fault is not None:
            return self._fault_response(plan.fault)
        if route.self_auth_handler is not None:
            return await route.self_auth_handler(state, request)
        params = request.query_params
        account = authenticate(state.store, params.get("username"), params.get("key"))
        if account is None:
            return failure(301)
        wait = state.limiter.acquire(account.username)
        if wait is not None:
            return answer(429, None, success=False, headers=_retry_after(wait))
        response = await self._run(route, Call(request, state, account, state.clock.now()))
        if plan.hang_seconds:
            # The order is stored; holding the answer makes the client time out.
            await asyncio.sleep(plan.hang_seconds)
        return response

    async def _run(self, route: VendorRoute, call: Call) -> Response:
        assert route.handler is not None
        try:
            return await route.handler(call)
        except Exception:
            logger.exception("clickpost sandbox: %s failed", route.name)
            return answer(500, None, success=False)

    @staticmethod
    def _fault_response(fault: Fault) -> Response:
        return answer(
            fault.status, None, success=False, headers=_retry_after(fault.retry_after_seconds)
        )
