"""Order delete/patch, shipment listing, shipment cancel and parcel tracking, over HTTP."""

from __future__ import annotations

from typing import Any

import httpx

from tests.sandboxes.sendcloud.conftest import (
    integration_id,
    let_orders_save,
    order_payload,
    public_key_of,
    saved_order,
)
from tests.sandboxes.sendcloud.test_webhooks_and_limits import Receiver, receiver

__all__ = ["receiver"]


def _label(api: httpx.Client, order_id: str = "555413") -> dict[str, Any]:
    body = {"integration_id": integration_id(api), "order": {"order_id": order_id}}
    response = api.post("/orders/create-label-sync", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json()["data"])


def _parcel_status(api: httpx.Client, shipment_id: str) -> str:
    shipment = api.get(f"/shipments/{shipment_id}").json()["data"]
    return str(shipment["parcels"][0]["status"]["code"])


def test_delete_order(api: httpx.Client, control: httpx.Client) -> None:
    order_id = saved_order(api, control)
    assert api.delete(f"/orders/{order_id}").status_code == 204
    assert api.get(f"/orders/{order_id}").status_code == 404
    assert api.get("/orders", params={"order_id": "555413"}).json()["data"] == []
    again = api.delete(f"/orders/{order_id}")
    assert again.status_code == 404
    error = again.json()["errors"][0]
    assert error["code"] == "not_found"
    assert error["detail"] == "The order could not be found with the search criteria given"
    assert api.delete("/orders/999999").status_code == 404


def test_delete_is_scoped_to_the_account(
    api: httpx.Client, control: httpx.Client, root: str
) -> None:
    order_id = saved_order(api, control)
    with httpx.Client(base_url=f"{root}/api/v3", auth=("pk_someone_else", "x" * 20)) as other:
        assert other.delete(f"/orders/{order_id}").status_code == 404
    assert api.get(f"/orders/{order_id}").status_code == 200


def test_patch_order(api: httpx.Client, control: httpx.Client) -> None:
    order_id = saved_order(api, control)
    change = {
        "id": str(order_id),
        "order_id": "555413",
        "order_details": {
            "status": {"code": "cancelled", "message": "Cancelled"},
            "order_items": [{"name": "Cylinder candle", "quantity": 2}],
        },
    }
    response = api.patch(f"/orders/{order_id}", json=change)
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {
        "id": order_id,
        "order_id": "555413",
        "order_number": "OXSDFGHTD-555413",
    }
    let_orders_save(control)
    order = api.get(f"/orders/{order_id}").json()["data"]
    assert order["order_details"]["status"]["code"] == "cancelled"
    [item] = order["order_details"]["order_items"]
    assert item["quantity"] == 2
    assert item["total_price"] == {"value": 3.5, "currency": "EUR"}  # untouched fields stay
    assert order["shipping_address"]["city"] == "Oss"
    unknown = api.patch(
        f"/orders/{order_id}", json={"order_details": {"order_items": [{"name": "Nope"}]}}
    )
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["detail"] == "Could not find specified item."
    assert api.patch("/orders/999999", json={}).status_code == 404


def test_list_shipments_filters_and_pages(api: httpx.Client, control: httpx.Client) -> None:
    integration = integration_id(api)
    batch = [order_payload(integration, str(n)) for n in range(1, 4)]
    assert api.post("/orders", json=batch).status_code == 201
    let_orders_save(control)
    labels = [_label(api, str(n)) for n in range(1, 4)]
    by_number = api.get("/shipments", params={"order_number": "OXSDFGHTD-2"})
    assert by_number.status_code == 200
    [found] = by_number.json()["data"]
    assert found["id"] == labels[1]["shipment_id"]
    assert found["parcels"][0]["tracking_number"] == labels[1]["tracking_number"]
    by_tracking = api.get("/shipments", params={"tracking_number": labels[0]["tracking_number"]})
    assert [s["id"] for s in by_tracking.json()["data"]] == [labels[0]["shipment_id"]]
    by_ref = api.get("/shipments", params={"external_reference_id": "3"})
    assert [s["id"] for s in by_ref.json()["data"]] == [labels[2]["shipment_id"]]
    status = api.get("/shipments", params={"parcel_status": "READY_TO_SEND"}).json()["data"]
    assert len(status) == 3
    assert api.get("/shipments", params={"parcel_status": "DELIVERED"}).json()["data"] == []
    first = api.get("/shipments", params={"page_size": 2})
    assert [s["id"] for s in first.json()["data"]] == [
        labels[2]["shipment_id"],
        labels[1]["shipment_id"],
    ]
    next_url = first.links["next"]["url"]
    second = api.get(next_url)
    assert [s["id"] for s in second.json()["data"]] == [labels[0]["shipment_id"]]
    assert "next" not in second.links
    assert api.get("/shipments", params={"page_size": 101}).status_code == 400
    assert api.get("/shipments", params={"updated_after": "yesterday"}).status_code == 400


