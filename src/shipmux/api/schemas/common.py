"""Models every resource shares: the problem body and the health answer."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shipmux.api.errors import PROBLEM_MEDIA_TYPE

__all__ = ["FieldError", "Health", "Problem", "problem_responses"]


class FieldError(BaseModel):
    """One offending field: its path (``packages[0].weight_grams``), the rule, in words."""

    field: str
    rule: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem; ``code`` is stable and meant for programs."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=["urn:shipmux:problem:validation_failed"])
    title: str
    status: int
    code: str = Field(examples=["validation_failed"])
    detail: str
    errors: list[FieldError] | None = None
    request_id: str | None = None


class Health(BaseModel):
    status: Literal["ok"] = "ok"


_DESCRIPTIONS = {
    400: "Malformed JSON (`malformed_json`)",
    401: "No or unknown API key (`unauthenticated`)",
    403: "The API key lacks the scope (`forbidden`)",
    404: "No such resource for this tenant (`not_found`)",
    409: "Conflicts with the stored state",
    413: "Body larger than the limit (`body_too_large`)",
    422: "Invalid input; `errors` names every field (`validation_failed`)",
    502: "The carrier failed a call made while you wait (`carrier_call_failed`)",
    503: "Not ready (`unavailable`)",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` entries of the problems a route can answer."""
    return {
        status: {
            "description": _DESCRIPTIONS[status],
            # Problem is added to the components by shipmux.api.openapi.
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
