"""Clickpost specific control routes under ``/_sandbox`` (not part of the vendor API).

- ``GET/PUT /_sandbox/settings``: read or partly update ``ClickpostSandboxSettings``.
- ``GET /_sandbox/orders``: every order with its waybill, state and latest status.
- ``GET/PUT /_sandbox/accounts/{username}``: key, webhook URL/key, auth mode, service.
- ``POST/DELETE /_sandbox/couriers/{courier_partner_id}/downtime``: schedule or clear
  a courier's downtime (``seconds`` from now, or ``start``; ``status`` 319 or 322).
- ``GET /_sandbox/webhooks``: pending webhooks and the log of delivery attempts.
- ``POST /_sandbox/webhooks/flush``: deliver everything due now; answers the attempts.
The shared ones (faults, clock, reset) come from ``kit.control``.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from pydantic import AnyHttpUrl, AwareDatetime, BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from shipmux.sandboxes.clickpost.context import SandboxState
from shipmux.sandboxes.clickpost.settings import (
    ClickpostSandboxSettings,
    CourierDowntime,
    DowntimeStatus,
)
from shipmux.sandboxes.clickpost.store import Account, Order, WebhookAuth
from shipmux.sandboxes.clickpost.tracking import scans_at
from shipmux.sandboxes.kit.clock import format_timestamp
from shipmux.sandboxes.kit.control import problem, read_model, settings_routes
from shipmux.sandboxes.kit.jsonio import json_response
from shipmux.sandboxes.kit.webhook_control import webhook_routes


class AccountUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str | None = Field(default=None, min_length=16, pattern=r"^\S+$")
    webhook_url: AnyHttpUrl | None = None
    webhook_key: str | None = Field(default=None, min_length=1)
    webhook_auth: WebhookAuth | None = None
    webhook_token: str | None = None
    service_id: int | None = Field(default=None, ge=2, le=15)


class DowntimeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    seconds: Decimal = Field(gt=0)
    start: AwareDatetime | None = None
    status: DowntimeStatus = 322


def account_body(account: Account) -> dict[str, Any]:
    return {
        "username": account.username,
        "registered": account.key is not None,
        "webhook_url": account.webhook_url,
        "webhook_key": account.webhook_key,
        "webhook_auth": account.webhook_auth,
        "webhook_token_set": account.webhook_token is not None,
        "service_id": account.webhook_service_id,
    }


def order_row(state: SandboxState, order: Order) -> dict[str, Any]:
    now = state.clock.now()
    scans = scans_at(order, now, state.settings.tracking_step_seconds)
    return {
        "order_id": order.order_id,
        "username": order.username,
        "api_version": order.api_version,
        "reference_number": order.reference_number,
        "courier_partner_id": order.courier_partner_id,
        "account_code": order.account_code,
        "waybill": order.waybill,
        "async": order.is_async,
        "processing": not order.is_ready(now),
        "created_at": format_timestamp(order.created_at),
        "ready_at": format_timestamp(order.ready_at),
        "cancelled_at": format_timestamp(order.cancelled_at),
        "clickpost_status_code": scans[-1].stage.code if scans else None,
    }


class ControlRoutes:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def routes(self) -> list[BaseRoute]:
        downtime = "/couriers/{courier_partner_id:int}/downtime"
        return [
            *settings_routes(
                ClickpostSandboxSettings, lambda: self.state.settings, self.state.apply_settings
            ),
            Route("/orders", self.list_orders, methods=["GET"]),
            Route("/accounts/{username}", self.get_account, methods=["GET"]),
            Route("/accounts/{username}", self.put_account, methods=["PUT"]),
            Route(downtime, self.add_downtime, methods=["POST"]),
            Route(downtime, self.clear_downtime, methods=["DELETE"]),
            *webhook_routes(self.state),
        ]

    async def list_orders(self, request: Request) -> Response:
        orders = sorted(self.state.store.orders.values(), key=lambda order: order.order_id)
        return json_response({"orders": [order_row(self.state, order) for order in orders]})

    def _account(self, username: str) -> Account:
        accounts = self.state.store.accounts
        if username not in accounts:
            accounts[username] = Account(username=username, key=None)
        return accounts[username]

    async def get_account(self, request: Request) -> Response:
        account = self.state.store.accounts.get(request.path_params["username"])
        if account is None:
            return problem(404, "no such account (accounts appear on their first API call)")
        return json_response(account_body(account))

    async def put_account(self, request: Request) -> Response:
        update = await read_model(request, AccountUpdate)
        if isinstance(update, Response):
            return update
        account = self._account(request.path_params["username"])
        fields = update.model_fields_set
        if update.key is not None:
            account.key = update.key
        if "webhook_url" in fields:
            account.webhook_url = str(update.webhook_url) if update.webhook_url else None
            if account.webhook_url and account.webhook_key is None:
                account.new_webhook_key()
        if update.webhook_key is not None:
            account.webhook_key = update.webhook_key
        if update.webhook_auth is not None:
            account.webhook_auth = update.webhook_auth
        if "webhook_token" in fields:
            account.webhook_token = update.webhook_token
        if update.service_id is not None:
            if update.service_id not in (2, 15):
                return problem(422, "service_id is 2 (all status) or 15 (selected status)")
            account.webhook_service_id = update.service_id
        return json_response(account_body(account))

    async def add_downtime(self, request: Request) -> Response:
        parsed = await read_model(request, DowntimeRequest)
        if isinstance(parsed, Response):
            return parsed
        start = parsed.start or self.state.clock.now()
        window = CourierDowntime(
            courier_partner_id=request.path_params["courier_partner_id"],
            start=start,
            end=start + timedelta(seconds=float(parsed.seconds)),
            status=parsed.status,
        )
        self.state.settings.courier_downtime.append(window)
        return json_response(window.model_dump(mode="json"), 201)

    async def clear_downtime(self, request: Request) -> Response:
        courier = request.path_params["courier_partner_id"]
        settings = self.state.settings
        settings.courier_downtime = [
            w for w in settings.courier_downtime if w.courier_partner_id != courier
        ]
        return json_response(settings.model_dump(mode="json"))


def control_routes(state: SandboxState) -> list[BaseRoute]:
    return ControlRoutes(state).routes()
