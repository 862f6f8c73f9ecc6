"""Builders of valid domain objects for tests: override only what a test is about."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from shipmux.domain.orders import Address, Item, Order, Package

__all__ = [
    "make_address",
    "make_international_order",
    "make_item",
    "make_order",
    "unique_reference",
]

_counter = itertools.count(1)


def unique_reference(prefix: str = "T") -> str:
    """A short reference no other test uses (Click & Drop keeps at most 40 characters)."""
    return f"{prefix}-{next(_counter):04d}-{uuid.uuid4().hex[:8]}"


def make_address(**overrides: Any) -> Address:
    values: dict[str, Any] = {
        "name": "Ada Lovelace",
        "line1": "10 Downing Street",
        "city": "London",
        "postcode": "SW1A 2AA",
        "country": "GB",
        "phone": "+447700900123",
        "email": "ada@example.com",
    }
    return Address.model_validate(values | overrides)


def make_item(**overrides: Any) -> Item:
    values: dict[str, Any] = {
        "name": "Tea towel",
        "sku": "TT-001",
        "quantity": 2,
        "unit_value": Decimal("7.50"),
        "unit_weight_grams": 120,
    }
    return Item.model_validate(values | overrides)


def _dump(value: Any) -> Any:
    # Accept built models or plain dicts in overrides alike.
    if isinstance(value, Address | Item | Package):
        return value.model_dump()
    if isinstance(value, list):
        return [_dump(v) for v in value]
    return value


def make_order(**overrides: Any) -> Order:
    """A valid domestic GB order: one 500 g parcel, one line of goods, totals that add up."""
    values: dict[str, Any] = {
        "reference": unique_reference(),
        "order_date": datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
        "recipient": make_address().model_dump(),
        "items": [make_item().model_dump()],
        "packages": [{"weight_grams": 500, "format": "small_parcel"}],
        "currency": "GBP",
        "subtotal": Decimal("15.00"),
        "shipping_cost": Decimal("3.20"),
        "tax": Decimal("3.00"),
        "total": Decimal("21.20"),
        "service_code": "TPN24",
    }
    values.update({k: _dump(v) for k, v in overrides.items()})
    return Order.model_validate(values)


def make_international_order(**overrides: Any) -> Order:
    """A valid order from GB to Germany with everything customs asks for."""
    values: dict[str, Any] = {
        "recipient": make_address(
            name="Max Mustermann",
            line1="Unter den Linden 1",
            city="Berlin",
            postcode="10117",
            country="DE",
            phone="+49301234567",
            email="max@example.de",
        ),
        "items": [
            make_item(
                hs_code="630260",
                origin_country="GB",
                customs_description="Cotton tea towels",
                customs_category="sale_of_goods",
            )
        ],
        "service_code": "MTI",
        "customs": {
            "ioss_number": "IM2760000742",
            "invoice_number": "INV-1001",
            "invoice_date": datetime(2026, 3, 2, tzinfo=UTC),
            "delivery_terms": "IOSS_DDU",
        },
    }
    return make_order(**(values | overrides))
