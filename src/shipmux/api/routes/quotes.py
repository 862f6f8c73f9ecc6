"""Quotes: an order priced at every carrier account of the tenant, cheapest first."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from shipmux.api.deps import Ctx, Reader
from shipmux.api.payloads import parse_json
from shipmux.api.schemas.common import problem_responses
from shipmux.api.schemas.quotes import QuoteBoardOut
from shipmux.services.quotes import quotable_order, quote_order
from shipmux.services.routing import load_policy

__all__ = ["router"]

router = APIRouter(prefix="/v1/quotes", tags=["quotes"])

_QUOTE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "An order as `POST /v1/orders` takes it. For a quote, `reference` and "
        "each address's `name`, `line1` and `city` may be left out: prices depend on the "
        "countries, postcodes, packages and value.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}},
    }
}


@router.post(
    "",
    name="quote_order",
    operation_id="quoteOrder",
    response_model=QuoteBoardOut,
    responses=problem_responses(400, 401, 403, 413, 422),
    openapi_extra=_QUOTE_BODY,
)
async def quote(
    request: Request,
    ctx: Ctx,
    principal: Reader,
    account_id: Annotated[
        list[str] | None,
        Query(description="Quote only these accounts (repeat the parameter); default: all"),
    ] = None,
) -> QuoteBoardOut:
    raw = await request.body()
    order = quotable_order(parse_json(raw))
    # Each account gets the tenant's routing timeout: what the worker will wait too.
    stored = await run_in_threadpool(load_policy, ctx.db, principal.tenant_id)
    board = await quote_order(
        ctx,
        principal.tenant_id,
        order,
        account_ids=account_id,
        timeout=stored.policy.quote_timeout_seconds,
    )
    return QuoteBoardOut.of(board)
