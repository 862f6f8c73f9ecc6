"""Polling as the backup, over real HTTP: Click & Drop and Clickpost without webhooks.

The poller turns due shipments into ``track`` jobs; the worker runs them against the
sandboxes. Tests move the poller's clock (``round(now=...)``) instead of waiting hours.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from shipmux.carriers import build_carrier
from shipmux.carriers.base import CarrierOrder
from shipmux.storage.tables import JobRow, ShipmentRow
from shipmux.worker.polling import Poller, SweepResult, sweep
from shipmux.worker.runner import Worker
from tests.support.hub import run_worker_until_quiet
from tests.worker.conftest import LiveHub, example_order, wait_for

LATER = timedelta(days=2)  # far enough ahead that any scheduled check is due


def place(live: LiveHub, reference: str, account: str) -> str:
    # Click & Drop applies postage (and so makes a label) for orders with a service code.
    example = "order.json" if account == "royal-mail" else "order-cheapest.json"
    order = example_order(example, reference=reference, carrier_account=account)
    created = live.api("POST", "/v1/orders", json=order)
    assert created.status_code == 201, created.text
    order_id: str = created.json()["order_id"]
    run_worker_until_quiet(live.ctx)
    view = live.order(order_id)
    assert view["status"] == "label_ready", view
    return order_id


def track_jobs(live: LiveHub) -> int:
    with live.ctx.db.reading() as session:
        count = session.scalar(
            select(func.count()).select_from(JobRow).where(JobRow.kind == "track")
        )
    return count or 0


def poll_round(live: LiveHub, now: datetime | None = None) -> int:
    """Queue what is due (at ``now``) and let a worker run it; how many were queued."""
    queued = Poller(live.ctx, "test-poller").round(now)
    run_worker_until_quiet(live.ctx)
    return queued


def test_click_and_drop_is_polled_to_despatched(live_hub: LiveHub) -> None:
    _, settings = live_hub.connect("royal-mail", "click-and-drop")
    order_id = place(live_hub, "POLL-CND", "royal-mail")
    view = live_hub.order(order_id)
    # Labelled at a carrier without push: the first check is set with the label.
    first = datetime.fromisoformat(view["next_check_at"])
    assert timedelta(hours=5) < first - datetime.now(UTC) <= timedelta(hours=6)
    assert view["last_checked_at"] is None
    assert view["pending_action"] is None  # polls are not an action the merchant waits on

    # The parcel leaves: the merchant marks it despatched in Click & Drop itself.
    despatched_at = datetime.now(UTC)
    asyncio.run(_despatch_at_carrier(settings, view["carrier_order_id"], despatched_at))
    assert poll_round(live_hub) == 0  # not due yet

    # The daily sweep makes every shipment not checked for a day due now.
    assert sweep(live_hub.ctx.db, datetime.now(UTC)).due == 1
    assert poll_round(live_hub) == 1
    view = live_hub.order(order_id)
    assert view["status"] == "despatched", view
    assert view["tracking_stage"] == "collected"
    assert view["last_update_source"] == "poll"
    assert view["last_checked_at"] is not None
    assert [e["source"] for e in view["tracking"]] == ["poll", "poll"]  # printed, despatched
    last_event = datetime.fromisoformat(view["last_event_at"])
    assert abs(last_event - despatched_at) < timedelta(seconds=1)  # the carrier's time
    again = datetime.fromisoformat(view["next_check_at"]) - datetime.now(UTC)
    assert timedelta(hours=1) < again <= timedelta(hours=2)  # collected: every 2 h
    # Checked just now: the sweep leaves it alone.
    assert sweep(live_hub.ctx.db, datetime.now(UTC)).due == 0


async def _despatch_at_carrier(settings: Any, carrier_order_id: str, when: datetime) -> None:
    connector = build_carrier("click-and-drop", settings)
    try:
        await connector.despatch(CarrierOrder(carrier_order_id, "POLL-CND"), when)
    finally:
        await connector.aclose()


def test_clickpost_without_webhooks_is_polled_to_delivered_then_never_again(
    live_hub: LiveHub,
) -> None:
    live_hub.connect("clickpost", "clickpost", webhook_key=None)  # no webhook registered
    live_hub.sandbox("clickpost", "PUT", "/settings", tracking_step_seconds=0.3)
    order_id = place(live_hub, "POLL-CP", "clickpost")
    first = datetime.fromisoformat(live_hub.order(order_id)["next_check_at"])
    # Clickpost pushes: polled only once its pushes would be overdue (12 h).
    assert timedelta(hours=11) < first - datetime.now(UTC) <= timedelta(hours=12)

    def delivered() -> dict[str, Any] | None:
        poll_round(live_hub, datetime.now(UTC) + LATER)
        view = live_hub.order(order_id)
        return view if view["tracking_stage"] == "delivered" else None

    view = wait_for(delivered, timeout=45)
    assert view["status"] == "delivered"
    assert view["next_check_at"] is None
    assert view["last_update_source"] == "poll"
    assert {e["source"] for e in view["tracking"]} == {"poll"}
    polls = track_jobs(live_hub)
    # Delivered: however late it gets, the shipment is never asked about again.
    assert poll_round(live_hub, datetime.now(UTC) + 10 * LATER) == 0
    assert track_jobs(live_hub) == polls


def test_only_one_of_two_workers_runs_the_daily_sweep(live_hub: LiveHub) -> None:
    workers = [Worker(live_hub.ctx, "sweeper-a"), Worker(live_hub.ctx, "sweeper-b")]
    start = datetime.now(UTC) + timedelta(days=30)  # past any lease an earlier run took
    results: list[SweepResult | None] = []
    gate = threading.Barrier(2)

    def elect(worker: Worker) -> None:
        gate.wait()
        results.append(worker.poller.sweep_if_elected(start))

    threads = [threading.Thread(target=elect, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len([r for r in results if r is not None]) == 1
    # Within the day nobody sweeps again; the day after, one of them does.
    assert all(w.poller.sweep_if_elected(start + timedelta(hours=23)) is None for w in workers)
    later = [w.poller.sweep_if_elected(start + timedelta(hours=25)) for w in workers]
    assert len([r for r in later if r is not None]) == 1


def test_a_silent_shipment_is_flagged_stuck_and_listed(live_hub: LiveHub) -> None:
    live_hub.connect("royal-mail", "click-and-drop")
    quiet = place(live_hub, "STUCK-1", "royal-mail")
    moving = place(live_hub, "STUCK-2", "royal-mail")
    with live_hub.ctx.db.transaction() as session:
        row = session.scalars(select(ShipmentRow).where(ShipmentRow.order_id == quiet)).one()
        row.last_event_at = datetime.now(UTC) - timedelta(hours=100)  # tenant default: 72 h
    assert sweep(live_hub.ctx.db, datetime.now(UTC)).stuck == 1

    view = live_hub.order(quiet)
    since = datetime.fromisoformat(view["stuck_since"])
    assert abs(since - (datetime.now(UTC) - timedelta(hours=28))) < timedelta(minutes=2)
    assert live_hub.order(moving)["stuck_since"] is None

    stuck = live_hub.api("GET", "/v1/orders", params={"stuck": "true"}).json()["data"]
    assert [o["id"] for o in stuck] == [quiet]
    assert stuck[0]["stuck_since"] is not None
    others = live_hub.api("GET", "/v1/orders", params={"stuck": "false"}).json()["data"]
    assert [o["id"] for o in others] == [moving]
