"""Carrier accounts: list them, connect one (admin only)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from shipmux.api.deps import Admin, Ctx, Reader
from shipmux.api.schemas.accounts import AccountIn, AccountList, AccountOut
from shipmux.api.schemas.common import problem_responses
from shipmux.services.accounts import connect_account, list_accounts
from shipmux.services.webhooks import register_webhook

__all__ = ["router"]

router = APIRouter(prefix="/v1/carrier-accounts", tags=["carrier accounts"])


@router.get(
    "",
    name="list_carrier_accounts",
    operation_id="listCarrierAccounts",
    response_model=AccountList,
    responses=problem_responses(401, 403),
)
def list_(ctx: Ctx, principal: Reader) -> AccountList:
    views = list_accounts(ctx.db, principal.tenant_id)
    return AccountList(data=[AccountOut.from_view(v) for v in views])


@router.post(
    "",
    name="connect_carrier_account",
    operation_id="connectCarrierAccount",
    status_code=201,
    response_model=AccountOut,
    responses=problem_responses(400, 401, 403, 409, 413, 422),
)
def connect(ctx: Ctx, principal: Admin, body: AccountIn) -> AccountOut:
    view = connect_account(
        ctx.db,
        ctx.secret_box,
        principal.tenant_id,
        name=body.name,
        carrier=body.carrier,
        settings=body.settings,
        is_default=body.is_default,
    )
    return AccountOut.from_view(view)


class WebhookRegistration(BaseModel):
    hub_url: str | None = Field(
        default=None,
        description="The hub's public base URL the carrier can reach; default: this server's",
    )


@router.post(
    "/{account_id}/register-webhook",
    name="register_carrier_webhook",
    operation_id="registerCarrierWebhook",
    response_model=AccountOut,
    responses=problem_responses(401, 403, 404, 422, 502),
)
async def register_carrier_webhook(
    ctx: Ctx, principal: Admin, account_id: str, request: Request, body: WebhookRegistration
) -> AccountOut:
    """Ask the carrier (where it has an API for it: Clickpost) to push to this hub."""
    hub_url = body.hub_url or str(request.base_url)
    view = await register_webhook(ctx, principal.tenant_id, account_id, hub_url)
    return AccountOut.from_view(view)
