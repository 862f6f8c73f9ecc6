"""The spec's error bodies, one builder per shape (research notes, section 4).

| shape                   | used by                                            |
|-------------------------|----------------------------------------------------|
| ErrorResponse           | create/list orders, 401/403/429/5xx, returns       |
| [OrderErrorResponse]    | get by ids, ``/full`` by ids, label                |
| [OrderErrorInfo]        | delete                                             |
| [OrderUpdateError]      | status update                                      |
| ManifestErrorsResponse  | manifests (400 and 500 alike)                      |
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from starlette.responses import Response

from shipmux.sandboxes.click_and_drop.validation import Violation
from shipmux.sandboxes.kit.jsonio import json_response


class ErrorShape(StrEnum):
    """Which body an endpoint's generic failures (5xx, 503, 429) use."""

    ERROR_RESPONSE = "ErrorResponse"
    MANIFEST_ERRORS = "ManifestErrorsResponse"


def error_response(code: str, message: str, details: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return body


def manifest_errors(code: str, description: str) -> dict[str, Any]:
    return {"errors": [{"code": code, "description": description}]}


def failure(
    shape: ErrorShape,
    status_code: int,
    code: str,
    message: str,
    headers: dict[str, str] | None = None,
) -> Response:
    """A whole-request failure in the endpoint's shape."""
    if shape is ErrorShape.MANIFEST_ERRORS:
        body = manifest_errors(code, message)
    else:
        body = error_response(code, message)
    return json_response(body, status_code, headers)


def order_error_response(
    code: str, message: str, *, identifier: int | None = None, reference: str | None = None
) -> dict[str, Any]:
    return {
        "accountOrderNumber": identifier,
        "channelOrderReference": reference,
        "code": code,
        "message": message,
    }


def order_error_info(
    code: str, message: str, *, identifier: int | None = None, reference: str | None = None
) -> dict[str, Any]:
    return {
        "orderIdentifier": identifier,
        "orderReference": reference,
        "code": code,
        "message": message,
    }


def order_update_error(
    code: str,
    message: str,
    *,
    identifier: int | None = None,
    reference: str | None = None,
    status: str | None = None,
) -> dict[str, Any]:
    return {
        "orderIdentifier": identifier,
        "orderReference": reference,
        "status": status,
        "code": code,
        "message": message,
    }


def create_order_error(violation: Violation) -> dict[str, Any]:
    """One ``CreateOrderErrorResponse`` of a ``failedOrders`` entry."""
    return {
        "errorCode": int(violation.code),
        "errorMessage": violation.message,
        "fields": [{"fieldName": violation.field, "value": violation.value}],
    }
