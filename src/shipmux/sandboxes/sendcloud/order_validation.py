"""Validation of one order of a ``POST /orders`` batch (spec schema ``orders-order``).

Each problem is reported as ``(pointer, detail)``; pointers use the spec's own form,
``/data/attributes/[N]/...`` with the batch index in brackets and nested array indexes
bare (spec examples ``MissingRequiredField`` and ``InvalidFieldValue``). Texts are
Pydantic's, which the live API echoes ("Field required", "Input should be ...").
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from decimal import Decimal
from typing import Any

from shipmux.sandboxes.kit.clock import parse_timestamp

Problems = list[tuple[str, str]]

REQUIRED = "Field required"
CURRENCIES = ("EUR", "GBP", "USD")
WEIGHT_UNITS = ("kg", "g", "lbs", "oz")
ADDRESS_REQUIRED = ("name", "address_line_1", "postal_code", "city", "country_code")


class _Checker:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.problems: Problems = []

    def add(self, path: str, detail: str) -> None:
        self.problems.append((f"{self.prefix}{path}", detail))

    def obj(
        self, parent: dict[str, Any], key: str, path: str, *, required: bool
    ) -> dict[str, Any] | None:
        value = parent.get(key)
        if value is None:
            if required:
                self.add(f"{path}/{key}", REQUIRED)
            return None
        if not isinstance(value, dict):
            self.add(f"{path}/{key}", "Input should be a valid dictionary")
            return None
        return value

    def text(
        self, parent: dict[str, Any], key: str, path: str, *, required: bool, max_length: int = 255
    ) -> str | None:
        value = parent.get(key)
        if value is None:
            if required:
                self.add(f"{path}/{key}", REQUIRED)
            return None
        if not isinstance(value, str):
            self.add(f"{path}/{key}", "Input should be a valid string")
            return None
        if required and not value.strip():
            self.add(f"{path}/{key}", "String should have at least 1 character")
        elif len(value) > max_length:
            self.add(f"{path}/{key}", f"String should have at most {max_length} characters")
        return value

    def choice(self, parent: dict[str, Any], key: str, path: str, options: Collection[str]) -> None:
        value = self.text(parent, key, path, required=True)
        if value is not None and value not in options:
            listed = ", ".join(f"'{option}'" for option in options)
            self.add(f"{path}/{key}", f"Input should be {listed}")

    def number(self, parent: dict[str, Any], key: str, path: str, *, positive: bool) -> None:
        value = parent.get(key)
        if value is None:
            self.add(f"{path}/{key}", REQUIRED)
            return
        try:
            amount = Decimal(str(value)) if isinstance(value, int | str | Decimal) else None
        except ArithmeticError:
            amount = None
        if isinstance(value, bool) or amount is None or not amount.is_finite():
            self.add(f"{path}/{key}", "Input should be a valid number")
        elif positive and amount <= 0:
            self.add(f"{path}/{key}", "Input should be greater than 0")

    def when(self, parent: dict[str, Any], key: str, path: str, *, required: bool) -> None:
        value = parent.get(key)
        if value is None:
            if required:
                self.add(f"{path}/{key}", REQUIRED)
            return
        try:
            parse_timestamp(value)
        except (ValueError, TypeError):
            self.add(f"{path}/{key}", "Input should be a valid datetime")

    def price(self, parent: dict[str, Any], key: str, path: str, *, required: bool) -> None:
        price = self.obj(parent, key, path, required=required)
        if price is not None:
            self.number(price, "value", f"{path}/{key}", positive=False)
            self.choice(price, "currency", f"{path}/{key}", CURRENCIES)


def _status(check: _Checker, parent: dict[str, Any], path: str) -> None:
    status = check.obj(parent, "status", path, required=True)
    if status is not None:
        check.text(status, "code", f"{path}/status", required=True)


def _order_details(check: _Checker, order: dict[str, Any]) -> int | None:
    details = check.obj(order, "order_details", "", required=True)
    if details is None:
        return None
    integration_id: int | None = None
    integration = check.obj(details, "integration", "/order_details", required=True)
    if integration is not None:
        value = integration.get("id")
        if value is None:
            check.add("/order_details/integration/id", REQUIRED)
        elif isinstance(value, bool) or not isinstance(value, int):
            check.add("/order_details/integration/id", "Input should be a valid integer")
        else:
            integration_id = value
    _status(check, details, "/order_details")
    check.when(details, "order_created_at", "/order_details", required=True)
    check.when(details, "order_updated_at", "/order_details", required=False)
    items = details.get("order_items")
    if items is None:
        check.add("/order_details/order_items", REQUIRED)
    elif not isinstance(items, list):
        check.add("/order_details/order_items", "Input should be a valid list")
    else:
        for index, item in enumerate(items):
            path = f"/order_details/order_items/{index}"
            if not isinstance(item, dict):
                check.add(path, "Input should be a valid dictionary")
                continue
            check.text(item, "name", path, required=True)
            check.number(item, "quantity", path, positive=True)
            check.price(item, "total_price", path, required=True)
            check.price(item, "unit_price", path, required=False)
    return integration_id


def _payment_details(check: _Checker, order: dict[str, Any]) -> None:
    payment = check.obj(order, "payment_details", "", required=True)
    if payment is None:
        return
    check.price(payment, "total_price", "/payment_details", required=True)
    _status(check, payment, "/payment_details")
    for key in ("subtotal_price", "estimated_shipping_price", "estimated_tax_price"):
        check.price(payment, key, "/payment_details", required=False)


def _address(check: _Checker, order: dict[str, Any], key: str) -> None:
    address = check.obj(order, key, "", required=False)
    if address is None:
        return
    for field in ADDRESS_REQUIRED:
        check.text(address, field, f"/{key}", required=True)
    country = address.get("country_code")
    if isinstance(country, str) and (len(country) != 2 or not country.isalpha()):
        check.add(f"/{key}/country_code", "Input should be a valid ISO 3166-1 alpha-2 code")


def _shipping_details(
    check: _Checker, order: dict[str, Any], known_code: Callable[[str], bool]
) -> None:
    details = check.obj(order, "shipping_details", "", required=False)
    if details is None:
        return
    ship_with = check.obj(details, "ship_with", "/shipping_details", required=False)
    if ship_with is not None:
        path = "/shipping_details/ship_with"
        check.choice(ship_with, "type", path, ("shipping_option_code",))
        properties = check.obj(ship_with, "properties", path, required=True)
        if properties is not None:
            code = check.text(
                properties, "shipping_option_code", f"{path}/properties", required=True
            )
            if code and not known_code(code):
                check.add(
                    f"{path}/properties/shipping_option_code",
                    f"Shipping option {code} does not exist",
                )
    measurement = check.obj(details, "measurement", "/shipping_details", required=False)
    weight = (
        None
        if measurement is None
        else check.obj(measurement, "weight", "/shipping_details/measurement", required=False)
    )
    if weight is not None:
        check.number(weight, "value", "/shipping_details/measurement/weight", positive=True)
        check.choice(weight, "unit", "/shipping_details/measurement/weight", WEIGHT_UNITS)


def validate_order(
    index: int,
    order: Any,
    *,
    integration_ids: Collection[int],
    known_code: Callable[[str], bool],
) -> tuple[Problems, int | None]:
    """Problems with the ``index``-th order, and its integration id when it has one."""
    check = _Checker(f"/data/attributes/[{index}]")
    if not isinstance(order, dict):
        check.add("", "Input should be a valid dictionary")
        return check.problems, None
    if "id" in order and not isinstance(order["id"], str):
        check.add("/id", "Input should be a valid string")
    check.text(order, "order_id", "", required=True, max_length=64)
    check.text(order, "order_number", "", required=True)
    integration_id = _order_details(check, order)
    _payment_details(check, order)
    _address(check, order, "shipping_address")
    _address(check, order, "billing_address")
    _shipping_details(check, order, known_code)
    if integration_id is not None and integration_id not in integration_ids:
        check.add(
            "/order_details/integration/id", f"Integration with id {integration_id} does not exist"
        )
    return check.problems, integration_id


def parse_moment(value: Any) -> datetime | None:
    try:
        return parse_timestamp(value)
    except (ValueError, TypeError):
        return None
