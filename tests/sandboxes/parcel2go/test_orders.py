"""Verify, create, read back, order history, parcel numbers (ADR 0006 §4-§7, §12)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from tests.sandboxes.parcel2go.factories import (
    ITEM_ID,
    US_DELIVERY,
    create_order,
    order_body,
    paid_order,
    pay,
)

# The seed's "Example of a failed international order", verbatim.
SEED_FAILED_INTERNATIONAL = {
    "Errors": [
        {"Type": "Customs", "Error": "Please supply the reason for exporting your parcel.",
         "ItemId": ITEM_ID},
        {"Type": "Customs", "Error": "Please supply your VAT status.", "ItemId": ITEM_ID},
        {"Type": "Customs",
         "Error": "Please supply details of your parcel's country of manufacture.",
         "ItemId": ITEM_ID},
        {"Type": "Customs",
         "Error": "Please supply details of your international parcel's contents.",
         "ItemId": ITEM_ID},
        {"Type": "Service", "Error": "A price could not be found for these specifications.",
         "ItemId": ITEM_ID},
    ]
}  # fmt: skip


def test_verify_answers_the_create_price(api: httpx.Client) -> None:
    body = order_body(upsells=("Sms",))
    verified = api.post("/orders/verify", json=body)
    assert verified.status_code == 200
    assert verified.json() == {"Errors": [], "Cost": 7.74}
    created = api.post("/orders", json=body).json()
    assert created["TotalPrice"] == 7.74
    assert created["TotalPriceExVat"] == 6.45
    assert created["TotalVat"] == 1.29


def test_verify_refusal_is_422(api: httpx.Client) -> None:
    response = api.post("/orders/verify", json=order_body("no-such-service"))
    assert response.status_code == 422
    assert response.json()["Errors"][0]["Type"] == "Service"


def test_create_answers_the_seeds_shape(api: httpx.Client) -> None:
    order = create_order(api)
    assert set(order) == {"OrderId", "Links", "TotalPrice", "TotalVat", "TotalPriceExVat",
                          "Hash", "OrderlineIdMap", "TotalDiscount"}  # fmt: skip
    assert isinstance(order["OrderId"], str)
    (line,) = order["OrderlineIdMap"]
    assert line["ItemId"] == ITEM_ID
    assert set(line) == {"Hash", "OrderLineId", "ItemId"}
    pay_link = urlsplit(order["Links"]["PayWithPrePay"])
    assert pay_link.path == f"/api/orders/{order['OrderId']}/paywithprepay"
    # The hash is URL-encoded in the link and decodes back to the order's Hash.
    assert parse_qs(pay_link.query)["hash"] == [order["Hash"]]


def test_failed_international_order_is_the_seeds_example(api: httpx.Client) -> None:
    response = api.post("/orders", json=order_body("24h-example", delivery=US_DELIVERY))
    assert response.status_code == 400
    assert response.json() == SEED_FAILED_INTERNATIONAL


def test_customs_errors_alone_when_the_service_prices(api: httpx.Client) -> None:
    body = order_body("parcelforce-global-priority", delivery=US_DELIVERY)
    errors = api.post("/orders", json=body).json()["Errors"]
    assert errors == SEED_FAILED_INTERNATIONAL["Errors"][:4]


def test_registered_vat_status_needs_a_number(api: httpx.Client) -> None:
    body = order_body("parcelforce-global-priority", delivery=US_DELIVERY, customs=True)
    body["Items"][0]["VatStatus"] = "Registered"
    errors = api.post("/orders", json=body).json()["Errors"]
    assert [error["Error"] for error in errors] == ["Please supply your VAT number."]


def test_international_order_with_customs_is_created(api: httpx.Client) -> None:
    order = create_order(api, service="parcelforce-global-priority", delivery=US_DELIVERY,
                         customs=True)  # fmt: skip
    assert order["TotalPrice"] == 47.99  # 39.99 world band + 20 % VAT


def test_property_and_street_are_required(api: httpx.Client) -> None:
    body = order_body()
    del body["Items"][0]["Parcels"][0]["DeliveryAddress"]["Property"]
    del body["Items"][0]["CollectionAddress"]["Street"]
    response = api.post("/orders", json=body)
    assert response.status_code == 400
    errors = response.json()["Errors"]
    assert {error["Type"] for error in errors} == {"Address"}
    assert all(error["ItemId"] == ITEM_ID for error in errors)
    assert len(errors) == 2


def test_unknown_service_has_no_price(api: httpx.Client) -> None:
    response = api.post("/orders", json=order_body("no-such-service"))
    assert response.status_code == 400
    assert response.json() == {"Errors": [{
        "Type": "Service", "Error": "A price could not be found for these specifications.",
        "ItemId": ITEM_ID}]}  # fmt: skip


def test_long_reference_is_refused(api: httpx.Client) -> None:
    response = api.post("/orders", json=order_body(reference="x" * 51))
    assert response.json()["Errors"][0]["Type"] == "Reference"


def test_read_back_shows_paid_date_and_links(api: httpx.Client) -> None:
    order = create_order(api)
    params = {"orderId": order["OrderId"], "hash": order["Hash"]}
    unpaid = api.get("/orders", params=params).json()
    assert unpaid["PaidDate"] is None
    assert "tracking-page" in unpaid["Links"]
    assert "labels-a4" not in unpaid["Links"]
    assert unpaid["Items"][0]["Reference"] == "SHIPMUX-1"
    assert unpaid["Items"][0]["OrderLineId"] == order["OrderlineIdMap"][0]["OrderLineId"]
    assert pay(api, order).status_code == 200
    paid = api.get("/orders", params=params).json()
    assert paid["PaidDate"] is not None
    assert {"labels-a4", "labels-4x6", "labels-a4-4x6", "invoice"} <= set(paid["Links"])


def test_read_back_with_a_wrong_hash(root: str, api: httpx.Client) -> None:
    order = create_order(api)
    wrong = api.get("/orders", params={"orderId": order["OrderId"], "hash": "bogus"})
    assert wrong.status_code == 403
    assert "Message" in wrong.json()
    missing = api.get("/orders", params={"orderId": "1", "hash": order["Hash"]})
    assert missing.status_code == 404
    assert "Message" in missing.json()


def test_order_history_newest_first(api: httpx.Client) -> None:
    first = create_order(api, reference="FIRST")
    second = create_order(api, reference="SECOND")
    history = api.get("/me/orders/detail", params={"page": 1, "pageSize": 1}).json()
    assert history["TotalCount"] == 2
    assert [o["OrderId"] for o in history["Orders"]] == [second["OrderId"]]
    page_two = api.get("/me/orders/detail", params={"page": 2, "pageSize": 1}).json()
    assert page_two["Orders"][0]["OrderId"] == first["OrderId"]
    assert page_two["Orders"][0]["Items"][0]["Reference"] == "FIRST"
    assert api.get("/me/orders/detail", params={"pageSize": 101}).status_code == 400


def test_parcel_numbers_are_null_as_in_the_live_sandbox(api: httpx.Client) -> None:
    order = paid_order(api)
    response = api.post(f"/orders/{order['OrderId']}/parcelnumbers",
                        params={"hash": order["Hash"]})  # fmt: skip
    assert response.status_code == 200
    (number,) = response.json()["TrackingNumbers"]
    assert number["TrackingNumber"] is None
    assert isinstance(number["ParcelId"], int)
