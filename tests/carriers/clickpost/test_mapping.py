"""Pure translations: our order -> v3/v4 bodies, refusals -> our fields, times, scans."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shipmux.carriers.base import TrackingStage
from shipmux.carriers.clickpost import ClickpostSettings, mapping
from shipmux.carriers.clickpost import schemas as wire
from shipmux.domain.orders import Address, Order
from tests.factories import make_address, make_order

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

INDIAN_PICKUP = Address(
    name="Deepanshu",
    line1="A-228 top floor kalkaji",
    city="New Delhi",
    county="DELHI",
    postcode="110019",
    country="IN",
    phone="9816691388",
    email="ops@example.in",
)


def settings(**overrides: Any) -> ClickpostSettings:
    return ClickpostSettings.for_sandbox("http://sandbox.test", **overrides)


def indian_order(**overrides: Any) -> Order:
    recipient = make_address(
        name="Prashant",
        line1="F-68 third floor kalkaji",
        city="Delhi",
        county="DELHI",
        postcode="110020",
        country="IN",
        phone="+91 97177 32407",
    )
    values: dict[str, Any] = {"recipient": recipient, "currency": "INR", "service_code": None}
    return make_order(**(values | overrides))


def body_json(order: Order, account: ClickpostSettings, pickup: Address) -> dict[str, Any]:
    courier = account.courier_for(order.service_code)
    assert courier is not None
    body = mapping.create_body(order, pickup, courier, account, NOW)
    return body.model_dump(mode="json", by_alias=True, exclude_none=True)


# --- v4 ------------------------------------------------------------------------------------


def test_v4_body_carries_reference_courier_box_and_parties() -> None:
    account = settings()
    order = make_order(
        service_code="express",
        packages=[
            {
                "weight_grams": 1234,
                "dimensions": {"length_mm": 301, "width_mm": 200, "height_mm": 95},
            }
        ],
    )
    body = body_json(order, account, account.pickup_address or INDIAN_PICKUP)
    details = body["shipment_details"]
    assert details["reference_number"] == order.reference
    assert details["courier_partner"] == 2
    assert details["account_code"] == "sandbox-express"
    assert body["additional"]["account_code"] == "sandbox-express"
    assert (details["length"], details["breadth"], details["height"]) == (31, 20, 10)
    assert details["weight"] == 1234
    assert details["order_type"] == "PREPAID"
    assert details["cod_value"] == 0
    assert details["currency_code"] == "GBP"
    assert details["invoice_value"] == 15.0
    assert details["items"][0] == {
        "sku": "TT-001",
        "description": "Tea towel",
        "quantity": 2,
        "price": 7.5,
        "weight": 120,
    }
    drop = body["drop_info"]
    assert drop["phone_code"] == "+44"
    assert drop["phone"] == "7700900123"
    assert drop["country_code"] == "GB"
    assert drop["postal_code"] == "SW1A 2AA"
    assert body["pickup_info"]["time"] == "2026-03-02T10:00:00Z"
    assert body["return_info"]["name"] == body["pickup_info"]["name"]
    assert body["additional"]["async"] is False


def test_v4_without_dimensions_sends_the_accounts_box() -> None:
    account = settings(default_box_cm={"length": 30, "breadth": 20, "height": 5})
    body = body_json(make_order(service_code=None), account, INDIAN_PICKUP)
    details = body["shipment_details"]
    assert (details["length"], details["breadth"], details["height"]) == (30, 20, 5)
    assert details["courier_partner"] == 1


# --- v3 ------------------------------------------------------------------------------------


def test_v3_body_speaks_indian_fields_and_gst() -> None:
    account = settings(api_version="v3", pickup_address=INDIAN_PICKUP, gstin="07AAACB1234C1Z5")
    order = indian_order()
    assert mapping.check_order(order, INDIAN_PICKUP, account) == []
    body = body_json(order, account, INDIAN_PICKUP)
    assert body["pickup_info"]["pickup_pincode"] == "110019"
    assert body["pickup_info"]["pickup_phone"] == "9816691388"
    assert body["pickup_info"]["tin"] == "07AAACB1234C1Z5"
    assert body["drop_info"]["drop_phone"] == "9717732407"
    assert body["drop_info"]["drop_state"] == "DELHI"
    assert body["gst_info"]["seller_gstin"] == "07AAACB1234C1Z5"
    assert body["gst_info"]["is_seller_registered_under_gst"] is True
    assert body["gst_info"]["gst_total_tax"] == 3.0
    assert body["additional"]["return_info"]["pincode"] == "110019"
    assert body["shipment_details"]["reference_number"] == order.reference


def test_v3_refuses_what_is_not_indian_before_any_call() -> None:
    account = settings(api_version="v3", pickup_address=INDIAN_PICKUP)
    problems = mapping.check_order(make_order(service_code=None), INDIAN_PICKUP, account)
    fields = {p.field for p in problems}
    assert {"recipient.country", "recipient.postcode", "recipient.county"} <= fields


# --- checks --------------------------------------------------------------------------------


def test_an_unknown_service_code_is_refused_on_service_code() -> None:
    account = settings()
    [problem] = mapping.check_order(make_order(service_code="TPN24"), INDIAN_PICKUP, account)
    assert problem.field == "service_code"
    assert "TPN24" in problem.message


def test_no_phone_and_no_pickup_are_refused() -> None:
    account = settings(pickup_address=None)
    order = make_order(service_code=None, recipient=make_address(phone=None))
    fields = {p.field for p in mapping.check_order(order, None, account)}
    assert fields == {"sender", "recipient.phone"}


def test_more_than_one_box_is_refused() -> None:
    order = make_order(service_code=None, packages=[{"weight_grams": 100}, {"weight_grams": 200}])
    fields = {p.field for p in mapping.check_order(order, INDIAN_PICKUP, settings())}
    assert "packages" in fields


@pytest.mark.parametrize(
    ("phone", "country", "parts"),
    [
        ("+447700900123", "GB", ("+44", "7700900123")),
        ("07700 900123", "GB", ("+44", "07700900123")),
        ("0049 30 1234567", "DE", ("+49", "301234567")),
        ("+1 555 0100", "ZZ", (None, "15550100")),
        (None, "GB", (None, "")),
    ],
)
def test_phone_parts(phone: str | None, country: str, parts: tuple[str | None, str]) -> None:
    assert mapping.phone_parts(phone, country) == parts


# --- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "message", "field"),
    [
        (
            314,
            "Invalid Format Of Order Data: drop_info.postal_code is required",
            "recipient.postcode",
        ),
        (314, "Invalid Format Of Order Data: pickup_info.phone is longer than 20", "sender.phone"),
        (
            314,
            "Invalid Format Of Order Data: shipment_details.weight must be a positive integer",
            "packages[0].weight_grams",
        ),
        (312, "Items Data is missing from order details: shipment_details.items", "items"),
        (302, "Invalid Courier Partner Id with Field cp_id", "service_code"),
        (352, "Multiple Account exist: pass account_code", "service_code"),
        (315, "Invalid Cod Value", "total"),
        (
            319,
            "Error In Order Placing To Courier Partner: pincode 999999 not serviceable",
            "recipient.postcode",
        ),
        (319, "Error In Order Placing To Courier Partner", "order"),
        (328, "Invalid POST data: something odd", "order"),
    ],
)
def test_refusals_name_our_fields_and_keep_clickposts_words(
    code: int, message: str, field: str
) -> None:
    [problem] = mapping.problems_from_refusal(code, message)
    assert problem.field == field
    assert problem.rule == f"clickpost_{code}"
    assert problem.message == message


def test_a_result_listing_fields_gives_one_problem_each() -> None:
    problems = mapping.problems_from_refusal(
        314, "Invalid data", {"drop_pincode": "invalid", "pickup_phone": ["too short"]}
    )
    assert [p.field for p in problems] == ["recipient.postcode", "sender.phone"]


# --- downtime ------------------------------------------------------------------------------


def test_downtime_is_recognised_with_its_end() -> None:
    text = (
        "Internal Server Error In Courier Partners Server, Try Again: Fedex is in scheduled"
        " downtime until 2026-03-02T11:30:00.000000Z"
    )
    assert mapping.is_downtime(text)
    assert mapping.downtime_end(text, None, NOW) == 5400


def test_downtime_end_from_the_result_and_naive_times_are_ist() -> None:
    assert mapping.downtime_end("down", {"downtime_end": "2026-03-02 16:00:00"}, NOW) == 1800


def test_a_plain_courier_error_is_no_downtime() -> None:
    assert not mapping.is_downtime("Error In Order Placing To Courier Partner")


# --- times and scans -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2019-05-06T10:04:20Z", datetime(2019, 5, 6, 10, 4, 20, tzinfo=UTC)),
        ("2018-07-07 19:34:46", datetime(2018, 7, 7, 14, 4, 46, tzinfo=UTC)),
        ("2019-04-29 07:47:07.161221", datetime(2019, 4, 29, 2, 17, 7, 161221, tzinfo=UTC)),
        ("2020-01-01T00:00:00+01:00", datetime(2019, 12, 31, 23, 0, tzinfo=UTC)),
        ("not a time", None),
        (None, None),
    ],
)
def test_parse_time(raw: str | None, expected: datetime | None) -> None:
    assert mapping.parse_time(raw) == expected


def test_scans_become_events_oldest_first_unknown_codes_left_out() -> None:
    record = wire.TrackRecord.model_validate(
        {
            "valid": True,
            "scans": [
                {
                    "clickpost_status_code": 8,
                    "remark": "Delivered",
                    "timestamp": "2018-07-07 19:34:46",
                },
                {"clickpost_status_code": 999, "timestamp": "2018-07-07 12:00:00"},
                {
                    "clickpost_status_code": 4,
                    "status": "Picked",
                    "location": "GUNJAN",
                    "timestamp": "2018-07-07 02:25:34",
                },
            ],
        }
    )
    events = mapping.tracking_events(record, "SF1", "Asia/Kolkata")
    assert [e.stage for e in events] == [TrackingStage.COLLECTED, TrackingStage.DELIVERED]
    assert events[0].location == "GUNJAN"
    assert events[0].description == "Picked"
    assert events[1].carrier_code == "8"
    assert events[1].occurred_at - events[0].occurred_at == timedelta(hours=17, seconds=552)


def test_an_order_from_a_323_answer() -> None:
    result = wire.CreateOrderResult.model_validate(
        {
            "waybill": 785578015860,
            "label": "https://s3/x.pdf",
            "security_key": "abc",
            "courier_partner_id": 2,
        }
    )
    courier = settings().courier_for("express")
    order = mapping.carrier_order_from_result(result, "REF-1", courier, "express")
    assert order.carrier_order_id == order.tracking_number == order.carrier_shipment_ref
    assert order.carrier_order_id == "785578015860"
    assert order.carrier_data == {
        "cp_id": "2",
        "account_code": "sandbox-express",
        "security_key": "abc",
        "label_url": "https://s3/x.pdf",
    }
    with pytest.raises(ValueError, match="waybill"):
        mapping.carrier_order_from_result(wire.CreateOrderResult(), "REF-1", courier, None)
