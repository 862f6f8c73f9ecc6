"""``GET /orders/{ids}/label``: one PDF for all the orders (OBA accounts only).

The answer is ``application/pdf`` whatever ``Accept`` says: the reference client sends
``Accept: application/json`` here and still expects the PDF bytes.
"""

from __future__ import annotations

import functools

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from shipmux.sandboxes.click_and_drop import documents, lifecycle
from shipmux.sandboxes.click_and_drop.context import Call
from shipmux.sandboxes.click_and_drop.errors import error_response, order_error_response
from shipmux.sandboxes.click_and_drop.ordering import OBA_ONLY, POSTAGE_REQUIRED
from shipmux.sandboxes.click_and_drop.routes.lookup import (
    lookup_orders,
    missing_errors,
    unique_orders,
)
from shipmux.sandboxes.click_and_drop.schemas import DOCUMENT_TYPES
from shipmux.sandboxes.click_and_drop.store import LABELLABLE, Order
from shipmux.sandboxes.kit.jsonio import json_response

_BOOLEANS = {"true": True, "false": False}
INLINE_RENDER_LIMIT = 5


class ParameterError(ValueError):
    pass


def _parameter_error(message: str) -> Response:
    return json_response([order_error_response("InvalidParameter", message)], 400)


def _flag(call: Call, name: str, *, required: bool) -> bool:
    raw = call.query(name)
    if raw is None or raw == "":
        if required:
            raise ParameterError(
                f"The {name} parameter is required when documentType is set to 'postageLabel'."
            )
        return False
    if raw.lower() not in _BOOLEANS:
        raise ParameterError(f"The {name} parameter must be true or false.")
    return _BOOLEANS[raw.lower()]


def _document_type(call: Call) -> str:
    value = call.query("documentType")
    if value is None or value == "":
        raise ParameterError("The documentType parameter is required.")
    if value not in DOCUMENT_TYPES:
        raise ParameterError(
            f"The documentType parameter must be one of: {', '.join(DOCUMENT_TYPES)}."
        )
    return value


def _postage_errors(orders: list[Order]) -> list[dict[str, object]]:
    return [
        order_error_response(
            "PostageNotApplied",
            POSTAGE_REQUIRED,
            identifier=order.identifier,
            reference=order.reference,
        )
        for order in orders
        if order.status not in LABELLABLE
    ]


async def get_label(call: Call) -> Response:
    if not call.account.is_oba:
        return json_response(error_response("Forbidden", OBA_ONLY), 403)
    try:
        document_type = _document_type(call)
        is_label = document_type == "postageLabel"
        # Spec: both are ignored unless documentType is postageLabel.
        returns_label = is_label and _flag(call, "includeReturnsLabel", required=True)
        include_cn = is_label and _flag(call, "includeCN", required=False)
    except ParameterError as exc:
        return _parameter_error(str(exc))
    found = lookup_orders(call, order_error_response)
    if isinstance(found, Response):
        return found
    orders = unique_orders(found.found)
    errors = missing_errors(found.missing, order_error_response)
    if is_label:
        errors.extend(_postage_errors(orders))
    if errors:
        return json_response(errors, 400)
    render = functools.partial(
        documents.render_documents,
        orders,
        document_type,
        include_returns_label=returns_label,
        include_cn=include_cn,
        return_address=call.state.return_address,
    )
    # A label takes a few ms of CPU; big batches go to a worker thread so the event loop
    # keeps answering other clients meanwhile.
    pdf = await run_in_threadpool(render) if len(orders) > INLINE_RENDER_LIMIT else render()
    if is_label:
        for order in orders:
            lifecycle.generate_label(order, call.now)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{document_type}.pdf"'},
    )
