"""Liveness with a database check, for load balancers and orchestrators."""

from __future__ import annotations

from fastapi import APIRouter

from shipmux.api.deps import Ctx
from shipmux.api.errors import ProblemException
from shipmux.api.schemas.common import Health, problem_responses

__all__ = ["router"]

router = APIRouter(tags=["health"])


@router.get(
    "/healthz",
    operation_id="getHealth",
    response_model=Health,
    responses=problem_responses(503),
)
def health(ctx: Ctx) -> Health:
    if not ctx.db.ping():
        raise ProblemException(503, "unavailable", "the database does not answer")
    return Health()
