"""Merchant webhooks: endpoints (admin writes), deliveries, dead letters and replay."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from shipmux.api.deps import Admin, Ctx, Reader, Writer
from shipmux.api.schemas.common import problem_responses
from shipmux.api.schemas.webhook_endpoints import (
    DeliveryList,
    DeliveryOut,
    EndpointCreated,
    EndpointIn,
    EndpointList,
    EndpointOut,
    SecretRotated,
)
from shipmux.services.notifications import deliveries, endpoints

__all__ = ["router"]

router = APIRouter(tags=["merchant webhooks"])

_ENDPOINTS = "/v1/webhook-endpoints"
_DELIVERIES = "/v1/webhook-deliveries"


@router.post(
    _ENDPOINTS,
    name="create_webhook_endpoint",
    operation_id="createWebhookEndpoint",
    status_code=201,
    response_model=EndpointCreated,
    responses=problem_responses(400, 401, 403, 413, 422),
)
def create(ctx: Ctx, principal: Admin, body: EndpointIn) -> EndpointCreated:
    view = endpoints.create_endpoint(
        ctx.db,
        ctx.secret_box,
        principal.tenant_id,
        body.spec(),
        allow_private=ctx.settings.allow_private_webhook_urls,
    )
    return EndpointCreated.from_view(view)


@router.get(
    _ENDPOINTS,
    name="list_webhook_endpoints",
    operation_id="listWebhookEndpoints",
    response_model=EndpointList,
    responses=problem_responses(401, 403),
)
def list_(ctx: Ctx, principal: Reader) -> EndpointList:
    views = endpoints.list_endpoints(ctx.db, principal.tenant_id)
    return EndpointList(data=[EndpointOut.from_view(v) for v in views])


@router.get(
    _ENDPOINTS + "/{endpoint_id}",
    name="get_webhook_endpoint",
    operation_id="getWebhookEndpoint",
    response_model=EndpointOut,
    responses=problem_responses(401, 403, 404),
)
def get(ctx: Ctx, principal: Reader, endpoint_id: str) -> EndpointOut:
    return EndpointOut.from_view(endpoints.get_endpoint(ctx.db, principal.tenant_id, endpoint_id))


@router.put(
    _ENDPOINTS + "/{endpoint_id}",
    name="update_webhook_endpoint",
    operation_id="updateWebhookEndpoint",
    response_model=EndpointOut,
    responses=problem_responses(400, 401, 403, 404, 413, 422),
)
def update(ctx: Ctx, principal: Admin, endpoint_id: str, body: EndpointIn) -> EndpointOut:
    view = endpoints.update_endpoint(
        ctx.db,
        principal.tenant_id,
        endpoint_id,
        body.spec(),
        allow_private=ctx.settings.allow_private_webhook_urls,
    )
    return EndpointOut.from_view(view)


@router.delete(
    _ENDPOINTS + "/{endpoint_id}",
    name="delete_webhook_endpoint",
    operation_id="deleteWebhookEndpoint",
    status_code=204,
    response_class=Response,
    responses=problem_responses(401, 403, 404),
)
def delete(ctx: Ctx, principal: Admin, endpoint_id: str) -> Response:
    endpoints.delete_endpoint(ctx.db, principal.tenant_id, endpoint_id)
    return Response(status_code=204)


@router.post(
    _ENDPOINTS + "/{endpoint_id}/rotate-secret",
    name="rotate_webhook_secret",
    operation_id="rotateWebhookSecret",
    response_model=SecretRotated,
    responses=problem_responses(401, 403, 404),
)
def rotate(ctx: Ctx, principal: Admin, endpoint_id: str) -> SecretRotated:
    view = endpoints.rotate_secret(ctx.db, ctx.secret_box, principal.tenant_id, endpoint_id)
    assert view.secret is not None
    return SecretRotated(
        id=view.id, secret=view.secret, previous_secret_until=view.previous_secret_until
    )


@router.get(
    _DELIVERIES,
    name="list_webhook_deliveries",
    operation_id="listWebhookDeliveries",
    response_model=DeliveryList,
    responses=problem_responses(401, 403, 422),
)
def list_deliveries(
    ctx: Ctx,
    principal: Reader,
    state: Annotated[
        deliveries.DeliveryState | None, Query(description="dead: the dead-letter list")
    ] = None,
    endpoint_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> DeliveryList:
    views = deliveries.list_deliveries(
        ctx.db, principal.tenant_id, state=state, endpoint_id=endpoint_id, limit=limit
    )
    return DeliveryList(data=[DeliveryOut.from_view(v) for v in views])


@router.get(
    _DELIVERIES + "/{delivery_id}",
    name="get_webhook_delivery",
    operation_id="getWebhookDelivery",
    response_model=DeliveryOut,
    responses=problem_responses(401, 403, 404),
)
def get_delivery(ctx: Ctx, principal: Reader, delivery_id: str) -> DeliveryOut:
    view = deliveries.get_delivery(ctx.db, principal.tenant_id, delivery_id)
    return DeliveryOut.from_view(view, with_history=True)


@router.post(
    _DELIVERIES + "/{delivery_id}/replay",
    name="replay_webhook_delivery",
    operation_id="replayWebhookDelivery",
    status_code=202,
    response_model=DeliveryOut,
    responses=problem_responses(401, 403, 404, 409),
)
def replay(ctx: Ctx, principal: Writer, delivery_id: str) -> DeliveryOut:
    return DeliveryOut.from_view(
        deliveries.replay_delivery(ctx.db, principal.tenant_id, delivery_id)
    )
