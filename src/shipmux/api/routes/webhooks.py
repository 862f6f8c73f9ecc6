"""Carrier webhooks: ``POST /v1/webhooks/{carrier}/{account_id}``.

No API key: each carrier proves itself with its own signature, checked against the
account's webhook secret. Answers 200 once stored; 401 when not authentic; 409 for
a replayed id; 404 for an account that takes no webhooks.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from shipmux.api.deps import Ctx
from shipmux.api.schemas.common import problem_responses
from shipmux.carriers.base import WebhookRequest
from shipmux.services.webhooks import take_webhook

__all__ = ["router"]

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])


class WebhookTaken(BaseModel):
    status: str  # applied | unknown_shipment | duplicate (where replays are not refused)
    shipment_id: str | None = None


@router.post(
    "/{carrier}/{account_id}",
    name="receive_webhook",
    operation_id="receiveWebhook",
    response_model=WebhookTaken,
    responses=problem_responses(401, 404, 409, 413),
)
async def receive(ctx: Ctx, carrier: str, account_id: str, request: Request) -> WebhookTaken:
    received = WebhookRequest(
        body=await request.body(),
        headers={name.lower(): value for name, value in request.headers.items()},
        query=dict(request.query_params),
    )
    outcome = await run_in_threadpool(take_webhook, ctx, carrier, account_id, received)
    return WebhookTaken(status=outcome.outcome, shipment_id=outcome.shipment_id)
