"""Tracking over simulated time (ADR 0006 §10)."""

from __future__ import annotations

import httpx
import pytest

from tests.sandboxes.parcel2go.factories import create_order, paid_order

# Short steps keep five stages inside the token's two hours of sandbox time.
STEP = 60


@pytest.fixture(autouse=True)
def short_steps(control: httpx.Client) -> None:
    control.put("/settings", json={"tracking_step_seconds": STEP}).raise_for_status()


def track(api: httpx.Client, order: dict[str, object]) -> dict[str, object]:
    line_id = order["OrderlineIdMap"][0]["OrderLineId"]  # type: ignore[index]
    response = api.get(f"/tracking/{line_id}")
    assert response.status_code == 200
    return dict(response.json())


def test_unpaid_line_has_no_events(api: httpx.Client) -> None:
    tracking = track(api, create_order(api))
    assert tracking["Results"] == []
    assert tracking["Stage"] is None


def test_collection_service_advances_one_stage_per_step(
    api: httpx.Client, control: httpx.Client
) -> None:
    order = paid_order(api)
    assert track(api, order)["Stage"] == "Booked"
    seen = []
    for _ in range(5):
        control.post("/clock/advance", json={"seconds": STEP}).raise_for_status()
        seen.append(track(api, order)["Stage"])
    assert seen == ["Collected", "InTransit", "AtDepot", "DeliveryScheduled", "Delivered"]
    tracking = track(api, order)
    assert tracking["Delivered"] is True
    assert tracking["TrackingNumber"] is None
    results = tracking["Results"]
    assert isinstance(results, list)
    assert results[0]["Stage"] == "Delivered"  # newest first
    assert set(results[0]) == {"Timestamp", "Stage", "StatusCode", "Description", "Details",
                               "Location"}  # fmt: skip


def test_shop_service_is_dropped_off(api: httpx.Client, control: httpx.Client) -> None:
    order = paid_order(api, service="myhermes-parcelshop")
    control.put("/clock", json={"seconds": STEP}).raise_for_status()
    assert track(api, order)["Stage"] == "DroppedOff"


def test_step_is_a_setting(api: httpx.Client, control: httpx.Client) -> None:
    control.put("/settings", json={"tracking_step_seconds": 5}).raise_for_status()
    order = paid_order(api)
    control.post("/clock/advance", json={"seconds": 11}).raise_for_status()
    assert track(api, order)["Stage"] == "InTransit"


def test_unknown_order_line_is_404(api: httpx.Client) -> None:
    assert api.get("/tracking/1").status_code == 404
