"""Parcel2Go specific control routes under ``/_sandbox`` (not part of the vendor API).

- ``GET/PUT /_sandbox/settings``: read or partly update ``Parcel2GoSandboxSettings``.
- ``GET /_sandbox/orders``: every order, its paid state and every charge taken.
- ``GET/PUT /_sandbox/accounts/{client_id}``: balance, PrePay switch, webhook URL/secret.
- ``GET /_sandbox/webhooks``: pending webhooks and the log of delivery attempts.
- ``POST /_sandbox/webhooks/flush``: deliver everything due now; answers the attempts.
- ``POST /_sandbox/cases``: raise a ``Case`` webhook for an order line.
- ``PUT /_sandbox/clock``: move the clock on by ``seconds`` or to ``now``.
The shared ones (faults, clock, reset) come from ``kit.control``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from shipmux.sandboxes.kit.clock import format_timestamp
from shipmux.sandboxes.kit.control import (
    clock_move_route,
    problem,
    read_model,
    settings_routes,
)
from shipmux.sandboxes.kit.jsonio import json_response
from shipmux.sandboxes.kit.webhook_control import webhook_routes
from shipmux.sandboxes.kit.webhook_outbox import AttemptRecord
from shipmux.sandboxes.parcel2go.binding import text
from shipmux.sandboxes.parcel2go.context import SandboxState
from shipmux.sandboxes.parcel2go.settings import Parcel2GoSandboxSettings
from shipmux.sandboxes.parcel2go.store import Account, Order


class AccountUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    balance: Decimal | None = Field(default=None, ge=0)
    prepay_enabled: bool | None = None
    webhook_url: AnyHttpUrl | None = None
    webhook_secret: str | None = None


class CaseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    order_line_id: int = Field(alias="OrderLineId")
    case_type: Literal["Enquiry", "Claim"] = Field(default="Claim", alias="CaseType")
    status: str = Field(default="Open", alias="Status", min_length=1, max_length=50)


def account_body(account: Account) -> dict[str, Any]:
    return {
        "client_id": account.client_id,
        "registered": account.secret is not None,
        "balance": account.balance,
        "prepay_enabled": account.prepay_enabled,
        "webhook_url": account.webhook_url,
        "webhook_secret_set": bool(account.webhook_secret),
        "order_count": len(account.order_ids),
    }


def order_row(order: Order) -> dict[str, Any]:
    return {
        "OrderId": order.order_id,
        "client_id": order.client_id,
        "Hash": order.hash,
        "created": format_timestamp(order.created_at),
        "paid": order.paid_at is not None,
        "PaidDate": format_timestamp(order.paid_at),
        "TotalPrice": order.total_price,
        "times_charged": len(order.charges),
        "charges": [{"amount": c.amount, "at": format_timestamp(c.at)} for c in order.charges],
        "lines": [
            {"OrderLineId": line.order_line_id, "ItemId": line.item_id,
             "Service": line.service.slug, "Reference": line.reference}
            for line in order.lines
        ],
    }  # fmt: skip


class ControlRoutes:
    """The handlers of the Parcel2Go control routes, over one ``SandboxState``."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def routes(self) -> list[BaseRoute]:
        return [
            *settings_routes(
                Parcel2GoSandboxSettings, lambda: self.state.settings, self.state.apply_settings
            ),
            Route("/orders", self.list_orders, methods=["GET"]),
            Route("/accounts/{client_id}", self.get_account, methods=["GET"]),
            Route("/accounts/{client_id}", self.put_account, methods=["PUT"]),
            *webhook_routes(
                self.state,
                payload_key="envelope",
                attempt_view=lambda record: _attempt_body(self.state, record),
            ),
            Route("/cases", self.raise_case, methods=["POST"]),
            clock_move_route(self.state.clock, self.state.webhooks.ensure_running),
        ]

    async def list_orders(self, request: Request) -> Response:
        orders = sorted(self.state.store.orders.values(), key=lambda order: order.order_id)
        return json_response({"orders": [order_row(order) for order in orders]})

    async def get_account(self, request: Request) -> Response:
        return json_response(account_body(self.state.account(request.path_params["client_id"])))

    async def put_account(self, request: Request) -> Response:
        update = await read_model(request, AccountUpdate)
        if isinstance(update, Response):
            return update
        account = self.state.account(request.path_params["client_id"])
        fields = update.model_fields_set
        if update.balance is not None:
            account.balance = update.balance
        if update.prepay_enabled is not None:
            account.prepay_enabled = update.prepay_enabled
        if "webhook_url" in fields:
            account.webhook_url = str(update.webhook_url) if update.webhook_url else None
        if "webhook_secret" in fields:
            account.webhook_secret = update.webhook_secret
        return json_response(account_body(account))

    async def raise_case(self, request: Request) -> Response:
        case = await read_model(request, CaseRequest)
        if isinstance(case, Response):
            return case
        found = self.state.store.lines.get(case.order_line_id)
        if found is None:
            return problem(404, f"no order line {case.order_line_id}")
        order, line = found
        account = self.state.store.accounts[order.client_id]
        if not account.webhook_url:
            return problem(409, f"account {account.client_id} has no webhook URL")
        case_id = self.state.next_case_id()
        payload = {
            "OrderLineId": line.order_line_id,
            "CustomerReference": line.reference,
            "CaseId": case_id,
            "Reference": text(order.customer_details, "Reference"),
            "Status": case.status,
            "CaseType": case.case_type,
        }
        self.state.enqueue_webhook(account, "Case", payload, self.state.clock.now())
        self.state.webhooks.ensure_running()
        return json_response({"CaseId": case_id, "Payload": payload}, 201)


def control_routes(state: SandboxState) -> list[BaseRoute]:
    return ControlRoutes(state).routes()


def _attempt_body(state: SandboxState, record: AttemptRecord) -> dict[str, Any]:
    """The kit's attempt entry plus the envelope's ``Type``, right after ``id``."""
    outbox = state.outbox
    event_type = next(
        (
            str(item.payload["Type"])
            for item in (*outbox.pending, *outbox.delivered, *outbox.abandoned)
            if item.sequence == record.sequence
        ),
        "",
    )
    body = record.body()
    return {
        "sequence": body.pop("sequence"),
        "id": body.pop("id"),
        "type": event_type,
        **body,
    }
