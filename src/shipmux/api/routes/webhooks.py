"""Carrier webhooks: ``POST /webhooks/{carrier}/{account_id}`` (and ``/v1/webhooks/...``).

One route for every carrier that pushes; the carrier's package checks and reads the
request (``CarrierEntry.read_webhook``). No API key: each carrier proves itself with
its own signature or key, checked against the account's webhook secret.

Answers 200 only once the receipt (raw body, headers, parsed events) is committed;
401 when not authentic (bad signature or key, stale, malformed); 409 for a replayed
id where the carrier asks replays to be refused; 404 for an account that takes no
webhooks; 413 over ``MAX_WEBHOOK_BYTES``. Every refusal is recorded and counted.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from shipmux import carriers
from shipmux.api.deps import Ctx
from shipmux.api.errors import ProblemException
from shipmux.api.schemas.common import problem_responses
from shipmux.carriers.base import WebhookRequest
from shipmux.services.webhook_intake import WebhookIntake

__all__ = ["MAX_WEBHOOK_BYTES", "router"]

# Carrier webhooks are a few KiB; the API's general limit is for order batches.
MAX_WEBHOOK_BYTES = 256 * 1024

router = APIRouter(tags=["webhooks"])


class WebhookTaken(BaseModel):
    status: str  # applied | unknown_shipment | duplicate (where replays are not refused)
    shipment_id: str | None = None


def intake_of(request: Request) -> WebhookIntake:
    intake = request.app.state.webhook_intake
    assert isinstance(intake, WebhookIntake)
    return intake


async def receive(ctx: Ctx, carrier: str, account_id: str, request: Request) -> WebhookTaken:
    intake = intake_of(request)
    remote = request.client.host if request.client else None
    limit = min(MAX_WEBHOOK_BYTES, ctx.settings.api.max_body_bytes)
    body = await _read_body(request, limit)
    if body is None:
        label = carrier if carrier in carriers.registry() else "unknown"
        await intake.refuse(label, None, "oversized", remote)
        raise ProblemException(
            413,
            "body_too_large",
            f"the request body is larger than {limit} bytes",
            headers={"Connection": "close"},
            max_bytes=limit,
        )
    received = WebhookRequest(
        body=body,
        headers={name.lower(): value for name, value in request.headers.items()},
        query=dict(request.query_params),
    )
    outcome = await intake.receive(carrier, account_id, received, remote)
    return WebhookTaken(status=outcome.outcome, shipment_id=outcome.shipment_id)


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The body, or None once it is known to exceed ``limit`` (by its declared length first)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


for _path, _name, _operation in (
    ("/webhooks/{carrier}/{account_id}", "receive_webhook", "receiveWebhook"),
    ("/v1/webhooks/{carrier}/{account_id}", "receive_webhook_v1", "receiveWebhookV1"),
):
    router.add_api_route(
        _path,
        receive,
        methods=["POST"],
        name=_name,
        operation_id=_operation,
        response_model=WebhookTaken,
        responses=problem_responses(401, 404, 409, 413),
    )
