"""Click & Drop specific control routes under ``/_sandbox`` (not part of the vendor API).

- ``GET/PUT /_sandbox/settings``: read or partly update ``ClickAndDropSandboxSettings``.
- ``GET /_sandbox/orders``: every order of every account, deleted ones included.
- ``GET/PUT /_sandbox/accounts/{key}``: account type (OBA/OLP), auto-apply postage,
  ChannelShipper.
The shared ones (faults, clock, reset) come from ``kit.control``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from shipmux.sandboxes.click_and_drop.context import SandboxState
from shipmux.sandboxes.click_and_drop.settings import ClickAndDropSandboxSettings
from shipmux.sandboxes.click_and_drop.store import Account, AccountType, Order
from shipmux.sandboxes.kit.clock import format_timestamp
from shipmux.sandboxes.kit.control import read_model, settings_routes
from shipmux.sandboxes.kit.jsonio import json_response


class AccountUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    type: Literal["OBA", "OLP"] | None = None
    auto_apply_postage: bool | None = Field(default=None, alias="autoApplyPostage")
    channel_shipper: bool | None = Field(default=None, alias="channelShipper")


def account_body(account: Account) -> dict[str, Any]:
    return {
        "account": account.fingerprint,
        "type": account.type.value,
        "autoApplyPostage": account.auto_apply_postage,
        "channelShipper": account.channel_shipper,
        "orderCount": len(account.orders),
    }


def order_row(account: Account, order: Order) -> dict[str, Any]:
    return {
        "account": account.fingerprint,
        "accountType": account.type.value,
        "orderIdentifier": order.identifier,
        "orderReference": order.reference,
        "status": "deleted" if order.deleted_on else order.status.value,
        "trackingNumber": order.tracking_number,
        "serviceCode": order.service_code,
        "createdOn": format_timestamp(order.created_on),
        "postageAppliedOn": format_timestamp(order.postage_applied_on),
        "printedOn": format_timestamp(order.printed_on),
        "shippedOn": format_timestamp(order.shipped_on),
        "manifestedOn": format_timestamp(order.manifested_on),
        "deletedOn": format_timestamp(order.deleted_on),
        "manifestNumber": order.manifest_number,
    }


def control_routes(state: SandboxState) -> list[BaseRoute]:
    async def list_orders(request: Request) -> Response:
        rows = [
            order_row(account, order)
            for account in state.store.accounts.values()
            for order in sorted(
                [*account.orders.values(), *account.deleted_orders], key=lambda o: o.identifier
            )
        ]
        return json_response({"orders": rows})

    async def get_account(request: Request) -> Response:
        return json_response(account_body(state.account_for(request.path_params["key"])))

    async def put_account(request: Request) -> Response:
        update = await read_model(request, AccountUpdate)
        if isinstance(update, Response):
            return update
        account = state.account_for(request.path_params["key"])
        if update.type is not None:
            account.type = AccountType(update.type)
        if update.auto_apply_postage is not None:
            account.auto_apply_postage = update.auto_apply_postage
        if update.channel_shipper is not None:
            account.channel_shipper = update.channel_shipper
        return json_response(account_body(account))

    return [
        *settings_routes(
            ClickAndDropSandboxSettings,
            lambda: state.settings,
            state.apply_settings,
            nested_merge=False,  # a group given replaces the whole group
        ),
        Route("/orders", list_orders, methods=["GET"]),
        Route("/accounts/{key}", get_account, methods=["GET"]),
        Route("/accounts/{key}", put_account, methods=["PUT"]),
    ]
