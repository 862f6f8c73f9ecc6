"""Every carrier's tracking into one truth, and the merchant told once per change.

As in the demo: the three pushing sandboxes deliver their webhooks twice and out of
order, Click & Drop is polled, and a merchant endpoint (a real server started here)
receives each stage change of each order exactly once, signed so the
``standardwebhooks`` library verifies it.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from standardwebhooks import Webhook

from shipmux.carriers import build_carrier
from shipmux.carriers.base import CarrierOrder
from shipmux.carriers.clickpost import ClickpostSettings
from shipmux.carriers.parcel2go import Parcel2GoSettings
from shipmux.carriers.sendcloud import SendcloudSettings
from shipmux.worker.notifications import WebhookSender
from shipmux.worker.polling import Poller, sweep
from tests.support.hub import run_worker_until_quiet
from tests.support.live_server import serve
from tests.support.merchant import Merchant
from tests.worker.conftest import LiveHub, example_order, wait_for

MISBEHAVE = {"webhooks": {"duplicate": True, "out_of_order": True}}
FAST = {"tracking_step_seconds": 0.3}
PUSHERS = ("parcel2go", "sendcloud", "clickpost")


def connect_pushers(live: LiveHub) -> None:
    p2g_id, p2g = live.connect("parcel2go", "parcel2go")
    assert isinstance(p2g, Parcel2GoSettings)
    assert p2g.webhook_secret is not None
    live.sandbox(
        "parcel2go",
        "PUT",
        f"/accounts/{p2g.client_id}",
        webhook_url=live.webhook_url("parcel2go", p2g_id),
        webhook_secret=p2g.webhook_secret.get_secret_value(),
    )
    sc_id, sc = live.connect("sendcloud", "sendcloud")
    assert isinstance(sc, SendcloudSettings)
    live.sandbox(
        "sendcloud",
        "PUT",
        f"/accounts/{sc.public_key}",
        webhook_url=live.webhook_url("sendcloud", sc_id),
        secret_key=sc.secret_key.get_secret_value(),
    )
    cp_id, cp = live.connect("clickpost", "clickpost")
    assert isinstance(cp, ClickpostSettings)
    assert cp.webhook_key is not None
    live.sandbox(
        "clickpost",
        "PUT",
        f"/accounts/{cp.username}",
        key=cp.key.get_secret_value(),
        webhook_url=live.webhook_url("clickpost", cp_id),
        webhook_key=cp.webhook_key.get_secret_value(),
    )
    for carrier in PUSHERS:
        live.sandbox(carrier, "PUT", "/settings", **MISBEHAVE)


def test_pushes_with_duplicates_and_disorder_and_polling_tell_the_merchant_once(
    live_hub: LiveHub,
) -> None:
    shop = Merchant()
    with serve(shop.app) as merchant_root:
        created = live_hub.api(
            "POST", "/v1/webhook-endpoints", json={"url": f"{merchant_root}/hooks/all"}
        )
        assert created.status_code == 201, created.text
        secret = created.json()["secret"]
        connect_pushers(live_hub)
        _, royal_mail = live_hub.connect(
            "royal-mail", "click-and-drop", default_service_code="TPN24"
        )

        orders: dict[str, str] = {}
        for account in (*PUSHERS, "royal-mail"):
            body = example_order(reference=f"E2E5-{account}", carrier_account=account)
            answer = live_hub.api("POST", "/v1/orders", json=body)
            assert answer.status_code == 201, answer.text
            orders[account] = answer.json()["order_id"]
        run_worker_until_quiet(live_hub.ctx)
        for account, order_id in orders.items():
            view = live_hub.order(order_id)
            assert view["status"] == "label_ready", (account, view["last_error"], view["problems"])

        # The pushers move on, a stage every 0.3 s, and push (twice, out of order).
        for carrier in PUSHERS:
            live_hub.sandbox(carrier, "PUT", "/settings", **FAST)

        def all_delivered() -> bool:
            for carrier in PUSHERS:
                live_hub.sandbox(carrier, "POST", "/webhooks/flush")
            return all(live_hub.order(orders[c])["status"] == "delivered" for c in PUSHERS)

        wait_for(all_delivered)

        # Click & Drop pushes nothing: the parcel leaves, and polling finds out.
        cnd = live_hub.order(orders["royal-mail"])
        asyncio.run(_despatch(royal_mail, cnd["carrier_order_id"], cnd["reference"]))
        assert sweep(live_hub.ctx.db, datetime.now(UTC)).due >= 1
        Poller(live_hub.ctx, "e2e-poller").round(None)
        run_worker_until_quiet(live_hub.ctx)
        cnd = live_hub.order(orders["royal-mail"])
        assert cnd["status"] == "despatched"
        assert cnd["last_update_source"] == "poll"

        _deliver_notifications(live_hub)
        _deliver_notifications(live_hub)  # a second pass sends nothing again

    views = {account: live_hub.order(order_id) for account, order_id in orders.items()}
    for carrier in PUSHERS:
        assert views[carrier]["tracking_stage"] == "delivered"
        assert views[carrier]["delivered_at"] is not None
    assert views["royal-mail"]["tracking_stage"] == "collected"

    # Exactly once per stage change, signed, for every order.
    got = shop.at("all")
    payloads = [Webhook(secret).verify(r.body, r.headers) for r in got]
    assert len({r.headers["webhook-id"] for r in got}) == len(got)
    # (A stage can come back: out for delivery, a failed attempt, out for delivery again;
    # each is its own change. What must never happen is one change told twice.)
    changes = Counter(
        (p["data"]["order_id"], p["data"]["stage"], p["data"]["occurred_at"]) for p in payloads
    )
    assert all(count == 1 for count in changes.values()), changes
    for account, order_id in orders.items():
        told = [p["data"]["stage"] for p in payloads if p["data"]["order_id"] == order_id]
        stages_seen = _stage_changes(views[account]["tracking"])
        assert told == stages_seen, (account, told, stages_seen)
        if account in PUSHERS:
            assert told[-1] == "delivered"


def _stage_changes(tracking: list[dict[str, Any]]) -> list[str]:
    """The stages an order moved through, in order (each once): what the merchant hears."""
    told = [e["stage"] for e in tracking if e.get("notification") == "queued"]
    return told


async def _despatch(settings: Any, carrier_order_id: str, reference: str) -> None:
    connector = build_carrier("click-and-drop", settings)
    try:
        await connector.despatch(CarrierOrder(carrier_order_id, reference), datetime.now(UTC))
    finally:
        await connector.aclose()


def _deliver_notifications(live: LiveHub) -> None:
    async def rounds() -> None:
        sender = WebhookSender(live.ctx, "e2e-sender")
        try:
            for _ in range(20):
                if await sender.run_once() == 0:
                    return
        finally:
            await sender.aclose()

    asyncio.run(rounds())
