"""Parcel2Go's error bodies (research §2 "Error body shapes", ADR 0006 §2, §4, §8).

- ``{"Message": ...}``: ASP.NET Web API's generic shape (401, 403, 404, faults).
- ``{"Errors": [{"Type", "Error", "ItemId"}]}``: order validation (seed "Customs").
- ``{"Errors": [{"Name", "Description"}]}``: payment refusals.
- ``{"error": ...}``: IdentityServer's token endpoint.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from shipmux.sandboxes.kit.jsonio import json_response

UNAUTHORIZED = "Authorization has been denied for this request."
NOT_PAID = "The order has not been paid for."
NO_PRICE = "A price could not be found for these specifications."


def message(status_code: int, text: str, headers: Mapping[str, str] | None = None) -> Response:
    return json_response({"Message": text}, status_code, headers)


def unauthorized() -> Response:
    return message(401, UNAUTHORIZED, {"WWW-Authenticate": "Bearer"})


def forbidden_scope(scope: str) -> Response:
    return message(403, f"Authorization has been denied for this request. Scope '{scope}' "
                        "is required.")  # fmt: skip


def order_errors(status_code: int, errors: list[dict[str, Any]]) -> Response:
    return json_response({"Errors": errors}, status_code)


def payment_error(name: str, description: str) -> Response:
    return json_response({"Errors": [{"Name": name, "Description": description}]}, 400)


def oauth_error(error: str, status_code: int = 400) -> Response:
    return json_response({"error": error}, status_code)


def invalid_request(model_state: dict[str, list[str]]) -> Response:
    """ASP.NET's model-binding failure."""
    return json_response({"Message": "The request is invalid.", "ModelState": model_state}, 400)


def retry_after(seconds: float | None) -> dict[str, str]:
    if seconds is None:
        return {}
    return {"Retry-After": str(max(1, math.ceil(seconds)))}
