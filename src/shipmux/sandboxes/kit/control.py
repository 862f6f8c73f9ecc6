"""The ``/_sandbox`` control routes every sandbox shares (faults, clock, reset).

A sandbox adds its own carrier-specific control routes (accounts, stored orders,
settings) through ``extra_routes``; ``settings_routes`` builds the usual ``GET/PUT
/settings`` pair for them. The control routes are not part of any vendor API and need
no authentication.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
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


class ClockMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seconds: Decimal | None = Field(default=None, ge=0)
    now: AwareDatetime | None = None


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


def merge_settings(
    current: dict[str, Any], changes: dict[str, Any], *, nested: bool = True
) -> dict[str, Any]:
    """``current`` updated by ``changes``; with ``nested``, nested groups merge one level
    deep, so ``{"webhooks": {"duplicate": true}}`` keeps the group's other settings."""
    if not nested:
        return {**current, **changes}
    merged = {
        key: {**current[key], **value}
        if isinstance(value, dict) and isinstance(current.get(key), dict)
        else value
        for key, value in changes.items()
    }
    return {**current, **merged}


def settings_routes(
    model: type[M],
    current: Callable[[], M],
    apply: Callable[[M], None],
    *,
    nested_merge: bool = True,
) -> list[BaseRoute]:
    """``GET /settings`` and ``PUT /settings`` (a partial update, see ``merge_settings``).

    ``current`` reads the sandbox's settings; ``apply`` installs validated new ones.
    """

    def body() -> Response:
        return json_response(current().model_dump(mode="json"))

    async def get_settings(request: Request) -> Response:
        return body()

    async def put_settings(request: Request) -> Response:
        try:
            changes = await read_json(request)
        except InvalidJson as exc:
            return problem(400, f"malformed JSON: {exc}")
        if not isinstance(changes, dict):
            return problem(400, "the body must be a JSON object of settings to change")
        merged = merge_settings(current().model_dump(mode="json"), changes, nested=nested_merge)
        try:
            settings = model.model_validate(merged)
        except ValidationError as exc:
            errors = exc.errors(include_url=False, include_input=False, include_context=False)
            return problem(422, "invalid settings", errors)
        apply(settings)
        return body()

    return [
        Route("/settings", get_settings, methods=["GET"]),
        Route("/settings", put_settings, methods=["PUT"]),
    ]


def clock_move_route(clock: SandboxClock, on_move: Callable[[], None]) -> Route:
    """``PUT /clock``: move the clock on by ``seconds`` or to ``now`` (never back), then
    ``on_move()`` (say, to wake webhook delivery)."""

    async def move_clock(request: Request) -> Response:
        move = await read_model(request, ClockMove)
        if isinstance(move, Response):
            return move
        seconds = float(move.seconds or 0)
        if move.now is not None:
            seconds = (move.now - clock.now()).total_seconds()
        if seconds < 0:
            return problem(400, "the sandbox clock only moves forward")
        clock.advance(seconds)
        on_move()
        return json_response(_clock_body(clock))

    return Route("/clock", move_clock, methods=["PUT"])


def _clock_body(clock: SandboxClock) -> dict[str, Any]:
    return {"now": format_timestamp(clock.now()), "offsetSeconds": clock.offset_seconds}
