"""Sendcloud-specific control routes under ``/_sandbox`` (not part of the vendor API).

- ``GET/PUT /_sandbox/settings``: read or partly update ``SendcloudSandboxSettings``.
- ``GET /_sandbox/orders``: every order with its versions, label requests, parcels, statuses.
- ``GET/PUT /_sandbox/accounts/{public_key}``: the key's integration: ``webhook_url``,
  ``signing``, ``integration_id``; PUT with ``secret_key`` provisions an unknown key.
- ``POST /_sandbox/accounts/{public_key}/keys``: add another key pair (a new integration)
  to the same account; the account's rate limits are shared by all its keys.
- ``GET /_sandbox/webhooks``, ``POST /_sandbox/webhooks/flush``: outbox, log, deliver now.
- ``PUT /_sandbox/clock``: move the clock on by ``seconds`` or to ``now``.
The shared ones (faults, clock advance, reset) come from ``kit.control``.
"""

from __future__ import annotations

from typing import Any

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
from shipmux.sandboxes.kit.jsonio import dumps, json_response
from shipmux.sandboxes.kit.webhook_control import webhook_routes
from shipmux.sandboxes.kit.webhook_outbox import AttemptRecord, PendingDelivery
from shipmux.sandboxes.sendcloud.auth import well_formed
from shipmux.sandboxes.sendcloud.context import SandboxState
from shipmux.sandboxes.sendcloud.settings import SendcloudSandboxSettings
from shipmux.sandboxes.sendcloud.store import Integration, Order
from shipmux.sandboxes.sendcloud.tracking import statuses_reached


class AccountUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    secret_key: str | None = None
    webhook_url: AnyHttpUrl | None = None
    signing: bool | None = None
    integration_id: int | None = Field(default=None, ge=1)


class NewKey(BaseModel):
    model_config = ConfigDict(extra="forbid")

    public_key: str
    secret_key: str


def integration_body(state: SandboxState, integration: Integration) -> dict[str, Any]:
    account = state.store.accounts[integration.user_id]
    return {
        "public_key": integration.public_key,
        "user_id": integration.user_id,
        "integration_id": integration.integration_id,
        "account_integration_ids": list(account.integration_ids),
        "webhook_url": integration.webhook_url,
        "signing": integration.signing,
    }


class ControlRoutes:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def routes(self) -> list[BaseRoute]:
        return [
            *settings_routes(
                SendcloudSandboxSettings, lambda: self.state.settings, self.state.apply_settings
            ),
            Route("/orders", self.list_orders, methods=["GET"]),
            Route("/accounts/{public_key}", self.get_account, methods=["GET"]),
            Route("/accounts/{public_key}", self.put_account, methods=["PUT"]),
            Route("/accounts/{public_key}/keys", self.add_key, methods=["POST"]),
            *webhook_routes(
                self.state, payload_key="body", payload_view=_body_text, attempt_view=_attempt_body
            ),
            clock_move_route(self.state.clock, self.state.webhooks.ensure_running),
        ]

    def _order_row(self, order: Order) -> dict[str, Any]:
        state = self.state
        now, step = state.clock.now(), state.settings.tracking_step_seconds
        shipments = [s for s in state.store.shipments.values() if s.order is order]
        return {
            "id": order.id,
            "integration_id": order.integration_id,
            "order_id": order.order_id,
            "created_at": format_timestamp(order.created_at),
            "readable": order.visible(now) is not None,
            "versions": [
                {"effective_at": format_timestamp(v.effective_at), "body": v.body}
                for v in order.versions
            ],
            "label_requests": order.label_requests,
            "shipments": [
                {
                    "id": s.id,
                    "shipping_option_code": s.shipping_option_code,
                    "errors": s.errors,
                    "parcels": [
                        {
                            "id": p.id,
                            "tracking_number": p.tracking_number,
                            "announcement_failed": p.announcement_failed,
                            "statuses": [
                                {
                                    "id": e.status.id,
                                    "message": e.status.message,
                                    "at": format_timestamp(e.entered_at),
                                }
                                for e in statuses_reached(p, now, step)
                            ],
                        }
                        for p in s.parcels
                    ],
                }
                for s in shipments
            ],
        }

    async def list_orders(self, request: Request) -> Response:
        orders = sorted(self.state.store.orders.values(), key=lambda order: order.id)
        return json_response({"orders": [self._order_row(order) for order in orders]})

    def _integration(self, request: Request) -> Integration | Response:
        public_key = request.path_params["public_key"]
        integration = self.state.store.integration_for_key(public_key)
        if integration is None:
            return problem(404, f"no account uses the public key {public_key} yet")
        return integration

    async def get_account(self, request: Request) -> Response:
        integration = self._integration(request)
        if isinstance(integration, Response):
            return integration
        return json_response(integration_body(self.state, integration))

    async def put_account(self, request: Request) -> Response:
        update = await read_model(request, AccountUpdate)
        if isinstance(update, Response):
            return update
        store = self.state.store
        public_key = request.path_params["public_key"]
        integration = store.integration_for_key(public_key)
        if integration is None:
            if update.secret_key is None or not well_formed(public_key, update.secret_key):
                return problem(
                    404,
                    f"no account uses {public_key}; send a well-formed secret_key to provision it",
                )
            integration = store.register(public_key, update.secret_key)
        elif update.secret_key is not None and update.secret_key != integration.secret_key:
            return problem(409, "the key pair is registered with another secret")
        fields = update.model_fields_set
        if "webhook_url" in fields:
            integration.webhook_url = str(update.webhook_url) if update.webhook_url else None
        if update.signing is not None:
            integration.signing = update.signing
        if (
            update.integration_id is not None
            and update.integration_id != integration.integration_id
        ):
            if update.integration_id in store.integrations:
                return problem(409, f"integration id {update.integration_id} is taken")
            store.renumber(integration, update.integration_id)
        self.state.webhooks.ensure_running()
        return json_response(integration_body(self.state, integration))

    async def add_key(self, request: Request) -> Response:
        owner = self._integration(request)
        if isinstance(owner, Response):
            return owner
        new_key = await read_model(request, NewKey)
        if isinstance(new_key, Response):
            return new_key
        if not well_formed(new_key.public_key, new_key.secret_key):
            return problem(400, "malformed public key or secret key")
        if self.state.store.integration_for_key(new_key.public_key) is not None:
            return problem(409, f"{new_key.public_key} is already registered")
        added = self.state.store.register(
            new_key.public_key, new_key.secret_key, user_id=owner.user_id
        )
        return json_response(integration_body(self.state, added), 201)


def control_routes(state: SandboxState) -> list[BaseRoute]:
    return ControlRoutes(state).routes()


def _body_text(item: PendingDelivery) -> str:
    payload = item.payload
    return payload.decode() if isinstance(payload, bytes) else dumps(payload).decode()


def _attempt_body(record: AttemptRecord) -> dict[str, Any]:
    return {
        "sequence": record.sequence,
        "id": record.event_id,
        "url": record.url,
        "attempt": record.attempt,
        "at": format_timestamp(record.at),
        "status_code": record.status_code,
        "error": record.error,
        "delivered": record.delivered,
        "duplicate": record.duplicate,
    }
