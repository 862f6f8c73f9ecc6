"""Who may act on an order: its owner, or anyone holding its ``Hash`` (research §1).

A client-credentials client "doesn't own" its orders in the live API, so every follow-up
call passes the order's ``Hash``; without one, the account that created it is let in (as
older examples that omit ``hash`` show). A wrong hash is 403, an unknown order 404.
"""

from __future__ import annotations

import hmac

from starlette.responses import Response

from shipmux.sandboxes.parcel2go.context import Call
from shipmux.sandboxes.parcel2go.errors import message
from shipmux.sandboxes.parcel2go.store import Order, OrderLine

ORDER_NOT_FOUND = "Order not found."
HASH_MISMATCH = "The hash supplied does not match this order."


def _hash_matches(supplied: str, *expected: str) -> bool:
    return any(hmac.compare_digest(supplied.encode(), value.encode()) for value in expected)


def order_for(call: Call, raw_id: str | None) -> Order | Response:
    order = call.state.store.find_order(raw_id)
    if order is None:
        return message(404, ORDER_NOT_FOUND)
    supplied = call.query("hash")
    if supplied is None and order.client_id == call.account.client_id:
        return order
    if supplied is None or not _hash_matches(supplied, order.hash):
        return message(403, HASH_MISMATCH)
    return order


def line_for(call: Call, raw_id: str | None) -> tuple[Order, OrderLine] | Response:
    """An order line by OrderLineId; its own hash or its order's hash both open it."""
    found = call.state.store.find_line(raw_id)
    if found is None:
        return message(404, ORDER_NOT_FOUND)
    order, line = found
    supplied = call.query("hash")
    if supplied is None and order.client_id == call.account.client_id:
        return found
    if supplied is None or not _hash_matches(supplied, order.hash, line.hash):
        return message(403, HASH_MISMATCH)
    return found
