"""Pure-ASGI middleware: request ids and logs, the last-resort 500, the body-size limit.

Pure ASGI (not ``BaseHTTPMiddleware``) so bodies stream through untouched and an
error raised while reading the body reaches us as itself.
"""

from __future__ import annotations

import re
import time
import traceback
import uuid

import structlog
from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shipmux.api.errors import ProblemException, problem_response, request_id_of

__all__ = [
    "BodySizeLimitMiddleware",
    "RequestContextMiddleware",
    "assign_request_id",
    "internal_error",
    "log_request",
    "log_unhandled",
]

log = structlog.get_logger(__name__)

# A caller's own request id is kept when it is short and plain, so it can go into logs.
_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def assign_request_id(scope: Scope) -> str:
    """The request's id (the caller's ``X-Request-ID`` when plain, else new), kept in scope."""
    offered = Headers(scope=scope).get("x-request-id", "")
    request_id = offered if _CLIENT_REQUEST_ID.match(offered) else uuid.uuid4().hex
    scope.setdefault("state", {})["request_id"] = request_id
    return request_id


def log_unhandled(scope: Scope, exc: Exception) -> None:
    """Our log gets the traceback, formatted without local variables: every frame below
    holds the request scope, Authorization header included, and some renderers (rich,
    dict tracebacks) would print it."""
    log.error(
        "http.unhandled_error",
        method=scope["method"],
        path=scope["path"],
        error_type=type(exc).__qualname__,
        traceback="".join(traceback.format_exception(exc)),
    )


def internal_error(request_id: str) -> JSONResponse:
    """The 500 a client gets instead of a stack trace: the id to quote."""
    return problem_response(
        500,
        "internal_error",
        "the server failed to answer this request; quote the request id when reporting it",
        request_id=request_id,
    )


class RequestContextMiddleware:
    """Gives each request an id, logs it when answered, and turns a crash into a 500 problem."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = assign_request_id(scope)
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            except Exception as exc:
                log_unhandled(scope, exc)  # the client gets only the id to quote
                if response_started:
                    raise
                await internal_error(request_id)(scope, receive, send_with_id)
            finally:
                log_request(scope, status, started)


def log_request(scope: Scope, status: int, started: float) -> None:
    """The one log line of an answered request (``started``: its ``perf_counter``)."""
    log.info(
        "http.request",
        method=scope["method"],
        path=scope["path"],
        status=status,
        duration_ms=round((time.perf_counter() - started) * 1000, 2),
    )


class BodyTooLarge(ProblemException):
    def __init__(self, limit: int) -> None:
        super().__init__(
            413,
            "body_too_large",
            f"the request body is larger than {limit} bytes",
            max_bytes=limit,
        )


class BodySizeLimitMiddleware:
    """Refuses bodies over ``max_bytes``: by ``Content-Length`` before reading, else mid-stream."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            # Routes turn it into a problem themselves; this catches readers that do not.
            if response_started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        exc = BodyTooLarge(self.max_bytes)
        response = problem_response(
            exc.status_code,
            exc.code,
            str(exc.detail),
            request_id=request_id_of(scope.get("state", {})),
            # The rest of the body is never read, so the connection cannot be reused.
            headers={"Connection": "close"},
            **exc.extensions,
        )
        await response(scope, receive, send)