def test_cancel_ready_to_send_is_queued_and_stops_the_journey(
    api: httpx.Client, control: httpx.Client, receiver: Receiver
) -> None:
    saved_order(api, control)
    control.put(f"/accounts/{public_key_of(api)}", json={"webhook_url": receiver.url})
    control.put("/settings", json={"tracking_step_seconds": 60, "cancellation_watch_seconds": 600})
    label = _label(api)
    shipment_id = label["shipment_id"]
    response = api.post(f"/shipments/{shipment_id}/cancel")
    assert response.status_code == 202, response.text
    assert response.json() == {
        "data": {"status": "queued", "message": "Shipment cancellation has been queued"}
    }
    assert _parcel_status(api, shipment_id) == "CANCELLATION_REQUESTED"
    again = api.post(f"/shipments/{shipment_id}/cancel")
    assert again.status_code == 409
    assert again.json()["errors"][0]["detail"] == "This shipment is already being cancelled."
    control.put("/clock", json={"seconds": 601}).raise_for_status()
    control.post("/webhooks/flush").raise_for_status()
    assert _parcel_status(api, shipment_id) == "CANCELLED"
    control.put("/clock", json={"seconds": 3600}).raise_for_status()
    control.post("/webhooks/flush").raise_for_status()
    assert _parcel_status(api, shipment_id) == "CANCELLED"  # no longer advancing
    ids = [p["parcel"]["status"]["id"] for p in receiver.payloads()]  # type: ignore[index]
    assert ids == [1000, 1999, 2000]
    cancelled = api.get("/shipments", params={"parcel_status": "CANCELLED"}).json()["data"]
    assert [s["id"] for s in cancelled] == [shipment_id]


def test_cancel_announced_is_immediate(
    api: httpx.Client, control: httpx.Client, receiver: Receiver
) -> None:
    saved_order(api, control)
    control.put(f"/accounts/{public_key_of(api)}", json={"webhook_url": receiver.url})
    control.put("/settings", json={"tracking_step_seconds": 60})
    label = _label(api)
    control.put("/clock", json={"seconds": 61}).raise_for_status()
    response = api.post(f"/shipments/{label['shipment_id']}/cancel")
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {
        "status": "cancelled",
        "message": "Shipment has been cancelled",
    }
    control.put("/clock", json={"seconds": 3600}).raise_for_status()
    control.post("/webhooks/flush").raise_for_status()
    assert _parcel_status(api, label["shipment_id"]) == "CANCELLED"
    ids = [p["parcel"]["status"]["id"] for p in receiver.payloads()]  # type: ignore[index]
    assert ids == [1000, 1, 2000]
    tracking = api.get(f"/parcels/tracking/{label['tracking_number']}").json()
    assert [e["status_code"] for e in tracking["events"]] == [
        "READY_TO_SEND",
        "ANNOUNCED",
        "CANCELLED",
    ]


def test_cancel_delivered_or_unknown_is_refused(api: httpx.Client, control: httpx.Client) -> None:
    saved_order(api, control)
    control.put("/settings", json={"tracking_step_seconds": 60})
    label = _label(api)
    control.put("/clock", json={"seconds": 60 * 20}).raise_for_status()
    delivered = api.post(f"/shipments/{label['shipment_id']}/cancel")
    assert delivered.status_code == 409
    assert delivered.json()["errors"][0]["code"] == "invalid"
    missing = api.post("/shipments/999999/cancel")
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["code"] == "not_found"
    assert api.get("/shipments/999999").status_code == 404


def test_cancel_after_42_days_is_refused(api: httpx.Client, control: httpx.Client) -> None:
    saved_order(api, control)
    control.put("/settings", json={"tracking_step_seconds": 10**9})
    label = _label(api)
    control.put("/clock", json={"seconds": 43 * 86400}).raise_for_status()
    assert api.post(f"/shipments/{label['shipment_id']}/cancel").status_code == 409


def test_parcel_tracking_history(api: httpx.Client, control: httpx.Client) -> None:
    saved_order(api, control)
    control.put("/settings", json={"tracking_step_seconds": 60})
    label = _label(api)
    control.put("/clock", json={"seconds": 60 * 3}).raise_for_status()
    response = api.get(f"/parcels/tracking/{label['tracking_number']}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert "data" not in body  # this spec answers unwrapped
    assert [e["status_code"] for e in body["events"]] == [
        "READY_TO_SEND",
        "ANNOUNCED",
        "EN_ROUTE_TO_SORTING_CENTER",
        "BEING_SORTED",
    ]
    assert body["tracking_numbers"][0] == {
        "carrier_code": "postnl",
        "tracking_number": label["tracking_number"],
        "tracking_url": label["tracking_url"],
    }
    assert body["to_address"]["postal_code"] == "5341XT"
    assert body["details"]["integration_id"] == integration_id(api)
    for field in ("announced_at", "created_at", "updated_at", "source_id", "from_address"):
        assert field in body
    missing = api.get("/parcels/tracking/NOPE123")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Parcel does not exist"}
    assert api.get("/parcels/tracking/" + "X" * 256).status_code == 422


def test_new_routes_need_auth(root: str, control: httpx.Client) -> None:
    with httpx.Client(base_url=f"{root}/api/v3") as anonymous:
        for method, path in (
            ("DELETE", "/orders/1"),
            ("PATCH", "/orders/1"),
            ("GET", "/shipments"),
            ("POST", "/shipments/1/cancel"),
            ("GET", "/parcels/tracking/X"),
        ):
            assert anonymous.request(method, path).status_code == 401, (method, path)
