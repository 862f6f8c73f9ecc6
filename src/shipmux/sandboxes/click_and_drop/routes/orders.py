"""Order endpoints: create, pageable lists, get by ids (basic and ``/full``), delete."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import datetime
from typing import Any

from starlette.responses import Response

from shipmux.sandboxes.click_and_drop import serializers
from shipmux.sandboxes.click_and_drop.context import Call
from shipmux.sandboxes.click_and_drop.errors import (
    error_response,
    order_error_info,
    order_error_response,
)
from shipmux.sandboxes.click_and_drop.ordering import CreateRun, RequestRejected
from shipmux.sandboxes.click_and_drop.routes.lookup import Lookup, lookup_orders, missing_errors
from shipmux.sandboxes.click_and_drop.store import Order, OrderStatus
from shipmux.sandboxes.kit.clock import parse_timestamp
from shipmux.sandboxes.kit.jsonio import InvalidJson, json_response, read_json

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
CHANNEL_SHIPPER_ONLY = "Feature not available"


def bad_request(message: str, code: str = "InvalidRequest") -> Response:
    return json_response(error_response(code, message), 400)


def forbidden(message: str) -> Response:
    return json_response(error_response("Forbidden", message), 403)


async def create_orders(call: Call) -> Response:
    try:
        payload = await read_json(call.request)
    except InvalidJson as exc:
        return bad_request(f"The request body is not valid JSON: {exc}", "InvalidJson")
    run = CreateRun(
        account=call.account,
        tracking=call.state.store.tracking,
        now=call.now,
        render_label=call.state.render_create_label,
        max_items=call.state.settings.max_orders_per_create,
    )
    try:
        body = run.execute(payload)
    except RequestRejected as exc:
        return json_response(error_response(exc.code, exc.message), exc.status_code)
    return json_response(body)


# --- pageable lists -----------------------------------------------------------------------


def _encode_token(after: int) -> str:
    return base64.urlsafe_b64encode(f"after:{after}".encode()).decode().rstrip("=")


def _decode_token(token: str) -> int:
    padded = token + "=" * (-len(token) % 4)
    try:
        text = base64.urlsafe_b64decode(padded.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ValueError("invalid continuation token") from exc
    prefix, _, number = text.partition(":")
    if prefix != "after" or not number.isdigit():
        raise ValueError("invalid continuation token")
    return int(number)


def _page_size(call: Call) -> int:
    raw = call.query("pageSize")
    if raw is None:
        return DEFAULT_PAGE_SIZE
    if not raw.strip().isdigit() or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise ValueError(f"The field pageSize must be between 1 and {MAX_PAGE_SIZE}.")
    return int(raw)


def _bound(call: Call, name: str) -> datetime | None:
    raw = call.query(name)
    if raw is None or raw == "":
        return None
    try:
        return parse_timestamp(raw)
    except ValueError as exc:
        raise ValueError(f"The field {name} must be an ISO 8601 date-time.") from exc


def _select(call: Call) -> tuple[list[Order], str | None]:
    """One page of the account's orders (by number, filtered on ``createdOn``)."""
    size = _page_size(call)
    start, end = _bound(call, "startDateTime"), _bound(call, "endDateTime")
    token = call.query("continuationToken")
    after = _decode_token(token) if token else 0
    matching = [
        order
        for number, order in sorted(call.account.orders.items())
        if number > after
        and (start is None or order.created_on >= start)
        and (end is None or order.created_on <= end)
    ]
    page = matching[:size]
    more = len(matching) > size
    return page, _encode_token(page[-1].identifier) if more else None


def _list(call: Call, render: Callable[[Order], dict[str, Any]]) -> Response:
    try:
        page, token = _select(call)
    except ValueError as exc:
        return bad_request(str(exc))
    return json_response({"orders": [render(order) for order in page], "continuationToken": token})


async def list_orders(call: Call) -> Response:
    return _list(call, serializers.order_info)


async def list_orders_full(call: Call) -> Response:
    if not call.account.channel_shipper:
        return forbidden(CHANNEL_SHIPPER_ONLY)
    return _list(call, lambda order: serializers.order_details(order, call.account))


# --- by identifiers -----------------------------------------------------------------------


async def get_orders(call: Call) -> Response:
    found = lookup_orders(call, order_error_response)
    if isinstance(found, Response):
        return found
    return json_response([serializers.order_info(order) for _, order in found.found])


async def get_orders_full(call: Call) -> Response:
    if not call.account.channel_shipper:
        return forbidden(CHANNEL_SHIPPER_ONLY)
    found = lookup_orders(call, order_error_response)
    if isinstance(found, Response):
        return found
    return json_response(
        [serializers.order_details(order, call.account) for _, order in found.found]
    )


async def delete_orders(call: Call) -> Response:
    found = lookup_orders(call, order_error_info)
    if isinstance(found, Response):
        return found
    return json_response(_delete(call, found))


def _delete(call: Call, found: Lookup) -> dict[str, Any]:
    deleted: list[dict[str, Any]] = []
    errors = missing_errors(found.missing, order_error_info)
    for _, order in found.found:
        if order.identifier not in call.account.orders:
            continue  # named twice (number and reference): deleted already in this call
        if order.status is OrderStatus.MANIFESTED:
            errors.append(
                order_error_info(
                    "OrderManifested",
                    "Manifested orders cannot be deleted.",
                    identifier=order.identifier,
                    reference=order.reference,
                )
            )
            continue
        call.account.remove(order, call.now)
        deleted.append(
            {"orderIdentifier": order.identifier, "orderReference": order.reference,
             "orderInfo": None}
        )  # fmt: skip
    return {"deletedOrders": deleted, "errors": errors}
