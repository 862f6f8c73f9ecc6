"""The tenant's routing policy: read it (read scope), replace it (admin)."""

from __future__ import annotations

from fastapi import APIRouter

from shipmux.api.deps import Admin, Ctx, Reader
from shipmux.api.schemas.common import problem_responses
from shipmux.api.schemas.routing import RoutingPolicyOut
from shipmux.domain.routing import RoutingPolicy
from shipmux.services.routing import load_policy, save_policy

__all__ = ["router"]

router = APIRouter(prefix="/v1/routing", tags=["routing"])


@router.get(
    "",
    name="get_routing_policy",
    operation_id="getRoutingPolicy",
    response_model=RoutingPolicyOut,
    responses=problem_responses(401, 403),
)
def get(ctx: Ctx, principal: Reader) -> RoutingPolicyOut:
    return RoutingPolicyOut.of(load_policy(ctx.db, principal.tenant_id))


@router.put(
    "",
    name="replace_routing_policy",
    operation_id="replaceRoutingPolicy",
    response_model=RoutingPolicyOut,
    responses=problem_responses(400, 401, 403, 413, 422),
)
def replace(ctx: Ctx, principal: Admin, body: RoutingPolicy) -> RoutingPolicyOut:
    return RoutingPolicyOut.of(save_policy(ctx.db, principal.tenant_id, body))
