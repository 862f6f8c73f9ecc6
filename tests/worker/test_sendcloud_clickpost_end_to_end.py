"""Sendcloud and Clickpost through the whole hub, over real HTTP, as in the demo.

Each sandbox pushes its own webhooks (Sendcloud signed over the raw body, Clickpost
with the account's webhook key) to the hub's webhook URL; the worker runs here.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from shipmux.carriers import build_carrier
from shipmux.carriers.clickpost import ClickpostSettings
from shipmux.carriers.sendcloud import SendcloudSettings
from shipmux.domain.orders import Order
from shipmux.worker.runner import Worker
from tests.support.hub import run_worker_until_quiet
from tests.worker.conftest import LiveHub, example_order, wait_for

FAST = {"tracking_step_seconds": 0.3}


def sendcloud(live: LiveHub) -> str:
    account_id, settings = live.connect("sendcloud", "sendcloud")
    assert isinstance(settings, SendcloudSettings)
    live.sandbox(
        "sendcloud",
        "PUT",
        f"/accounts/{settings.public_key}",
        webhook_url=live.webhook_url("sendcloud", account_id),
        secret_key=settings.secret_key.get_secret_value(),
    )
    return account_id


def clickpost(live: LiveHub, **overrides: Any) -> ClickpostSettings:
    account_id, settings = live.connect("clickpost", "clickpost", **overrides)
    assert isinstance(settings, ClickpostSettings)
    assert settings.webhook_key is not None
    live.sandbox(
        "clickpost",
        "PUT",
        f"/accounts/{settings.username}",
        key=settings.key.get_secret_value(),
        webhook_url=live.webhook_url("clickpost", account_id),
        webhook_key=settings.webhook_key.get_secret_value(),
    )
    return settings


def delivered(live: LiveHub, carrier: str, order_id: str) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        live.sandbox(carrier, "POST", "/webhooks/flush")
        view = live.order(order_id)
        return view if view["status"] == "delivered" else None

    result: dict[str, Any] = wait_for(check)
    return result


@pytest.mark.parametrize("carrier", ["sendcloud", "clickpost"])
def test_order_is_created_labelled_tracked_to_delivered_and_never_sent_twice(
    live_hub: LiveHub, carrier: str
) -> None:
    sendcloud(live_hub) if carrier == "sendcloud" else clickpost(live_hub)
    order = example_order(reference=f"E2E-{carrier}", carrier_account=carrier)
    created = live_hub.api("POST", "/v1/orders", json=order)
    assert created.status_code == 201, created.text
    order_id = created.json()["order_id"]
    run_worker_until_quiet(live_hub.ctx)

    view = live_hub.order(order_id)
    assert view["status"] == "label_ready", view
    assert view["carrier"] == carrier
    assert view["tracking_number"], "known once the label exists"
    label = live_hub.api("GET", f"/v1/orders/{order_id}/label")
    assert label.content.startswith(b"%PDF")

    # The same order again: the hub knows it, and the carrier is not called at all.
    before = live_hub.sandbox(carrier, "GET", "/orders")["orders"]
    again = live_hub.api("POST", "/v1/orders", json=order)
    assert again.json()["outcome"] == "existing"
    run_worker_until_quiet(live_hub.ctx)
    assert live_hub.sandbox(carrier, "GET", "/orders")["orders"] == before

    live_hub.sandbox(carrier, "PUT", "/settings", **FAST)
    final = delivered(live_hub, carrier, order_id)
    stages = [event["stage"] for event in final["tracking"]]
    assert stages[-1] == "delivered"
    assert all(event["source"] == "webhook" for event in final["tracking"])


def test_clickpost_already_placed_ends_labelled_with_the_existing_waybill(
    live_hub: LiveHub,
) -> None:
    settings = clickpost(live_hub)
    order = example_order(reference="E2E-323", carrier_account="clickpost")
    # The order reached Clickpost before (a create whose answer we never got, say).
    waybill = asyncio.run(_create_directly(settings, order))

    created = live_hub.api("POST", "/v1/orders", json=order)
    run_worker_until_quiet(live_hub.ctx)
    view = live_hub.order(created.json()["order_id"])
    assert view["status"] == "label_ready"
    assert view["tracking_number"] == waybill
    assert view["carrier_order_id"] == waybill
    orders = live_hub.sandbox("clickpost", "GET", "/orders")["orders"]
    assert [o["waybill"] for o in orders if o["reference_number"] == "E2E-323"] == [waybill]


def test_clickpost_courier_downtime_parks_the_order_then_submits_it_once(
    live_hub: LiveHub,
) -> None:
    clickpost(live_hub)
    courier = 1  # the sandbox account's default courier
    live_hub.sandbox("clickpost", "POST", f"/couriers/{courier}/downtime", seconds=2)
    order = example_order(reference="E2E-DOWN", carrier_account="clickpost")
    order_id = live_hub.api("POST", "/v1/orders", json=order).json()["order_id"]

    async def one_round() -> None:
        assert await Worker(live_hub.ctx, "downtime").run_once() == 1

    asyncio.run(one_round())
    parked = live_hub.order(order_id)
    assert parked["status"] == "accepted"
    assert [(a["operation"], a["outcome"]) for a in parked["attempts"]] == [("submit", "park")]
    assert parked["pending_action"] == "submit"

    run_worker_until_quiet(live_hub.ctx)  # the window ends; the parked job runs again
    view = live_hub.order(order_id)
    assert view["status"] == "label_ready"
    outcomes = [(a["operation"], a["outcome"]) for a in view["attempts"]]
    assert outcomes[:2] == [("submit", "park"), ("submit", "ok")]
    orders = live_hub.sandbox("clickpost", "GET", "/orders")["orders"]
    assert len([o for o in orders if o["reference_number"] == "E2E-DOWN"]) == 1


async def _create_directly(settings: ClickpostSettings, order: dict[str, Any]) -> str:
    connector = build_carrier("clickpost", settings)
    try:
        [result] = await connector.create_orders([Order.model_validate(order)])
    finally:
        await connector.aclose()
    assert result.created is not None, result.problems
    return result.created.carrier_order_id


def test_a_clickpost_webhook_registered_through_the_api_brings_tracking_home(
    live_hub: LiveHub,
) -> None:
    account_id, _ = live_hub.connect("clickpost", "clickpost", webhook_key=None)
    order = example_order(reference="E2E-REGISTER", carrier_account="clickpost")
    order_id = live_hub.api("POST", "/v1/orders", json=order).json()["order_id"]
    run_worker_until_quiet(live_hub.ctx)

    registered = live_hub.api(
        "POST",
        f"/v1/carrier-accounts/{account_id}/register-webhook",
        json={"hub_url": live_hub.root},
    )
    assert registered.status_code == 200, registered.text
    assert "webhook_key" not in registered.json()["settings"]  # stored sealed, never shown

    live_hub.sandbox("clickpost", "PUT", "/settings", **FAST)
    final = delivered(live_hub, "clickpost", order_id)
    assert final["tracking"][-1]["stage"] == "delivered"


def test_registering_a_webhook_where_the_carrier_has_no_api_names_the_reason(
    live_hub: LiveHub,
) -> None:
    account_id, _ = live_hub.connect("royal-mail", "click-and-drop")
    refused = live_hub.api("POST", f"/v1/carrier-accounts/{account_id}/register-webhook", json={})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "account_id"
