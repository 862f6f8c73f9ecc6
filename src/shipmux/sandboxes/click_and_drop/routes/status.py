"""``PUT /orders/status``: per-item status changes with the spec's rules.

- Exactly one of ``orderIdentifier`` / ``orderReference`` per item; at most 100 items.
- ``new`` resets the order (label void, out of its batch); ``despatched`` sets ``shippedOn``.
- ``despatchedByOtherCourier`` is ChannelShipper-only (403 otherwise); with a
  ``trackingNumber`` it also needs ``despatchDate``, ``shippingCarrier``, ``shippingService``.
- Manifested orders cannot change.
- An item without ``status`` only updates tracking number / carrier / service / date.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from shipmux.sandboxes.click_and_drop import lifecycle
from shipmux.sandboxes.click_and_drop.context import Call
from shipmux.sandboxes.click_and_drop.errors import error_response, order_update_error
from shipmux.sandboxes.click_and_drop.schemas import UPDATE_ORDER_STATUS_REQUEST
from shipmux.sandboxes.click_and_drop.store import Order, OrderStatus
from shipmux.sandboxes.click_and_drop.validation import check
from shipmux.sandboxes.kit.clock import parse_timestamp
from shipmux.sandboxes.kit.jsonio import InvalidJson, json_response, read_json

MAX_ITEMS = 100
OTHER_COURIER = "despatchedByOtherCourier"
OTHER_COURIER_FIELDS = ("despatchDate", "shippingCarrier", "shippingService")


class ItemRejected(Exception):
    def __init__(self, code: str, message: str, order: Order | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.order = order


def _request_error(message: str) -> Response:
    return json_response([order_update_error("InvalidRequest", message)], 400)


async def update_status(call: Call) -> Response:
    try:
        payload = await read_json(call.request)
    except InvalidJson as exc:
        body = error_response("InvalidJson", f"The request body is not valid JSON: {exc}")
        return json_response(body, 400)
    items = payload.get("items") if isinstance(payload, Mapping) else None
    if not isinstance(items, list) or not items:
        return _request_error("The items field is required and must be a non-empty array.")
    if len(items) > MAX_ITEMS:
        return _request_error(f"The maximum collection length is {MAX_ITEMS}, was {len(items)}.")
    if not call.account.channel_shipper and any(
        _status_of(item) == OTHER_COURIER for item in items
    ):
        body = error_response("Forbidden", "Feature not available")
        return json_response(body, 403)
    updated: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for item in items:
        try:
            order = _apply(call, item)
        except ItemRejected as exc:
            errors.append(_item_error(item, exc))
            continue
        updated.append(
            {"orderIdentifier": order.identifier, "orderReference": order.reference,
             "status": order.status.value}
        )  # fmt: skip
    return json_response({"updatedOrders": updated, "errors": errors})


def _status_of(item: Any) -> Any:
    return item.get("status") if isinstance(item, Mapping) else None


def _item_error(item: Any, exc: ItemRejected) -> dict[str, Any]:
    item = item if isinstance(item, Mapping) else {}
    order = exc.order
    return order_update_error(
        exc.code,
        exc.message,
        identifier=order.identifier if order else _as_int(item.get("orderIdentifier")),
        reference=order.reference if order else _as_str(item.get("orderReference")),
        status=order.status.value if order else None,
    )


def _as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _find(call: Call, item: Mapping[str, Any]) -> Order:
    identifier, reference = item.get("orderIdentifier"), item.get("orderReference")
    if identifier is not None and reference is not None:
        raise ItemRejected(
            "AmbiguousOrder",
            "Providing both orderIdentifier and orderReference is disallowed.",
        )
    if identifier is None and reference is None:
        raise ItemRejected(
            "MissingOrder", "At least one of orderIdentifier and orderReference is required."
        )
    order = call.account.find(int(identifier) if identifier is not None else str(reference))
    if order is None:
        raise ItemRejected("OrderNotFound", "The order was not found.")
    return order


def _apply(call: Call, item: Any) -> Order:
    if not isinstance(item, Mapping):
        raise ItemRejected("InvalidRequest", "Each item must be an object.")
    violations = check(item, UPDATE_ORDER_STATUS_REQUEST, "")
    if violations:
        raise ItemRejected("ValidationFailed", " ".join(v.message for v in violations))
    order = _find(call, item)
    if order.status is OrderStatus.MANIFESTED:
        raise ItemRejected(
            "OrderManifested",
            "Orders already in 'Manifested' status cannot have their statuses changed.",
            order,
        )
    status = item.get("status")
    if status == OTHER_COURIER:
        _check_other_courier(item, order)
    when = parse_timestamp(item["despatchDate"]) if item.get("despatchDate") else call.now
    if status == "new":
        lifecycle.reset_to_new(order, call.now)
    elif status == "despatched":
        lifecycle.despatch(order, when, call.now)
    elif status == OTHER_COURIER:
        lifecycle.despatch_by_other_courier(order, when, call.now)
    _record_shipping(order, item)
    return order


def _check_other_courier(item: Mapping[str, Any], order: Order) -> None:
    if item.get("trackingNumber") is None:
        return
    missing = [name for name in OTHER_COURIER_FIELDS if item.get(name) is None]
    if missing:
        raise ItemRejected(
            "ValidationFailed",
            "When trackingNumber is provided for 'despatchedByOtherCourier', "
            f"{', '.join(missing)} must also be provided.",
            order,
        )


def _record_shipping(order: Order, item: Mapping[str, Any]) -> None:
    if item.get("trackingNumber"):
        order.external_tracking_number = str(item["trackingNumber"])
    if item.get("shippingCarrier"):
        order.shipping_carrier = str(item["shippingCarrier"])
    if item.get("shippingService"):
        order.shipping_service = str(item["shippingService"])
