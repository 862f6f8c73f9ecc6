"""The canonical order model: units, countries, currencies and the limits of each field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from shipmux.domain.orders import Order
from tests.factories import make_order


def _raw(**overrides: Any) -> dict[str, Any]:
    data = make_order().model_dump(mode="json")
    data.update(overrides)
    return data


def _fields(exc: ValidationError) -> set[str]:
    return {".".join(str(p) for p in e["loc"]) for e in exc.errors()}


def test_valid_order_round_trips_through_json() -> None:
    order = make_order()
    again = Order.model_validate(order.model_dump(mode="json"))
    assert again == order


def test_unknown_country_is_named() -> None:
    raw = _raw()
    raw["recipient"]["country"] = "XX"
    with pytest.raises(ValidationError) as info:
        Order.model_validate(raw)
    assert "recipient.country" in _fields(info.value)
    assert "ISO 3166-1" in str(info.value)


def test_country_is_upper_cased() -> None:
    raw = _raw()
    raw["recipient"]["country"] = "gb"
    assert Order.model_validate(raw).recipient.country == "GB"


@pytest.mark.parametrize("weight", [0, -5])
def test_weight_must_be_positive(weight: int) -> None:
    raw = _raw(packages=[{"weight_grams": weight}])
    with pytest.raises(ValidationError) as info:
        Order.model_validate(raw)
    assert "packages.0.weight_grams" in _fields(info.value)


def test_missing_recipient_is_named() -> None:
    raw = _raw()
    del raw["recipient"]
    with pytest.raises(ValidationError) as info:
        Order.model_validate(raw)
    assert "recipient" in _fields(info.value)


def test_unknown_field_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        Order.model_validate(_raw(colour="blue"))
    assert "colour" in _fields(info.value)


def test_money_has_two_places_at_most() -> None:
    with pytest.raises(ValidationError):
        Order.model_validate(_raw(total="10.005"))
    assert Order.model_validate(_raw(total="10.05")).total == Decimal("10.05")


def test_naive_order_date_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        Order.model_validate(_raw(order_date="2026-01-01T10:00:00"))
    assert "order_date" in _fields(info.value)


def test_international_is_judged_from_sender_country() -> None:
    raw = _raw()
    raw["recipient"]["country"] = "FR"
    assert Order.model_validate(raw).is_international
