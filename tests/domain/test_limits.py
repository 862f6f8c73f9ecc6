"""Carrier limits: the strictest wins, and every breach names its field."""

from __future__ import annotations

from shipmux.domain.limits import CarrierLimits, check_order, strictest
from shipmux.domain.orders import Item
from tests.factories import make_order


def test_strictest_takes_smallest_bound_and_any_requirement() -> None:
    a = CarrierLimits(reference_max=40, package_weight_max_grams=30_000)
    b = CarrierLimits(reference_max=50, name_max=35, customs_required_abroad=True)
    merged = strictest(a, b)
    assert merged.reference_max == 40
    assert merged.name_max == 35
    assert merged.package_weight_max_grams == 30_000
    assert merged.customs_required_abroad is True


def test_reference_over_limit_is_named() -> None:
    order = make_order(reference="R" * 41)
    problems = check_order(order, CarrierLimits(reference_max=40))
    assert [(p.field, p.rule) for p in problems] == [("reference", "max_length")]
    assert "40" in problems[0].message


def test_heavy_package_is_named() -> None:
    order = make_order(packages=[{"weight_grams": 40_000}])
    problems = check_order(order, CarrierLimits(package_weight_max_grams=30_000))
    assert [(p.field, p.rule) for p in problems] == [("packages[0].weight_grams", "max_weight")]


def test_order_within_limits_has_no_problems() -> None:
    limits = CarrierLimits(reference_max=40, name_max=210, package_weight_max_grams=30_000)
    assert check_order(make_order(), limits) == []


def test_international_order_needs_customs_per_item() -> None:
    order = make_order(
        recipient={**make_order().recipient.model_dump(), "country": "US"},
        items=[Item(name="Mug", quantity=1)],
    )
    problems = check_order(order, CarrierLimits(customs_required_abroad=True))
    fields = {p.field for p in problems}
    assert {"items[0].customs_description", "items[0].origin_country", "items[0].hs_code"} <= fields
    assert "items[0].unit_weight_grams" in fields


def test_domestic_order_needs_no_customs() -> None:
    assert check_order(make_order(), CarrierLimits(customs_required_abroad=True)) == []
