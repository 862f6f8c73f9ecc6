"""Orders: intake (one or a batch), listing, reading, labels, cancel and despatch."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query
from pydantic import AwareDatetime
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from shipmux.api.deps import Ctx, Reader, Writer
from shipmux.api.errors import problem_response, request_id_of
from shipmux.api.payloads import parse_json, split_orders
from shipmux.api.schemas.common import problem_responses
from shipmux.api.schemas.orders import (
    BatchOut,
    IntakeOut,
    OrderOut,
    OrderPage,
    OrderSummaryOut,
)
from shipmux.carriers.base import LabelRequest
from shipmux.domain.errors import FieldProblem, ValidationFailed
from shipmux.domain.shipments import ShipmentStatus
from shipmux.services.intake import IntakeAnswer, request_fingerprint, take_orders
from shipmux.services.orders import (
    OrderFilter,
    OrderView,
    cancel_order,
    despatch_order,
    fetch_label_as,
    get_order,
    list_orders,
    read_label,
)

__all__ = ["router"]

router = APIRouter(prefix="/v1/orders", tags=["orders"])

OrderId = Annotated[str, Path(min_length=1, max_length=40)]

_REF = "#/components/schemas/"
_INTAKE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": 'One order, or `{"orders": [...]}` with 1 to 500 orders.',
        "content": {
            "application/json": {
                "schema": {"oneOf": [{"$ref": _REF + "Order"}, {"$ref": _REF + "OrderBatchIn"}]}
            }
        },
    }
}
_INTAKE_RESPONSES: dict[int | str, dict[str, Any]] = {
    201: {"model": IntakeOut, "description": "One order, stored (`outcome: created`)"},
    200: {
        "description": "One order already stored (`updated` / `existing`), or a batch",
        "content": {
            "application/json": {
                "schema": {"oneOf": [{"$ref": _REF + "IntakeOut"}, {"$ref": _REF + "BatchOut"}]}
            }
        },
    },
    **problem_responses(400, 401, 403, 409, 413, 422),
}

_REPLAYED = {"Idempotent-Replayed": "true"}


def _order_url(request: Request, order_id: str) -> str:
    return str(request.url_for("get_order", order_id=order_id))


def _label_url(request: Request, view: OrderView) -> str | None:
    return str(request.url_for("get_label", order_id=view.id)) if view.has_label else None


def _json(model: IntakeOut | BatchOut, status: int, headers: dict[str, str]) -> Response:
    return JSONResponse(model.model_dump(mode="json", by_alias=True), status, headers)


def _rejected(
    request: Request,
    problems: list[FieldProblem],
    detail: str,
    headers: dict[str, str],
    **extensions: Any,
) -> Response:
    return problem_response(
        422,
        ValidationFailed.code,
        detail,
        errors=problems,
        request_id=request_id_of(request.scope.get("state", {})),
        headers=headers,
        **extensions,
    )


def _single_answer(request: Request, answer: IntakeAnswer, headers: dict[str, str]) -> Response:
    result = answer.results[0]
    if result.outcome == "rejected" or result.order_id is None:
        fields = ", ".join(dict.fromkeys(p.field for p in result.problems))
        return _rejected(request, result.problems, f"the order was rejected: {fields}", headers)
    url = _order_url(request, result.order_id)
    if result.outcome == "created":
        return _json(IntakeOut.from_result(result, url), 201, headers | {"Location": url})
    return _json(IntakeOut.from_result(result, url), 200, headers)


def _batch_answer(request: Request, answer: IntakeAnswer, headers: dict[str, str]) -> Response:
    batch = BatchOut.from_results(answer.results)
    if batch.success_count:
        return _json(batch, 200, headers)
    # Nothing stored: a problem, with the same per-order detail a 200 would carry.
    errors = [
        FieldProblem(f"orders[{r.index}].{p.field}", p.rule, p.message)
        for r in answer.results
        for p in r.problems
    ]
    return _rejected(
        request,
        errors,
        "every order of the batch was rejected",
        headers,
        success_count=0,
        error_count=batch.error_count,
        results=[r.model_dump(mode="json") for r in batch.results],
    )


@router.post(
    "",
    name="create_orders",
    operation_id="createOrders",
    status_code=201,
    response_model=None,
    responses=_INTAKE_RESPONSES,
    openapi_extra=_INTAKE_BODY,
)
async def create_orders(
    request: Request,
    ctx: Ctx,
    principal: Writer,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=1,
            max_length=255,
            description="Same key and body: same answer; same key, other body: 409",
        ),
    ] = None,
) -> Response:
    raw = await request.body()

    def take() -> tuple[IntakeAnswer, bool]:
        # Parsing, validating and writing all run off the event loop, in one hop.
        body = parse_json(raw)
        raw_orders, is_batch = split_orders(body, ctx.settings.api.max_batch)
        idempotency = (idempotency_key, request_fingerprint(body)) if idempotency_key else None
        answer = take_orders(
            ctx.db,
            principal.tenant_id,
            raw_orders,
            max_attempts=ctx.settings.worker.max_attempts,
            idempotency=idempotency,
        )
        return answer, is_batch

    answer, is_batch = await run_in_threadpool(take)
    headers = dict(_REPLAYED) if answer.replayed else {}
    shape = _batch_answer if is_batch else _single_answer
    return shape(request, answer, headers)


@router.get(
    "",
    name="list_orders",
    operation_id="listOrders",
    response_model=OrderPage,
    responses=problem_responses(401, 403, 422),
)
def list_(
    request: Request,
    ctx: Ctx,
    principal: Reader,
    status: Annotated[ShipmentStatus | None, Query()] = None,
    carrier: Annotated[str | None, Query(max_length=40)] = None,
    reference: Annotated[str | None, Query(max_length=100)] = None,
    created_from: Annotated[AwareDatetime | None, Query(description="Inclusive")] = None,
    created_to: Annotated[AwareDatetime | None, Query(description="Exclusive")] = None,
    stuck: Annotated[
        bool | None,
        Query(description="true: only shipments flagged stuck (no movement); false: others"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> OrderPage:
    filters = OrderFilter(
        status=status.value if status else None,
        carrier=carrier,
        reference=reference,
        created_from=created_from,
        created_to=created_to,
        stuck=stuck,
    )
    page = list_orders(ctx, principal.tenant_id, filters, limit, cursor)
    data = [OrderSummaryOut.from_view(v, _label_url(request, v)) for v in page.items]
    return OrderPage(data=data, next_cursor=page.next_cursor)


@router.get(
    "/{order_id}",
    name="get_order",
    operation_id="getOrder",
    response_model=OrderOut,
    responses=problem_responses(401, 403, 404, 422),
)
def get(request: Request, ctx: Ctx, principal: Reader, order_id: OrderId) -> OrderOut:
    view = get_order(ctx, principal.tenant_id, order_id)
    return OrderOut.from_view(view, _label_url(request, view))


_EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "application/zpl": "zpl"}


def _filename(reference: str, media_type: str) -> str:
    # The reference is the merchant's free text: keep a header-safe subset.
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", reference) or "label"
    return f"{safe}.{_EXTENSIONS.get(media_type, 'pdf')}"


@router.get(
    "/{order_id}/label",
    name="get_label",
    operation_id="getOrderLabel",
    response_class=Response,
    responses={
        200: {"description": "The label document", "content": {"application/pdf": {}}},
        **problem_responses(401, 403, 404, 422, 502),
    },
)
async def label(
    ctx: Ctx,
    principal: Reader,
    order_id: OrderId,
    format: Annotated[
        Literal["pdf", "png"] | None,
        Query(description="Fetch this format from the carrier instead of the stored label"),
    ] = None,
    media: Annotated[
        Literal["a4", "4x6", "a4-4x6"] | None,
        Query(description="Page size, where the carrier offers a choice (Parcel2Go)"),
    ] = None,
) -> Response:
    if format is None and media is None:
        label = await run_in_threadpool(read_label, ctx, principal.tenant_id, order_id)
    else:
        wanted = LabelRequest(format=format or "pdf", media=media)
        label = await fetch_label_as(ctx, principal.tenant_id, order_id, wanted)
    content, media_type, reference = label.content, label.media_type, label.reference
    disposition = f'inline; filename="{_filename(reference, media_type)}"'
    return Response(content, media_type=media_type, headers={"Content-Disposition": disposition})


_ACTION_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Done: the order is in its new status"},
    202: {"model": OrderOut, "description": "Accepted: the worker still has to tell the carrier"},
    **problem_responses(401, 403, 404, 409, 422),
}


def _action_answer(request: Request, response: Response, view: OrderView, done: bool) -> OrderOut:
    response.status_code = 200 if done else 202
    return OrderOut.from_view(view, _label_url(request, view))


@router.post(
    "/{order_id}/cancel",
    name="cancel_order",
    operation_id="cancelOrder",
    response_model=OrderOut,
    responses=_ACTION_RESPONSES,
)
def cancel(
    request: Request, response: Response, ctx: Ctx, principal: Writer, order_id: OrderId
) -> OrderOut:
    view = cancel_order(ctx, principal.tenant_id, order_id)
    return _action_answer(request, response, view, view.status == ShipmentStatus.CANCELLED)


_DESPATCHED = frozenset(
    {ShipmentStatus.DESPATCHED, ShipmentStatus.MANIFESTED, ShipmentStatus.DELIVERED}
)


@router.post(
    "/{order_id}/despatch",
    name="despatch_order",
    operation_id="despatchOrder",
    response_model=OrderOut,
    responses=_ACTION_RESPONSES,
)
def despatch(
    request: Request, response: Response, ctx: Ctx, principal: Writer, order_id: OrderId
) -> OrderOut:
    view = despatch_order(ctx, principal.tenant_id, order_id)
    return _action_answer(request, response, view, view.status in _DESPATCHED)
