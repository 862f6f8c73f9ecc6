"""The ``/_sandbox`` control routes every sandbox shares (faults, clock, reset).

A sandbox adds its own carrier-specific control routes (accounts, stored orders,
settings) through ``extra_routes``; the control routes are not part of any vendor API
and need no authentication.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from shipmux.sandboxes.kit.clock import SandboxClock, format_timestamp
from shipmux.sandboxes.kit.faults import FaultInjector, FaultSettings
from shipmux.sandboxes.kit.jsonio import InvalidJson, json_response, read_json

CONTROL_PREFIX = "/_sandbox"

M = TypeVar("M", bound=BaseModel)


def problem(status_code: int, message: str, errors: Any = None) -> Response:
    """Error body of the control routes (they are ours, so they use one simple shape)."""
    body: dict[str, Any] = {"message": message}
    if errors is not None:
        body["errors"] = errors
    return json_response(body, status_code)


async def read_model(request: Request, model: type[M]) -> M | Response:
    """Parse the body into ``model``, or return the 400/422 response to send instead."""
    try:
        payload = await read_json(request)
    except InvalidJson as exc:
        return problem(400, f"malformed JSON: {exc}")
    try:
        return model.model_validate(payload if payload is not None else {})
    except ValidationError as exc:
        return problem(
            422,
            "invalid settings",
            exc.errors(include_url=False, include_input=False, include_context=False),
        )


class ClockAdvance(BaseModel):
    seconds: Decimal


def control_mount(
    *,
    faults: FaultInjector,
    clock: SandboxClock,
    on_reset: Callable[[], None],
    extra_routes: Sequence[BaseRoute] = (),
) -> Mount:
    """Build the ``/_sandbox`` mount: faults, clock, reset, plus the sandbox's own routes."""

    async def get_faults(request: Request) -> Response:
        return json_response(faults.settings.model_dump(mode="json"))

    async def put_faults(request: Request) -> Response:
        parsed = await read_model(request, FaultSettings)
        if isinstance(parsed, Response):
            return parsed
        faults.configure(parsed)
        return json_response(faults.settings.model_dump(mode="json"))

    async def get_clock(request: Request) -> Response:
        return json_response(_clock_body(clock))

    async def advance_clock(request: Request) -> Response:
        parsed = await read_model(request, ClockAdvance)
        if isinstance(parsed, Response):
            return parsed
        try:
            clock.advance(float(parsed.seconds))
        except ValueError as exc:
            return problem(400, str(exc))
        return json_response(_clock_body(clock))

    async def reset(request: Request) -> Response:
        clock.reset()
        on_reset()
        return json_response({"reset": True, **_clock_body(clock)})

    routes: list[BaseRoute] = [
        Route("/faults", get_faults, methods=["GET"]),
        Route("/faults", put_faults, methods=["PUT"]),
        Route("/clock", get_clock, methods=["GET"]),
        Route("/clock/advance", advance_clock, methods=["POST"]),
        Route("/reset", reset, methods=["POST"]),
        *extra_routes,
    ]
    return Mount(CONTROL_PREFIX, routes=routes)


def _clock_body(clock: SandboxClock) -> dict[str, Any]:
    return {"now": format_timestamp(clock.now()), "offsetSeconds": clock.offset_seconds}
