"""Every error as ``application/problem+json`` (RFC 9457) with a stable ``code``.

Domain errors map by class to a status; framework errors (validation of query,
path and header parameters, unknown routes, wrong methods) are reshaped into the
same problem body, so a client parses one error format everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match

from shipmux.domain.errors import (
    CarrierCallFailed,
    Conflict,
    FieldProblem,
    Forbidden,
    NotFound,
    ShipmuxError,
    Unauthenticated,
    ValidationFailed,
)
from shipmux.services.problems import field_path

__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "ProblemException",
    "error_problem",
    "install_error_handlers",
    "problem_response",
    "request_id_of",
]

PROBLEM_MEDIA_TYPE = "application/problem+json"

# Checked along the exception's MRO, so a subclass (IdempotencyConflict) inherits a status.
_STATUS_BY_ERROR: Mapping[type[ShipmuxError], int] = {
    ValidationFailed: 422,
    NotFound: 404,
    Conflict: 409,
    Forbidden: 403,
    Unauthenticated: 401,
    CarrierCallFailed: 502,
}

# Errors Starlette's router raises itself, by status.
_CODE_BY_STATUS: Mapping[int, str] = {
    400: "bad_request",
    404: "route_not_found",
    405: "method_not_allowed",
    413: "body_too_large",
}

_TITLES: Mapping[str, str] = {"malformed_json": "Malformed JSON"}


class ProblemException(HTTPException):
    """An error the API layer itself raises (malformed JSON, body too large).

    It is an ``HTTPException`` so FastAPI passes it through its own body reading
    untouched instead of turning it into a generic 400.
    """

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        errors: Iterable[FieldProblem] = (),
        headers: Mapping[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(status_code=status, detail=detail, headers=dict(headers or {}))
        self.code = code
        self.errors = list(errors)
        self.extensions = extensions


def request_id_of(scope_state: Mapping[str, Any]) -> str | None:
    value = scope_state.get("request_id")
    return value if isinstance(value, str) else None


def _title(code: str) -> str:
    return _TITLES.get(code) or code.replace("_", " ").capitalize()


def problem_body(
    status: int,
    code: str,
    detail: str,
    *,
    errors: Iterable[FieldProblem] | None = None,
    request_id: str | None = None,
    **extensions: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"urn:shipmux:problem:{code}",
        "title": _title(code),
        "status": status,
        "code": code,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = [{"field": p.field, "rule": p.rule, "message": p.message} for p in errors]
    if request_id is not None:
        body["request_id"] = request_id
    body.update(extensions)
    return body


def problem_response(
    status: int,
    code: str,
    detail: str,
    *,
    errors: Iterable[FieldProblem] | None = None,
    request_id: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body = problem_body(status, code, detail, errors=errors, request_id=request_id, **extensions)
    return JSONResponse(
        body, status_code=status, headers=dict(headers or {}), media_type=PROBLEM_MEDIA_TYPE
    )


def _status_of(exc: ShipmuxError) -> int:
    for cls in type(exc).__mro__:
        status = _STATUS_BY_ERROR.get(cls)
        if status is not None:
            return status
    return 500


def error_problem(exc: ShipmuxError, request_id: str | None) -> JSONResponse | None:
    """The problem answer for a domain error; None for one nobody mapped (our bug: a 500)."""
    status = _status_of(exc)
    if status == 500:
        return None
    errors = exc.problems if isinstance(exc, ValidationFailed) else None
    # RFC 9110: a 401 names the scheme the client should use.
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthenticated) else None
    return problem_response(
        status, exc.code, exc.message, errors=errors, request_id=request_id, headers=headers
    )


async def _on_shipmux_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ShipmuxError)
    response = error_problem(exc, request_id_of(request.scope.get("state", {})))
    if response is None:
        raise exc  # let the 500 path log it
    return response


def _field_of(loc: tuple[int | str, ...]) -> str:
    # FastAPI puts where a parameter lives first: ("query", "limit"), ("header", "Idempotency-Key").
    if loc and loc[0] in ("query", "path", "header", "body"):
        return field_path(loc[1:]) if len(loc) > 1 else str(loc[0])
    return field_path(loc)


def _malformed_json(request: Request, exc: RequestValidationError) -> Response | None:
    """FastAPI reports a body it could not decode as a 422; it is a 400 to us."""
    for error in exc.errors():
        if error.get("type") != "json_invalid":
            continue
        position = error["loc"][-1] if isinstance(error["loc"][-1], int) else 0
        document = exc.body if isinstance(exc.body, str) else ""
        line = document.count("\n", 0, position) + 1
        column = position - (document.rfind("\n", 0, position) + 1) + 1
        reason = error.get("ctx", {}).get("error", "JSON decode error")
        return problem_response(
            400,
            "malformed_json",
            f"the body is not valid JSON: {reason} at line {line}, column {column}",
            request_id=request_id_of(request.scope.get("state", {})),
            line=line,
            column=column,
        )
    return None


async def _on_request_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    malformed = _malformed_json(request, exc)
    if malformed is not None:
        return malformed
    problems = []
    for error in exc.errors():
        message = str(error.get("msg", "invalid"))
        message = message.removeprefix("Value error, ")
        problems.append(FieldProblem(_field_of(tuple(error["loc"])), error["type"], message))
    fields = ", ".join(dict.fromkeys(p.field for p in problems))
    return problem_response(
        422,
        ValidationFailed.code,
        f"invalid fields: {fields}",
        errors=problems,
        request_id=request_id_of(request.scope.get("state", {})),
    )


async def _on_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    request_id = request_id_of(request.scope.get("state", {}))
    if isinstance(exc, ProblemException):
        return problem_response(
            exc.status_code,
            exc.code,
            str(exc.detail),
            errors=exc.errors or None,
            request_id=request_id,
            headers=exc.headers,
            **exc.extensions,
        )
    status = exc.status_code
    headers = dict(exc.headers or {})
    if status == 405:
        headers["Allow"] = _allowed_methods(request)
    if status == 404:
        detail = f"no route for {request.method} {request.url.path}"
    elif status == 405:
        detail = f"{request.method} is not allowed on {request.url.path}"
    else:
        detail = str(exc.detail)
    return problem_response(
        status,
        _CODE_BY_STATUS.get(status, f"http_{status}"),
        detail,
        request_id=request_id,
        headers=headers,
    )


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _allowed_methods(request: Request) -> str:
    # Starlette's Allow names the first route of the path only, and GET and POST of
    # /v1/orders are two routes: ask the router which methods would match in full.
    routes = request.app.router.routes
    allowed = [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes
        )
    ]
    return ", ".join(allowed)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ShipmuxError, _on_shipmux_error)
    app.add_exception_handler(RequestValidationError, _on_request_validation)
    app.add_exception_handler(HTTPException, _on_http_exception)
