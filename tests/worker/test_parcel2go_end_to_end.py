"""Parcel2Go through the whole hub, over real HTTP: quoted, routed, paid once, tracked home.

The hub's API and the sandboxes run in one live server (as in ``shipmux demo``); the
worker runs in the test. Parcel2Go's sandbox pushes signed tracking webhooks to the
hub's webhook URL; nothing here calls the hub's tracking code directly.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from typing import Any

import pypdf
import pytest

from shipmux.carriers.parcel2go import Parcel2GoSettings
from shipmux.domain.rate_cards import read_csv
from shipmux.services.rate_cards import replace_rate_card
from shipmux.worker.runner import Worker
from tests.support.hub import run_worker_until_quiet
from tests.worker.conftest import EXAMPLES, LiveHub, example_order, wait_for

ORDER = example_order()
CARD = (EXAMPLES / "rate-cards" / "click-and-drop.csv").read_text()


@dataclass
class Hub:
    """The live hub with a Royal Mail account (priced by the example card) and Parcel2Go."""

    live: LiveHub
    p2g_id: str

    def __getattr__(self, name: str) -> Any:
        return getattr(self.live, name)

    def p2g(self, method: str, path: str, **json_body: Any) -> Any:
        return self.live.sandbox("parcel2go", method, path, **json_body)

    def charges(self, reference: str) -> list[dict[str, Any]]:
        orders = self.p2g("GET", "/orders")["orders"]
        mine = [o for o in orders if any(line["Reference"] == reference for line in o["lines"])]
        return [charge for o in mine for charge in o["charges"]]


@pytest.fixture
def p2g_hub(live_hub: LiveHub) -> Hub:
    royal_mail, _ = live_hub.connect("royal-mail", "click-and-drop", default=True)
    replace_rate_card(live_hub.ctx.db, live_hub.tenant_id, royal_mail, read_csv(CARD))
    p2g_id, settings = live_hub.connect("p2g", "parcel2go", timeout_seconds=2.0)
    assert isinstance(settings, Parcel2GoSettings)
    assert settings.webhook_secret is not None
    live_hub.sandbox(
        "parcel2go",
        "PUT",
        f"/accounts/{settings.client_id}",
        webhook_url=live_hub.webhook_url("parcel2go", p2g_id),
        webhook_secret=settings.webhook_secret.get_secret_value(),
    )
    return Hub(live_hub, p2g_id)


def test_cheapest_order_is_quoted_paid_labelled_and_tracked_to_delivered(p2g_hub: Hub) -> None:
    hub = p2g_hub
    board = hub.api("POST", "/v1/quotes", json=ORDER)
    assert board.status_code == 200, board.text
    carriers = {entry["carrier"] for entry in board.json()["quotes"]}
    assert carriers == {"click-and-drop", "parcel2go"}
    assert hub.api("PUT", "/v1/routing", json={"strategy": "cheapest"}).status_code == 200

    created = hub.api("POST", "/v1/orders", json=ORDER)
    assert created.status_code in (200, 201), created.text
    order_id = created.json()["order_id"]
    run_worker_until_quiet(hub.ctx)

    view = hub.api("GET", f"/v1/orders/{order_id}").json()
    cheapest = min(board.json()["quotes"], key=lambda r: float(r["price"]))
    assert view["carrier"] == "parcel2go" == cheapest["carrier"]
    assert view["routed_by"] == "cheapest"
    assert view["status"] == "label_ready"
    assert view["service_code"] == cheapest["service_code"]
    assert view["charge"]["paid_at"] is not None
    assert view["charge"]["price"] == pytest.approx(float(cheapest["price"]))
    operations = [(a["operation"], a["outcome"]) for a in view["attempts"]]
    assert operations == [("route", "ok"), ("submit", "ok"), ("pay", "ok"), ("label", "ok")]
    label = hub.api("GET", f"/v1/orders/{order_id}/label")
    assert label.content.startswith(b"%PDF")
    # Other formats per request, fetched from the carrier: no second charge for them.
    png = hub.api("GET", f"/v1/orders/{order_id}/label", params={"format": "png"})
    assert png.status_code == 200, png.text
    assert png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    a4 = hub.api("GET", f"/v1/orders/{order_id}/label", params={"media": "a4-4x6"})
    assert a4.headers["content-type"] == "application/pdf"
    assert len(pypdf.PdfReader(io.BytesIO(a4.content)).pages) >= 1
    wrong = hub.api("GET", f"/v1/orders/{order_id}/label", params={"format": "zpl"})
    assert wrong.status_code == 422
    assert len(hub.charges(ORDER["reference"])) == 1

    # Parcels move on a stage every 0.3 s now; the sandbox pushes each stage to the hub.
    hub.p2g("PUT", "/settings", tracking_step_seconds=0.3)

    def delivered() -> dict[str, Any] | None:
        hub.p2g("POST", "/webhooks/flush")
        current: dict[str, Any] = hub.api("GET", f"/v1/orders/{order_id}").json()
        return current if current["status"] == "delivered" else None

    final = wait_for(delivered)
    stages = [event["stage"] for event in final["tracking"]]
    assert stages[-1] == "delivered"
    assert stages[0] == "dropped_off"  # a drop-off service (the cheapest): handed in at a shop
    assert {"in_transit", "at_depot", "out_for_delivery"} <= set(stages)
    assert all(event["source"] == "webhook" for event in final["tracking"])
    assert final["delivered_at"] is not None


def test_order_cheaper_by_the_rate_card_goes_to_click_and_drop(p2g_hub: Hub) -> None:
    hub = p2g_hub
    assert hub.api("PUT", "/v1/routing", json={"strategy": "cheapest"}).status_code == 200
    light = ORDER | {
        "reference": "LIGHT-1",
        "packages": [{"weight_grams": 300, "format": "small_parcel"}],
        "items": [ORDER["items"][0] | {"unit_weight_grams": 250}],
    }
    created = hub.api("POST", "/v1/orders", json=light)
    order_id = created.json()["order_id"]
    run_worker_until_quiet(hub.ctx)
    view = hub.api("GET", f"/v1/orders/{order_id}").json()
    assert view["carrier"] == "click-and-drop"
    assert view["status"] == "label_ready"
    assert hub.charges("LIGHT-1") == []


def test_a_payment_whose_answer_is_lost_is_read_back_and_charged_once(p2g_hub: Hub) -> None:
    hub = p2g_hub
    order = ORDER | {"reference": "PAY-TIMEOUT-1", "carrier_account": "p2g"}
    created = hub.api("POST", "/v1/orders", json=order)
    order_id = created.json()["order_id"]

    async def rounds() -> None:
        worker = Worker(hub.ctx, "pay-test")
        assert await worker.run_once() == 1  # submit: created, unpaid; PAY queued
        # The sandbox takes the payment, then holds the answer past our 2 s timeout.
        hub.p2g("PUT", "/faults", commit_then_timeout_rate=1.0, hang_seconds=4)
        assert await worker.run_once() == 1  # pay: outcome unknown
        hub.p2g("PUT", "/faults")

    asyncio.run(rounds())
    after_timeout = hub.api("GET", f"/v1/orders/{order_id}").json()
    assert after_timeout["charge"]["paid_at"] is None
    assert len(hub.charges("PAY-TIMEOUT-1")) == 1

    run_worker_until_quiet(hub.ctx)
    view = hub.api("GET", f"/v1/orders/{order_id}").json()
    pays = [a["outcome"] for a in view["attempts"] if a["operation"] == "pay"]
    assert pays == ["retry", "adopted"]
    assert view["status"] == "label_ready"
    assert view["charge"]["paid_at"] is not None
    assert len(hub.charges("PAY-TIMEOUT-1")) == 1  # read back, never paid again


def test_international_order_without_customs_is_refused_before_any_money_moves(
    p2g_hub: Hub,
) -> None:
    hub = p2g_hub
    abroad = ORDER | {
        "reference": "ABROAD-1",
        "carrier_account": "p2g",
        "recipient": ORDER["recipient"] | {"country": "US", "postcode": "84095", "city": "Utah"},
    }
    created = hub.api("POST", "/v1/orders", json=abroad)
    assert created.status_code in (200, 201), created.text
    run_worker_until_quiet(hub.ctx)
    view = hub.api("GET", f"/v1/orders/{created.json()['order_id']}").json()
    assert view["status"] == "needs_attention"
    fields = {p["field"] for p in view["problems"]}
    assert {"customs.export_reason", "customs.vat_status", "items[0].origin_country"} <= fields
    assert [a["operation"] for a in view["attempts"]] == ["submit"]
    # Refused before any call: the sandbox never saw the order, so nothing was charged.
    references = [
        line["Reference"] for o in hub.p2g("GET", "/orders")["orders"] for line in o["lines"]
    ]
    assert "ABROAD-1" not in references


def test_an_unpaid_order_is_cancelled_here_and_a_paid_one_is_refused(p2g_hub: Hub) -> None:
    hub = p2g_hub
    unpaid = ORDER | {"reference": "CANCEL-UNPAID", "carrier_account": "p2g"}
    unpaid_id = hub.api("POST", "/v1/orders", json=unpaid).json()["order_id"]

    async def submit_only() -> None:
        assert await Worker(hub.ctx, "cancel-test").run_once() == 1  # created, not paid

    asyncio.run(submit_only())
    assert hub.order(unpaid_id)["status"] == "submitted"
    cancelled = hub.api("POST", f"/v1/orders/{unpaid_id}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    run_worker_until_quiet(hub.ctx)  # the queued payment is dropped: no money moves
    assert hub.charges("CANCEL-UNPAID") == []

    paid = ORDER | {"reference": "CANCEL-PAID", "carrier_account": "p2g"}
    paid_id = hub.api("POST", "/v1/orders", json=paid).json()["order_id"]
    run_worker_until_quiet(hub.ctx)
    refused = hub.api("POST", f"/v1/orders/{paid_id}/cancel")
    assert refused.status_code == 409
    assert "no way to cancel" in refused.json()["detail"]
    assert hub.order(paid_id)["status"] == "label_ready"
