"""Create-order (v3 India, v4 international): validation, idempotency, async, downtime.

Order of checks: body (328) -> fields (302/307-315/314) -> account code (351/352) ->
the reference already seen (102 while processing, 323 once placed) -> courier downtime
(319/322, nothing stored) -> place the order (200, or 202 when async).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.responses import Response

from shipmux.sandboxes.clickpost.context import Call
from shipmux.sandboxes.clickpost.couriers import courier_name, courier_partner_id, waybill_for
from shipmux.sandboxes.clickpost.envelope import (
    ALREADY_PLACED,
    MESSAGES,
    PLACED,
    PROCESSING,
    answer,
    failure,
)
from shipmux.sandboxes.clickpost.store import Order
from shipmux.sandboxes.clickpost.validation import (
    ApiVersion,
    Invalid,
    ShipmentRequest,
    parse_create_order,
)
from shipmux.sandboxes.kit.clock import format_timestamp
from shipmux.sandboxes.kit.jsonio import InvalidJson, read_json


def label_url(root: str, order: Order) -> str | None:
    if order.is_rvp or not order.wants_label:
        return None  # _create.md: "Not generated for RVP shipments"
    version = f"?v={order.label_version}" if order.label_version > 1 else ""
    return f"{root}/labels/{order.waybill}.pdf{version}"


def order_result(call: Call, order: Order) -> dict[str, Any]:
    return {
        "courier_partner_id": order.courier_partner_id,
        "courier_name": courier_name(order.courier_partner_id),
        "sort_code": None,
        "security_key": order.security_key,
        "reference_number": order.reference_number,
        "waybill": order.waybill,
        "label": label_url(call.root, order),
    }


def _processing(order: Order) -> Response:
    result = {
        "waybill": None,
        "sort_code": None,
        "security_key": None,
        "label": None,
        "reference_number": order.reference_number,
    }
    return answer(
        102, result, message=PROCESSING, success=False, extra={"order_id": order.order_id}
    )


def _account_code_refusal(call: Call, shipment: ShipmentRequest) -> Response | None:
    codes = call.state.settings.courier_account_codes.get(str(shipment.courier_partner_id), [])
    if shipment.account_code is None and len(codes) > 1:
        return failure(352, "pass account_code")
    if shipment.account_code is not None and codes and shipment.account_code not in codes:
        return failure(351, f"account_code {shipment.account_code!r}")
    return None


def _downtime_refusal(call: Call, courier: int) -> Response | None:
    for window in call.state.settings.courier_downtime:
        if window.courier_partner_id == courier and window.contains(call.now):
            until = format_timestamp(window.end)
            detail = f"{courier_name(courier)} is in scheduled downtime until {until}"
            return answer(
                window.status, None, message=f"{MESSAGES[window.status]}: {detail}", success=False
            )
    return None


async def create_order(call: Call, version: ApiVersion) -> Response:
    try:
        body = await read_json(call.request)
    except InvalidJson as exc:
        return failure(328, str(exc))
    try:
        shipment = parse_create_order(body, version)
    except Invalid as exc:
        return failure(exc.status, exc.detail)
    refusal = _account_code_refusal(call, shipment)
    if refusal is not None:
        return refusal
    state = call.state
    existing = state.store.by_reference(call.account.username, shipment.reference_number)
    if existing is not None:
        if not existing.is_ready(call.now):
            return _processing(existing)
        return answer(
            323,
            order_result(call, existing),
            message=ALREADY_PLACED,
            success=False,
            extra={"order_id": existing.order_id},
        )
    refusal = _downtime_refusal(call, shipment.courier_partner_id)
    if refusal is not None:
        return refusal
    settings = state.settings
    is_async = (
        shipment.is_async or shipment.courier_partner_id in settings.async_courier_partner_ids
    )
    delay = timedelta(seconds=settings.async_processing_seconds if is_async else 0)
    order = Order(
        order_id=state.store.next_order_id(),
        username=call.account.username,
        api_version=version,
        reference_number=shipment.reference_number,
        courier_partner_id=shipment.courier_partner_id,
        account_code=shipment.account_code,
        payload=body,
        created_at=call.now,
        ready_at=call.now + delay,
        is_async=is_async,
        wants_label=shipment.wants_label,
        is_rvp=shipment.is_rvp,
        pickup_city=shipment.pickup_city,
        drop_city=shipment.drop_city,
        drop_name=shipment.drop_name,
        waybill=waybill_for(shipment.courier_partner_id, state.next_waybill_sequence()),
    )
    state.store.orders[order.order_id] = order
    if is_async:
        result = {
            "reference_number": order.reference_number,
            "waybill": None,
            "label": None,
            "sort_code": None,
        }
        return answer(202, result, message=PLACED, success=True, extra={"order_id": order.order_id})
    return answer(200, order_result(call, order), message=PLACED)


async def find_order(call: Call) -> Response:
    """``GET create-order?reference_number=`` or ``?cp_id=&awb=`` (_create.md "Fetch AWB")."""
    reference, awb = call.query("reference_number"), call.query("awb")
    store, username = call.state.store, call.account.username
    if reference:
        order = store.by_reference(username, reference)
    elif awb and call.query("cp_id"):
        courier = courier_partner_id(call.query("cp_id"))
        if courier is None:
            return failure(302)
        order = store.by_waybill(username, awb)
        if order is not None and order.courier_partner_id != courier:
            order = None
    else:
        return failure(400, "pass reference_number, or cp_id and awb")
    if order is None:
        return failure(330, reference or awb)
    if not order.is_ready(call.now):
        return _processing(order)
    result = order_result(call, order)
    result["courier_partner"] = result.pop("courier_partner_id")
    return answer(200, result, message="Success")
