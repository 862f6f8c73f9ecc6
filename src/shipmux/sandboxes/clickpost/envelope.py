"""Clickpost's answer envelope ``{"meta": {status, message, success}, "result": ...}``.

Clickpost reports outcomes in ``meta.status``; the HTTP status stays 200 for every
outcome it names (the guidelines' success test reads both). Only transport-level
troubles (429 and the 5xx the fault kit injects) change the HTTP status as well.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from shipmux.sandboxes.kit.jsonio import json_response

# _error.md, word for word.
MESSAGES = {
    301: "Authentication Failed: Invalid Token or API Key",
    302: "Invalid Courier Partner Id with Field cp_id",
    305: "Webhook already Registered for the user",
    306: "You are not Registered To Use this service, Please Register",
    307: "You have entered invalid Order Type",
    309: "Invalid Delivery Type",
    310: "RVP reason is missing",
    312: "Items Data is missing from order details",
    313: "Invalid Format of items for Order data",
    314: "Invalid Format Of Order Data",
    315: "Invalid Cod Value",
    319: "Error In Order Placing To Courier Partner",
    322: "Internal Server Error In Courier Partners Server, Try Again",
    323: "You have Already placed this order",
    327: "Webhook not registered for the user",
    328: "Invalid POST data",
    330: "waybill does not exist",
    350: "Order Cancellation Error from Courier Partner Server",
    351: "No account exist",
    352: "Multiple Account exist",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
    600: "Order already cancelled",
}
# The async flow's own texts (_create.md "Processing Async API requests").
PLACED = "Order Placed Successfully"
PROCESSING = "We are processing your order"
# Async sample of a finished order: "You have already placed this order".
ALREADY_PLACED = "You have already placed this order"

_HTTP_LEVEL = {429, 500, 503, 504}


def meta(status: int, message: str | None = None, *, success: bool | None = None) -> dict[str, Any]:
    return {
        "status": status,
        "message": message if message is not None else MESSAGES.get(status, "SUCCESS"),
        "success": status == 200 if success is None else success,
    }


def answer(
    status: int,
    result: Any = None,
    *,
    message: str | None = None,
    success: bool | None = None,
    extra: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {"meta": meta(status, message, success=success), "result": result}
    body.update(extra or {})
    http_status = status if status in _HTTP_LEVEL else 200
    return json_response(body, http_status, headers)


def failure(status: int, detail: str | None = None) -> Response:
    """A refusal: the documented text for ``status``, with what was wrong appended."""
    text = MESSAGES.get(status, "Bad Request")
    return answer(status, None, message=f"{text}: {detail}" if detail else text, success=False)
