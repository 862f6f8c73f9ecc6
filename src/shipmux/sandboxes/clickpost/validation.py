"""Check a create-order body (v3 India or v4 international) the way _create.md describes.

The first problem found is reported with its documented ``meta.status`` (307-315, 302,
314 for shape and field rules) and the field at fault appended to the message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from shipmux.sandboxes.clickpost.couriers import courier_partner_id

ApiVersion = Literal["v3", "v4"]

_PHONE = re.compile(r"^\d{10,11}$")
_PINCODE = re.compile(r"^\d{6}$")
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")


class Invalid(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True, slots=True)
class ShipmentRequest:
    """What the sandbox keeps from a valid create-order body."""

    reference_number: str
    courier_partner_id: int
    account_code: str | None
    is_async: bool
    wants_label: bool
    is_rvp: bool
    pickup_city: str
    drop_city: str
    drop_name: str


def _object(body: dict[str, Any], name: str, *, required: bool = True) -> dict[str, Any]:
    value = body.get(name)
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise Invalid(314, f"{name} must be an object")
    return value


def _text(section: dict[str, Any], where: str, name: str, max_length: int) -> str:
    value = section.get(name)
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise Invalid(314, f"{where}.{name} is required")
    if len(value) > max_length:
        raise Invalid(314, f"{where}.{name} is longer than {max_length} characters")
    return value


def _matching(
    section: dict[str, Any], where: str, name: str, pattern: re.Pattern[str], what: str
) -> str:
    value = _text(section, where, name, 50)
    if not pattern.match(value):
        raise Invalid(314, f"{where}.{name} must be {what}")
    return value


def _number(section: dict[str, Any], where: str, name: str, *, required: bool = True) -> Decimal:
    value = section.get(name)
    if value is None and not required:
        return Decimal(0)
    if isinstance(value, bool):
        raise Invalid(314, f"{where}.{name} must be a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise Invalid(314, f"{where}.{name} must be a number") from None
    if not number.is_finite():
        raise Invalid(314, f"{where}.{name} must be a number")
    return number


def _positive_integer(section: dict[str, Any], where: str, name: str) -> None:
    value = section.get(name)
    if isinstance(value, bool) or not isinstance(value, int | Decimal) or value <= 0:
        raise Invalid(314, f"{where}.{name} must be a positive integer")
    if isinstance(value, Decimal) and value != value.to_integral_value():
        raise Invalid(314, f"{where}.{name} must be a positive integer")


def _v3_parties(body: dict[str, Any]) -> tuple[str, str, str]:
    pickup = _object(body, "pickup_info")
    for field, limit in (
        ("pickup_name", 100),
        ("pickup_address", 500),
        ("pickup_city", 200),
        ("pickup_state", 200),
        ("pickup_country", 100),
    ):
        _text(pickup, "pickup_info", field, limit)
    _matching(pickup, "pickup_info", "pickup_phone", _PHONE, "a 10/11 digit phone number")
    _matching(pickup, "pickup_info", "pickup_pincode", _PINCODE, "a 6 digit pincode")
    if pickup.get("pickup_time") is not None:
        _iso_datetime(pickup, "pickup_info", "pickup_time")
    drop = _object(body, "drop_info")
    for field, limit in (
        ("drop_name", 100),
        ("drop_address", 500),
        ("drop_city", 200),
        ("drop_state", 200),
        ("drop_country", 200),
    ):
        _text(drop, "drop_info", field, limit)
    _matching(drop, "drop_info", "drop_phone", _PHONE, "a 10/11 digit phone number")
    _matching(drop, "drop_info", "drop_pincode", _PINCODE, "a 6 digit pincode")
    _object(body, "gst_info", required=False)
    return pickup["pickup_city"], drop["drop_city"], drop["drop_name"]


def _v4_party(body: dict[str, Any], name: str, *, required: bool) -> dict[str, Any]:
    party = _object(body, name, required=required)
    if not party:
        return party
    for field, limit in (("name", 100), ("address", 500), ("city", 200), ("postal_code", 50)):
        _text(party, name, field, limit)
    _text(party, name, "phone", 20)
    _matching(party, name, "country_code", _COUNTRY, "an ISO 3166 alpha-2 country code")
    return party


def _v4_parties(body: dict[str, Any]) -> tuple[str, str, str]:
    pickup = _v4_party(body, "pickup_info", required=True)
    if pickup.get("time") is not None:
        _iso_datetime(pickup, "pickup_info", "time")
    drop = _v4_party(body, "drop_info", required=True)
    _v4_party(body, "return_info", required=False)
    _object(body, "tax_info", required=False)
    return pickup["city"], drop["city"], drop["name"]


def _iso_datetime(section: dict[str, Any], where: str, name: str) -> None:
    value = section.get(name)
    try:
        datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(314, f"{where}.{name} must be an ISO date-time") from None


def _items(details: dict[str, Any]) -> None:
    items = details.get("items")
    if items is None or items == []:
        raise Invalid(312, "shipment_details.items")
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise Invalid(313, "shipment_details.items must be a list of objects")
    for index, item in enumerate(items):
        where = f"shipment_details.items[{index}]"
        if not isinstance(item.get("sku"), str) and not isinstance(item.get("description"), str):
            raise Invalid(313, f"{where} needs a sku or a description")
        quantity = item.get("quantity")
        try:
            count = int(str(quantity))
        except ValueError:
            raise Invalid(313, f"{where}.quantity must be an integer > 0") from None
        if count <= 0:
            raise Invalid(313, f"{where}.quantity must be an integer > 0")
        if _number(item, where, "price") < 0:
            raise Invalid(313, f"{where}.price must not be negative")


def _payment(details: dict[str, Any], version: ApiVersion) -> None:
    order_type = details.get("order_type")
    if order_type not in ("COD", "PREPAID", "EXCHANGE"):
        raise Invalid(307, f"order_type {order_type!r} (COD, PREPAID or EXCHANGE)")
    # v4's field list says cod_amount, its sample says cod_value: either is read.
    key = "cod_amount" if version == "v4" and "cod_value" not in details else "cod_value"
    cod = _number(details, "shipment_details", key, required=order_type == "COD")
    if order_type == "COD" and cod <= 0:
        raise Invalid(315, f"{key} must be greater than 0 for COD")
    if order_type == "PREPAID" and cod != 0:
        raise Invalid(315, f"{key} must be 0 for PREPAID")


def _shipment(details: dict[str, Any], version: ApiVersion) -> tuple[str, int]:
    reference = _text(details, "shipment_details", "reference_number", 50)
    for field in ("length", "breadth", "height", "weight"):
        _positive_integer(details, "shipment_details", field)
    if _number(details, "shipment_details", "invoice_value") < 0:
        raise Invalid(314, "shipment_details.invoice_value must not be negative")
    invoice_date = details.get("invoice_date")
    if invoice_date is not None:
        try:
            date.fromisoformat(str(invoice_date))
        except ValueError:
            raise Invalid(314, "shipment_details.invoice_date must be YYYY-MM-DD") from None
    if version == "v4":
        _matching(details, "shipment_details", "currency_code", _CURRENCY, "an ISO 4217 code")
    _payment(details, version)
    _items(details)
    courier = courier_partner_id(details.get("courier_partner"))
    if courier is None:
        raise Invalid(302, "shipment_details.courier_partner must be a positive integer")
    return reference, courier


def _account_code(details: dict[str, Any], additional: dict[str, Any]) -> str | None:
    # Research §2.2: the 2020 docs put it in additional, the current ones in
    # shipment_details; both are read, additional first.
    for section in (additional, details):
        value = section.get("account_code")
        if isinstance(value, str) and value.strip():
            return value
    return None


def parse_create_order(body: Any, version: ApiVersion) -> ShipmentRequest:
    if not isinstance(body, dict):
        raise Invalid(328, "the body must be a JSON object")
    if version == "v3":
        pickup_city, drop_city, drop_name = _v3_parties(body)
    else:
        pickup_city, drop_city, drop_name = _v4_parties(body)
    details = _object(body, "shipment_details")
    reference, courier = _shipment(details, version)
    additional = _object(body, "additional", required=False)
    delivery_type = additional.get("delivery_type", details.get("delivery_type", "FORWARD"))
    if delivery_type not in ("FORWARD", "RVP"):
        raise Invalid(309, f"delivery_type {delivery_type!r} (FORWARD or RVP)")
    if delivery_type == "RVP" and not additional.get("rvp_reason"):
        raise Invalid(310, "additional.rvp_reason")
    return ShipmentRequest(
        reference_number=reference,
        courier_partner_id=courier,
        account_code=_account_code(details, additional),
        is_async=additional.get("async") is True,
        wants_label=additional.get("label") is not False,
        is_rvp=delivery_type == "RVP",
        pickup_city=str(pickup_city),
        drop_city=str(drop_city),
        drop_name=str(drop_name),
    )
