"""GET /orders paging, DELETE /orders/{ids}, and the ChannelShipper ``/full`` endpoints."""

from __future__ import annotations

import httpx
import pytest

from tests.sandboxes.click_and_drop.factories import create, create_one, order


def test_paging_with_continuation_token(api: httpx.Client) -> None:
    create(api, *(order() for _ in range(7)))
    seen: list[int] = []
    token: str | None = None
    pages = 0
    while True:
        params: dict[str, str | int] = {"pageSize": 3}
        if token:
            params["continuationToken"] = token
        body = api.get("/orders", params=params).json()
        seen.extend(o["orderIdentifier"] for o in body["orders"])
        token = body["continuationToken"]
        pages += 1
        if token is None:
            break
    assert seen == list(range(1001, 1008))
    assert pages == 3


def test_default_page_size_is_25(api: httpx.Client) -> None:
    create(api, *(order() for _ in range(30)))
    body = api.get("/orders").json()
    assert len(body["orders"]) == 25
    assert body["continuationToken"]


@pytest.mark.parametrize(
    "params",
    [
        {"pageSize": 0},
        {"pageSize": 101},
        {"pageSize": "ten"},
        {"startDateTime": "not-a-date"},
        {"continuationToken": "!!!"},
    ],
)
def test_bad_list_parameters_are_400(api: httpx.Client, params: dict[str, object]) -> None:
    response = api.get("/orders", params=params)
    assert response.status_code == 400
    assert response.json()["message"]


def test_date_filters_apply_to_created_on(api: httpx.Client, control: httpx.Client) -> None:
    create_one(api)
    middle = control.post("/clock/advance", json={"seconds": 3600}).json()["now"]
    control.post("/clock/advance", json={"seconds": 3600})
    create_one(api)
    after = api.get("/orders", params={"startDateTime": middle}).json()["orders"]
    before = api.get("/orders", params={"endDateTime": middle}).json()["orders"]
    assert [o["orderIdentifier"] for o in after] == [1002]
    assert [o["orderIdentifier"] for o in before] == [1001]


def test_delete(api: httpx.Client, control: httpx.Client) -> None:
    created = create_one(api, order("DEL-1"))
    response = api.delete('/orders/"DEL-1";9999')
    assert response.status_code == 200
    body = response.json()
    assert body["deletedOrders"] == [
        {"orderIdentifier": created["orderIdentifier"], "orderReference": "DEL-1",
         "orderInfo": None}
    ]  # fmt: skip
    assert body["errors"][0]["orderIdentifier"] == 9999
    assert api.get(f"/orders/{created['orderIdentifier']}").status_code == 404
    assert api.delete(f"/orders/{created['orderIdentifier']}").status_code == 404
    # The reference is free again, and the control route still shows the deleted order.
    assert create_one(api, order("DEL-1"))["orderIdentifier"] == 1002
    rows = control.get("/orders").json()["orders"]
    assert [(r["orderIdentifier"], r["status"]) for r in rows] == [
        (1001, "deleted"),
        (1002, "postageApplied"),
    ]


def test_delete_errors_use_order_error_info(api: httpx.Client) -> None:
    response = api.delete("/orders/x")
    assert response.status_code == 400
    assert set(response.json()[0]) == {"orderIdentifier", "orderReference", "code", "message"}


def test_full_endpoints_are_channel_shipper_only(api: httpx.Client) -> None:
    create_one(api)
    assert api.get("/orders/full").status_code == 403
    assert api.get("/orders/1001/full").status_code == 403


def test_full_endpoints_for_channel_shipper(channel_shipper_api: httpx.Client) -> None:
    created = create_one(channel_shipper_api, order("FULL-1"))
    details = channel_shipper_api.get('/orders/"FULL-1"/full').json()[0]
    assert details["orderIdentifier"] == created["orderIdentifier"]
    assert details["orderStatus"] == "postageApplied"
    assert details["postageAppliedOn"] is not None
    assert details["shippingDetails"]["trackingNumber"] == created["trackingNumber"]
    assert details["shippingInfo"]["firstName"] == "Jane"
    assert details["orderLines"][0]["lineTotal"] == 20
    assert details["weightInGrams"] == 500
    listed = channel_shipper_api.get("/orders/full", params={"pageSize": 1}).json()
    assert listed["orders"][0]["orderReference"] == "FULL-1"
