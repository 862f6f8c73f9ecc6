"""Sendcloud v3's JSON:API error bodies (spec schema ``ErrorObject``, research §1.5).

``{"errors": [{"status": "400", "code": "invalid", "title"?, "detail", "source"?}]}``;
``source`` carries a JSON ``pointer`` into the request body or the query ``parameter``.
A 429 is the exception: Sendcloud answers it with an empty body (research §1.2).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from shipmux.sandboxes.kit.jsonio import json_response

PROCESSING_PREVIOUS = "We are still processing a previous request. Please try again in a moment."


def error_object(
    status: int,
    code: str,
    detail: str,
    *,
    title: str | None = None,
    pointer: str | None = None,
    parameter: str | None = None,
) -> dict[str, Any]:
    error: dict[str, Any] = {"status": str(status), "code": code}
    if title is not None:
        error["title"] = title
    error["detail"] = detail
    if pointer is not None:
        error["source"] = {"pointer": pointer}
    elif parameter is not None:
        error["source"] = {"parameter": parameter}
    return error


def errors_response(status: int, errors: list[dict[str, Any]]) -> Response:
    return json_response({"errors": errors}, status)


def single_error(status: int, code: str, detail: str, **extra: Any) -> Response:
    return errors_response(status, [error_object(status, code, detail, **extra)])


def unauthorized(detail: str, title: str) -> Response:
    # Spec components.responses.Unauthorized.
    error = error_object(401, "authentication_failed", detail, title=title)
    return json_response({"errors": [error]}, 401, {"WWW-Authenticate": 'Basic realm="api"'})


def not_found(detail: str = "The page you have requested could not be found.") -> Response:
    return single_error(404, "not_found", detail, title="Not found")


def invalid(detail: str, pointer: str, status: int = 400) -> Response:
    return single_error(status, "invalid", detail, pointer=pointer)


def too_many_requests() -> Response:
    return Response(b"", status_code=429)
