"""Create-order v3/v4, auth, idempotency (323), validation, async, courier downtime."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.sandboxes.clickpost.conftest import (
    Account,
    advance,
    create,
    new_reference,
    v3_body,
    v4_body,
)


def test_first_use_registers_the_key_and_a_wrong_key_is_301(
    api: httpx.Client, account: Account
) -> None:
    assert create(api, account, v3_body(new_reference()))["meta"]["status"] == 200
    wrong = Account(username=account.username)
    body = create(api, wrong, v3_body(new_reference()))
    assert body["meta"] == {
        "status": 301,
        "message": "Authentication Failed: Invalid Token or API Key",
        "success": False,
    }
    assert body["result"] is None


@pytest.mark.parametrize(
    "params",
    [
        {"username": "ab", "key": "0123456789abcdef"},
        {"username": "good-user", "key": "short"},
        {"username": "good-user", "key": "0123456789 abcdef"},
        {"username": "good-user"},
    ],
)
def test_malformed_credentials_are_301(api: httpx.Client, params: dict[str, str]) -> None:
    response = api.post("/v3/create-order/", params=params, json=v3_body(new_reference()))
    assert response.json()["meta"]["status"] == 301


def test_create_v3_answers_the_documented_shape(api: httpx.Client, account: Account) -> None:
    reference = new_reference()
    body = create(api, account, v3_body(reference))
    assert body["meta"] == {"status": 200, "message": "Order Placed Successfully", "success": True}
    result = body["result"]
    assert result["reference_number"] == reference
    assert result["courier_partner_id"] == 3
    assert result["waybill"].isdigit()
    assert len(result["waybill"]) == 12
    assert result["label"].endswith(f"/labels/{result['waybill']}.pdf")
    assert len(result["security_key"]) == 36
    assert set(result) >= {"courier_name", "sort_code"}


def test_create_v4_answers_the_documented_shape(api: httpx.Client, account: Account) -> None:
    reference = new_reference()
    body = create(api, account, v4_body(reference), version="v4")
    assert body["meta"]["status"] == 200
    assert body["result"]["reference_number"] == reference
    assert body["result"]["courier_partner_id"] == 1
    assert body["result"]["courier_name"] == "Fedex"


def test_a_repeated_reference_is_323_with_the_same_waybill(
    api: httpx.Client, account: Account
) -> None:
    reference = new_reference()
    first = create(api, account, v3_body(reference))["result"]
    again = create(api, account, v3_body(reference))
    assert again["meta"]["status"] == 323
    assert again["meta"]["success"] is False
    assert again["result"]["waybill"] == first["waybill"]
    assert again["result"]["label"] == first["label"]
    # The same reference from another account is that account's own order.
    other = create(api, Account(), v3_body(reference))
    assert other["meta"]["status"] == 200


def _with(body: dict[str, Any], section: str, **changes: Any) -> dict[str, Any]:
    body[section].update(changes)
    return body


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (_with(v3_body("R1"), "shipment_details", order_type="CASH"), 307),
        (_with(v3_body("R2"), "shipment_details", cod_value=0), 315),
        (_with(v3_body("R3"), "shipment_details", order_type="PREPAID"), 315),
        (_with(v3_body("R4"), "shipment_details", items=[]), 312),
        (
            _with(
                v3_body("R5"), "shipment_details", items=[{"sku": "A", "quantity": 0, "price": 1}]
            ),
            313,
        ),
        (_with(v3_body("R6"), "drop_info", drop_pincode="1100"), 314),
        (_with(v3_body("R7"), "pickup_info", pickup_phone="12"), 314),
        (_with(v3_body("R8"), "shipment_details", courier_partner="fedex"), 302),
        (_with(v3_body("R9"), "shipment_details", weight=0.5), 314),
        (_with(v3_body("R10"), "additional", delivery_type="RVP"), 310),
        (_with(v3_body("R11"), "additional", delivery_type="SIDEWAYS"), 309),
        ({"pickup_info": {}}, 314),
        ([1, 2], 328),
    ],
)
def test_validation_failures_use_the_documented_codes(
    api: httpx.Client, account: Account, body: Any, status: int
) -> None:
    answer = create(api, account, body)
    assert answer["meta"]["status"] == status
    assert answer["meta"]["success"] is False
    assert answer["result"] is None


def test_v4_needs_a_currency_and_country_codes(api: httpx.Client, account: Account) -> None:
    body = v4_body(new_reference(), currency_code="pounds")
    assert create(api, account, body, version="v4")["meta"]["status"] == 314
    body = v4_body(new_reference())
    body["drop_info"]["country_code"] = "France"
    assert create(api, account, body, version="v4")["meta"]["status"] == 314


def test_malformed_json_is_328(api: httpx.Client, account: Account) -> None:
    response = api.post("/v3/create-order/", params=account.params, content=b"{nope")
    assert response.json()["meta"]["status"] == 328


def test_account_codes_352_and_351(
    api: httpx.Client, control: httpx.Client, account: Account
) -> None:
    control.put("/settings", json={"courier_account_codes": {"3": ["A1", "B2"]}})
    assert create(api, account, v3_body(new_reference()))["meta"]["status"] == 352
    body = v3_body(new_reference())
    body["additional"]["account_code"] = "ZZ"
    assert create(api, account, body)["meta"]["status"] == 351
    body["additional"]["account_code"] = "B2"
    assert create(api, account, body)["meta"]["status"] == 200


def test_async_order_is_202_then_102_then_323_with_the_waybill(
    api: httpx.Client, control: httpx.Client, account: Account
) -> None:
    reference = new_reference()
    body = v3_body(reference)
    body["additional"]["async"] = True
    queued = create(api, account, body)
    assert queued["meta"] == {
        "status": 202,
        "message": "Order Placed Successfully",
        "success": True,
    }
    assert queued["result"]["waybill"] is None
    assert isinstance(queued["order_id"], int)
    processing = create(api, account, body)
    assert processing["meta"]["status"] == 102
    assert processing["meta"]["message"] == "We are processing your order"
    lookup = api.get("/v3/create-order", params={"key": account.key, "reference_number": reference})
    assert lookup.json()["meta"]["status"] == 102
    advance(control, 30)
    done = create(api, account, body)
    assert done["meta"]["status"] == 323
    waybill = done["result"]["waybill"]
    assert waybill
    assert done["result"]["label"]
    lookup = api.get("/v3/create-order", params={"key": account.key, "reference_number": reference})
    assert lookup.json()["meta"]["status"] == 200
    assert lookup.json()["result"]["waybill"] == waybill


def test_async_can_be_a_courier_setting(
    api: httpx.Client, control: httpx.Client, account: Account
) -> None:
    control.put(
        "/settings", json={"async_courier_partner_ids": [3], "async_processing_seconds": 5}
    ).raise_for_status()
    assert create(api, account, v3_body(new_reference()))["meta"]["status"] == 202
    assert create(api, account, v4_body(new_reference()), "v4")["meta"]["status"] == 200


def test_courier_downtime_refuses_then_recovers_after_the_window(
    api: httpx.Client, control: httpx.Client, account: Account
) -> None:
    response = control.post("/couriers/3/downtime", json={"seconds": 600})
    assert response.status_code == 201
    reference = new_reference()
    refused = create(api, account, v3_body(reference))
    assert refused["meta"]["status"] == 322
    assert "scheduled downtime" in refused["meta"]["message"]
    # Another courier is unaffected; nothing was stored for the refused reference.
    assert create(api, account, v4_body(new_reference()), "v4")["meta"]["status"] == 200
    advance(control, 601)
    assert create(api, account, v3_body(reference))["meta"]["status"] == 200


def test_downtime_can_answer_319(
    api: httpx.Client, control: httpx.Client, account: Account
) -> None:
    control.post("/couriers/3/downtime", json={"seconds": 60, "status": 319})
    assert create(api, account, v3_body(new_reference()))["meta"]["status"] == 319
    control.delete("/couriers/3/downtime").raise_for_status()
    assert create(api, account, v3_body(new_reference()))["meta"]["status"] == 200


def test_find_order_by_awb_and_cp_id(api: httpx.Client, account: Account) -> None:
    reference = new_reference()
    waybill = create(api, account, v3_body(reference))["result"]["waybill"]
    found = api.get("/v3/create-order/", params={"key": account.key, "cp_id": 3, "awb": waybill})
    assert found.json()["result"]["reference_number"] == reference
    assert found.json()["result"]["courier_partner"] == 3
    missing = api.get("/v3/create-order/", params={"key": account.key, "reference_number": "no"})
    assert missing.json()["meta"]["status"] == 330
