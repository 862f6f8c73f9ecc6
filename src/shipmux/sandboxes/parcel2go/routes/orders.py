"""Orders: verify, create (unpaid), read back, order history, parcel numbers.

ADR 0006 §4 (verify and refusals), §5 (create), §6 (read), §7 (history), research §3.12
(parcel numbers: ``TrackingNumber`` is null, as in the live sandbox).
"""

from __future__ import annotations

from starlette.responses import Response

from shipmux.sandboxes.kit.jsonio import InvalidJson, json_response, read_json
from shipmux.sandboxes.parcel2go.access import order_for
from shipmux.sandboxes.parcel2go.binding import member, objects
from shipmux.sandboxes.parcel2go.context import Call
from shipmux.sandboxes.parcel2go.errors import invalid_request, message, order_errors
from shipmux.sandboxes.parcel2go.order_views import create_body, read_body
from shipmux.sandboxes.parcel2go.ordering import OrderPlan, model_errors, plan_order
from shipmux.sandboxes.parcel2go.store import Order, OrderLine

MAX_PAGE_SIZE = 100


async def _plan(call: Call) -> OrderPlan | Response:
    try:
        body = await read_json(call.request)
    except InvalidJson:
        return invalid_request({"request": ["The request body is not valid JSON."]})
    problems = model_errors(body)
    if problems:
        return invalid_request(problems)
    return plan_order(body)


async def verify_order(call: Call) -> Response:
    plan = await _plan(call)
    if isinstance(plan, Response):
        return plan
    if plan.errors:
        return order_errors(422, plan.errors)
    return json_response({"Errors": [], "Cost": plan.total_price})


async def create_order(call: Call) -> Response:
    plan = await _plan(call)
    if isinstance(plan, Response):
        return plan
    if plan.errors:
        return order_errors(400, plan.errors)
    store = call.state.store
    order_id = store.next_order_id()
    lines: list[OrderLine] = []
    for planned in plan.lines:
        line_id = store.next_line_id()
        parcels = [dict(parcel) for parcel in objects(planned.item, "Parcels")]
        collection = member(planned.item, "CollectionAddress")
        lines.append(
            OrderLine(
                order_line_id=line_id,
                item_id=planned.item_id,
                hash=store.sign(f"line:{line_id}"),
                service=planned.service,
                reference=planned.reference,
                collection_address=dict(collection) if isinstance(collection, dict) else {},
                parcels=parcels,
                parcel_ids=[store.next_parcel_id() for _ in parcels],
                price=planned.price,
                international=planned.international,
            )
        )
    order = Order(
        order_id=order_id,
        client_id=call.account.client_id,
        hash=store.sign(f"order:{order_id}"),
        created_at=call.now,
        customer_details=plan.customer_details,
        lines=lines,
    )
    store.add_order(order)
    return json_response(create_body(call.root, order))


async def read_order(call: Call) -> Response:
    order = order_for(call, call.query("orderId"))
    if isinstance(order, Response):
        return order
    return json_response(read_body(call.root, order))


async def order_history(call: Call) -> Response:
    """``GET /me/orders/detail``: the caller's orders, newest first (ADR 0006 §7)."""
    page = _positive_int(call.query("page"), default=1)
    page_size = _positive_int(call.query("pageSize"), default=20)
    if page is None or page_size is None or page_size > MAX_PAGE_SIZE:
        return invalid_request({"request": ["page must be 1 or more and pageSize 1 to 100."]})
    store = call.state.store
    orders: list[Order] = [store.orders[oid] for oid in reversed(call.account.order_ids)]
    start = (page - 1) * page_size
    chosen = orders[start : start + page_size]
    return json_response(
        {"Orders": [read_body(call.root, order) for order in chosen], "TotalCount": len(orders)}
    )


def _positive_int(raw: str | None, *, default: int) -> int | None:
    if raw is None or raw == "":
        return default
    return int(raw) if raw.isdigit() and int(raw) >= 1 else None


async def parcel_numbers(call: Call) -> Response:
    order = order_for(call, call.params["OrderId"])
    if isinstance(order, Response):
        return order
    if order.paid_at is None:
        return message(400, "The order has not been paid for.")
    numbers = [
        {"ParcelId": parcel_id, "TrackingNumber": None}
        for line in order.lines
        for parcel_id in line.parcel_ids
    ]
    return json_response({"TrackingNumbers": numbers})
