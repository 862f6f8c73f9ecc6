"""POST /orders: per-order outcomes, statuses, tracking numbers, create-time labels."""

from __future__ import annotations

import base64
import io

import httpx
import pytest
from pypdf import PdfReader

from shipmux.sandboxes.click_and_drop.services import is_valid_s10
from tests.sandboxes.click_and_drop.conftest import api_client, new_key
from tests.sandboxes.click_and_drop.factories import (
    create,
    create_one,
    failed_fields,
    order,
)


def _status(control: httpx.Client, identifier: int) -> str:
    rows = control.get("/orders").json()["orders"]
    return next(row["status"] for row in rows if row["orderIdentifier"] == identifier)


def test_created_order_has_the_spec_shape(api: httpx.Client, control: httpx.Client) -> None:
    result = create(api, order("REF-1"))
    assert (result["successCount"], result["errorsCount"]) == (1, 0)
    created = result["createdOrders"][0]
    assert created["orderIdentifier"] == 1001
    assert created["orderReference"] == "REF-1"
    assert created["createdOn"].endswith("Z")
    assert len(created["createdOn"]) == 27
    assert created["orderDate"] == "2026-03-01T10:00:00.000000Z"
    assert created["printedOn"] is None
    assert created["shippedOn"] is None
    assert created["label"] is None
    assert created["labelErrors"] == []
    tracking = created["trackingNumber"]
    assert is_valid_s10(tracking)
    assert tracking.endswith("GB")
    assert created["packages"] == [{"packageNumber": 1, "trackingNumber": tracking}]
    assert _status(control, 1001) == "postageApplied"


def test_identifiers_are_sequential_per_account(base_url: str, api: httpx.Client) -> None:
    first = create(api, order(), order())["createdOrders"]
    assert [o["orderIdentifier"] for o in first] == [1001, 1002]
    with api_client(base_url, new_key()) as other:
        assert create_one(other)["orderIdentifier"] == 1001
        # Accounts are isolated: the other account cannot see this one's orders.
        assert other.get("/orders/1002").status_code == 404


def test_untracked_service_gets_no_tracking_number(
    api: httpx.Client, control: httpx.Client
) -> None:
    created = create_one(api, order(service_code="BPL1"))
    assert created["trackingNumber"] is None
    assert created["packages"] == [{"packageNumber": 1, "trackingNumber": None}]
    assert _status(control, created["orderIdentifier"]) == "postageApplied"


def test_order_without_service_stays_new(api: httpx.Client, control: httpx.Client) -> None:
    created = create_one(api, order(service_code=None))
    assert created["trackingNumber"] is None
    assert _status(control, created["orderIdentifier"]) == "new"


def test_olp_orders_stay_new(olp_api: httpx.Client, control: httpx.Client) -> None:
    created = create_one(olp_api, order(service_code="OLP1"))
    assert _status(control, created["orderIdentifier"]) == "new"


def test_auto_apply_postage_can_be_switched_off(api: httpx.Client, control: httpx.Client) -> None:
    key = api.headers["Authorization"]
    control.put(f"/accounts/{key}", json={"autoApplyPostage": False}).raise_for_status()
    created = create_one(api)
    assert _status(control, created["orderIdentifier"]) == "new"


def test_oba_account_rejects_olp_service_codes(api: httpx.Client) -> None:
    result = create(api, order(service_code="OLP1"))
    assert failed_fields(result) == ["postageDetails.serviceCode"]


def test_partial_failure_creates_the_valid_orders(api: httpx.Client) -> None:
    bad = order("BAD")
    del bad["recipient"]["address"]["city"]
    result = create(api, order("GOOD"), bad)
    assert (result["successCount"], result["errorsCount"]) == (1, 1)
    assert result["createdOrders"][0]["orderReference"] == "GOOD"
    failed = result["failedOrders"][0]
    assert failed["order"]["orderReference"] == "BAD"
    error = failed["errors"][0]
    assert isinstance(error["errorCode"], int)
    assert error["fields"] == [{"fieldName": "recipient.address.city", "value": None}]
    assert "city" in error["errorMessage"]


