"""PUT /orders/status and its rules."""

from __future__ import annotations

from typing import Any

import httpx

from tests.sandboxes.click_and_drop.factories import create_one, order


def put_status(client: httpx.Client, *items: dict[str, Any]) -> httpx.Response:
    return client.put("/orders/status", json={"items": list(items)})


def _label(client: httpx.Client, identifier: int) -> None:
    response = client.get(
        f"/orders/{identifier}/label",
        params={"documentType": "postageLabel", "includeReturnsLabel": "false"},
    )
    assert response.status_code == 200, response.text


def test_despatched_sets_shipped_on(api: httpx.Client) -> None:
    created = create_one(api)
    response = put_status(
        api,
        {"orderIdentifier": created["orderIdentifier"], "status": "despatched",
         "despatchDate": "2026-03-02T09:30:00Z"},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.json() == {
        "updatedOrders": [
            {"orderIdentifier": 1001, "orderReference": created["orderReference"],
             "status": "despatched"}
        ],
        "errors": [],
    }  # fmt: skip
    assert api.get("/orders/1001").json()[0]["shippedOn"] == "2026-03-02T09:30:00.000000Z"


def test_new_resets_the_order(api: httpx.Client, control: httpx.Client) -> None:
    created = create_one(api, order("RESET-1"))
    _label(api, created["orderIdentifier"])
    assert api.get("/orders/1001").json()[0]["printedOn"] is not None
    response = put_status(api, {"orderReference": "RESET-1", "status": "new"})
    assert response.json()["updatedOrders"][0]["status"] == "new"
    info = api.get("/orders/1001").json()[0]
    assert info["printedOn"] is None
    assert info["trackingNumber"] is None
    # Back in New, a label needs postage again.
    params = {"documentType": "postageLabel", "includeReturnsLabel": "false"}
    label = api.get("/orders/1001/label", params=params)
    assert label.status_code == 400


def test_manifested_orders_cannot_change(api: httpx.Client) -> None:
    created = create_one(api)
    _label(api, created["orderIdentifier"])
    assert api.post("/manifests").status_code == 201
    response = put_status(api, {"orderIdentifier": 1001, "status": "new"})
    error = response.json()["errors"][0]
    assert error["code"] == "OrderManifested"
    assert error["status"] == "manifested"
    assert response.json()["updatedOrders"] == []


def test_per_item_errors(api: httpx.Client) -> None:
    create_one(api, order("S-1"))
    response = put_status(
        api,
        {"orderIdentifier": 1001, "orderReference": "S-1", "status": "despatched"},
        {"status": "despatched"},
        {"orderIdentifier": 4242, "status": "despatched"},
        {"orderIdentifier": 1001, "status": "shipped"},
        {"orderReference": "S-1", "status": "despatched"},
    )
    body = response.json()
    assert [e["code"] for e in body["errors"]] == [
        "AmbiguousOrder",
        "MissingOrder",
        "OrderNotFound",
        "ValidationFailed",
    ]
    assert set(body["errors"][0]) == {"orderIdentifier", "orderReference", "status", "code",
                                      "message"}  # fmt: skip
    assert [u["orderIdentifier"] for u in body["updatedOrders"]] == [1001]


def test_request_level_errors(api: httpx.Client) -> None:
    too_many = [{"orderIdentifier": 1001 + i, "status": "despatched"} for i in range(101)]
    response = put_status(api, *too_many)
    assert response.status_code == 400
    assert "100" in response.json()[0]["message"]
    assert api.put("/orders/status", json={"items": []}).status_code == 400


def test_despatched_by_other_courier_is_channel_shipper_only(api: httpx.Client) -> None:
    create_one(api)
    response = put_status(api, {"orderIdentifier": 1001, "status": "despatchedByOtherCourier"})
    assert response.status_code == 403


def test_despatched_by_other_courier_required_fields(channel_shipper_api: httpx.Client) -> None:
    create_one(channel_shipper_api)
    missing = put_status(
        channel_shipper_api,
        {"orderIdentifier": 1001, "status": "despatchedByOtherCourier", "trackingNumber": "X1",
         "shippingCarrier": "DPD"},
    )  # fmt: skip
    message = missing.json()["errors"][0]["message"]
    assert "despatchDate" in message
    assert "shippingService" in message
    complete = put_status(
        channel_shipper_api,
        {"orderIdentifier": 1001, "status": "despatchedByOtherCourier", "trackingNumber": "X1",
         "shippingCarrier": "DPD", "shippingService": "Next Day",
         "despatchDate": "2026-03-03T08:00:00Z"},
    )  # fmt: skip
    assert complete.json()["updatedOrders"][0]["status"] == "despatchedByOtherCourier"
    details = channel_shipper_api.get("/orders/1001/full").json()[0]
    assert details["despatchedByOtherCourierOn"] == "2026-03-03T08:00:00.000000Z"
    assert details["shippingDetails"]["trackingNumber"] == "X1"
