"""Sendcloud mapping: the upsert body, JSON pointers to our fields, settings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shipmux.carriers.sendcloud import SendcloudSettings, mapping
from shipmux.carriers.sendcloud import schemas as wire
from tests.factories import make_order

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("pointer", "index", "field"),
    [
        ("/data/3/to_address/postal_code", 3, "recipient.postcode"),
        ("/data/attributes/[1]/shipping_address/postal_code", 1, "recipient.postcode"),
        ("/data/attributes/[0]/shipping_address/country_code", 0, "recipient.country"),
        ("/data/attributes/[1]/order_details/integration", 1, "order"),
        ("/data/attributes/[0]/order_id", 0, "reference"),
        ("/data/attributes/[0]/order_details/order_items/0/quantity", 0, "items[0].quantity"),
        ("/data/attributes/[2]/shipping_details/ship_with/properties", 2, "service_code"),
        (
            "/data/attributes/[0]/shipping_details/ship_with/properties/shipping_option_code",
            0,
            "service_code",
        ),
        ("/data/attributes/[0]/payment_details/total_price/currency", 0, "currency"),
        ("/data/attributes/[0]/billing_address/city", 0, "billing.city"),
        ("/data/attributes/orders/0/order_id", 0, "reference"),
        ("/data/attributes/orders/[1]", 1, "order"),
    ],
)
def test_pointers_name_our_order_and_field(pointer: str, index: int, field: str) -> None:
    error = wire.ErrorObject(code="invalid", detail="bad", source={"pointer": pointer})
    by_order, general = mapping.problems_by_order([error], 5)
    assert general == []
    assert [p.field for p in by_order[index]] == [field]
    assert by_order[index][0].rule == "sendcloud_invalid"


@pytest.mark.parametrize("pointer", [None, "/data", "/data/attributes/", "/data/attributes/[7]/x"])
def test_pointers_that_name_no_order_are_the_whole_requests(pointer: str | None) -> None:
    error = wire.ErrorObject(detail="nope", source={"pointer": pointer} if pointer else None)
    by_order, general = mapping.problems_by_order([error], 5)
    assert by_order == {}
    assert general == [error]


def test_still_processing_is_recognised() -> None:
    detail = "We are still processing a previous request. Please try again in a moment."
    assert mapping.is_still_processing([wire.ErrorObject(detail=detail)])
    assert not mapping.is_still_processing([wire.ErrorObject(detail="Field required")])


def test_the_upsert_body_keys_the_order_by_our_reference() -> None:
    order = make_order(service_code="postnl:standard")
    body = mapping.order_in(order, 77, order.service_code, None, NOW)
    data = body.model_dump(mode="json", exclude_none=True)
    assert data["order_id"] == data["order_number"] == order.reference
    assert data["order_details"]["integration"] == {"id": 77}
    assert data["shipping_address"]["postal_code"] == "SW1A 2AA"
    assert data["shipping_address"]["country_code"] == "GB"
    assert data["payment_details"]["total_price"] == {"value": 21.2, "currency": "GBP"}
    assert data["order_details"]["order_items"][0]["total_price"] == {
        "value": 15.0,
        "currency": "GBP",
    }
    ship_with = data["shipping_details"]["ship_with"]
    assert ship_with == {
        "type": "shipping_option_code",
        "properties": {"shipping_option_code": "postnl:standard"},
    }
    assert data["shipping_details"]["measurement"]["weight"] == {"value": 500.0, "unit": "g"}


def test_orders_sendcloud_would_refuse_are_seen_before_sending() -> None:
    problems = mapping.check_order(make_order(currency="JPY"))
    assert [p.field for p in problems] == ["currency"]
    assert mapping.check_order(make_order()) == []


def test_sandbox_settings_have_fresh_keys_and_a_default_option() -> None:
    a = SendcloudSettings.for_sandbox("http://x/sandbox/sendcloud/")
    b = SendcloudSettings.for_sandbox("http://x/sandbox/sendcloud")
    assert a.base_url == "http://x/sandbox/sendcloud"
    assert a.public_key != b.public_key
    assert a.secret_key.get_secret_value() != b.secret_key.get_secret_value()
    assert a.default_shipping_option
    assert 0 < a.rate_limit_per_second <= 100 / 60
    assert a.secret_key.get_secret_value() in a.secret_values()