def test_duplicate_reference_is_a_failed_order(api: httpx.Client) -> None:
    create_one(api, order("DUP"))
    result = create(api, order("DUP"), order("NEW"), order("NEW"))
    assert [o["orderReference"] for o in result["createdOrders"]] == ["NEW"]
    assert failed_fields(result) == ["orderReference", "orderReference"]
    assert "already exists" in result["failedOrders"][0]["errors"][0]["errorMessage"]


def test_at_most_one_label_per_request(api: httpx.Client, control: httpx.Client) -> None:
    label = {"includeLabelInResponse": True}
    response = api.post("/orders", json={"items": [order(label=label), order(label=label)]})
    assert response.status_code == 400
    assert response.json()["message"] == (
        "Amount of labels across all items must not exceed '1', was '2'"
    )
    assert control.get("/orders").json()["orders"] == []


def test_label_in_response(api: httpx.Client, control: httpx.Client) -> None:
    created = create_one(api, order(label={"includeLabelInResponse": True}))
    pdf = PdfReader(io.BytesIO(base64.b64decode(created["label"])))
    assert created["trackingNumber"] in pdf.pages[0].extract_text()
    assert created["printedOn"] is not None
    assert created["generatedDocuments"] == ["postageLabel"]
    assert _status(control, created["orderIdentifier"]) == "labelGenerated"


def test_label_in_response_for_order_without_postage(api: httpx.Client) -> None:
    created = create_one(api, order(service_code=None, label={"includeLabelInResponse": True}))
    assert created["label"] is None
    assert created["labelErrors"][0]["message"] == (
        "Label generation only available for orders with postage applied status"
    )


def test_label_option_is_forbidden_for_olp(olp_api: httpx.Client) -> None:
    response = olp_api.post(
        "/orders", json={"items": [order(label={"includeLabelInResponse": True})]}
    )
    assert response.status_code == 403
    assert response.json()["message"] == "Feature available for OBA accounts only"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "The items field is required."),
        ({"items": []}, "At least one order is required in items."),
        ({"items": {}}, "The field items must be an array."),
    ],
)
def test_whole_request_errors(api: httpx.Client, body: object, message: str) -> None:
    response = api.post("/orders", json=body)
    assert response.status_code == 400
    assert response.json()["message"] == message


def test_malformed_json_is_400_error_response(api: httpx.Client) -> None:
    response = api.post(
        "/orders", content=b'{"items": [', headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "InvalidJson"
    assert body["message"]


def test_address_book_reference(api: httpx.Client) -> None:
    saved = order(recipient={"address": {**order()["recipient"]["address"], "city": "York"},
                             "addressBookReference": "HOME"})  # fmt: skip
    create_one(api, saved)
    reused = create_one(api, order(recipient={"addressBookReference": "HOME"}))
    assert reused["orderIdentifier"] == 1002
    unknown = create(api, order(recipient={"addressBookReference": "NOPE"}))
    assert failed_fields(unknown) == ["recipient.addressBookReference"]
    neither = create(api, order(recipient={"phoneNumber": "0123"}))
    assert failed_fields(neither) == ["recipient.address"]


def test_stored_product_by_sku(api: httpx.Client) -> None:
    create_one(api)  # stores product W-1 (SKU + unitValue + unitWeightInGrams)
    by_sku = order()
    by_sku["packages"][0]["contents"] = [{"SKU": "W-1", "quantity": 1}]
    create_one(api, by_sku)
    unknown = order()
    unknown["packages"][0]["contents"] = [{"SKU": "NOPE", "quantity": 1}]
    assert failed_fields(create(api, unknown)) == ["packages[0].contents[0].SKU"]
