"""PrePay: ``POST /orders/{OrderId}/paywithprepay`` and ``GET /prepay`` (ADR 0006 §8).

The balance never goes negative (seed "PrePay": "Negative balances are not allowed").
Paying an already paid order charges again, as the live sandbox did (research §3.9):
clients must read the order back after a lost answer, never pay blind.
"""

from __future__ import annotations

from starlette.responses import Response

from shipmux.sandboxes.kit.jsonio import json_response
from shipmux.sandboxes.parcel2go.access import order_for
from shipmux.sandboxes.parcel2go.context import Call
from shipmux.sandboxes.parcel2go.errors import message, payment_error
from shipmux.sandboxes.parcel2go.order_views import pay_body
from shipmux.sandboxes.parcel2go.store import Charge

PREPAY_DISABLED = "This API client is not enabled for PrePay. Contact apihelp@parcel2go.com."


async def pay_with_prepay(call: Call) -> Response:
    if not call.account.prepay_enabled:
        return message(403, PREPAY_DISABLED)
    order = order_for(call, call.params["OrderId"])
    if isinstance(order, Response):
        return order
    account = call.account
    amount = order.total_price
    if account.balance < amount:
        return payment_error(
            "InsufficientFunds",
            f"Your PrePay balance of £{account.balance:.2f} is not enough to pay £{amount:.2f}.",
        )
    account.balance -= amount
    order.charges.append(Charge(amount, call.now))
    if order.paid_at is None:
        order.paid_at = call.now
    # Tracking (and its webhooks) start at payment: start delivery now, not after the
    # response, which a commit-then-timeout fault may hold for a long time.
    call.state.webhooks.ensure_running()
    return json_response(pay_body(call.root, order))


async def prepay_balance(call: Call) -> Response:
    if not call.account.prepay_enabled:
        return message(403, PREPAY_DISABLED)
    return json_response(call.account.balance)
