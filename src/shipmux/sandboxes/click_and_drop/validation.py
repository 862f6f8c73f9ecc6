"""Request validation following the spec's schema limits, with errors naming each field.

``check()`` walks a JSON value against a ``schemas`` definition and returns every
violation (not just the first), each with the dotted JSON path of the field
(``packages[0].contents[1].SKU``), an integer error code and a message.
``check_create_order()`` adds the rules the spec states in prose: non-zero dimensions,
the SKU rules, the recipient/address-book rules, package formats.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum
from typing import Any

from shipmux.sandboxes.click_and_drop import schemas
from shipmux.sandboxes.click_and_drop.schemas import (
    Arr,
    Bool,
    DateTime,
    Int,
    Money,
    Number,
    Obj,
    Schema,
    Str,
    StrOrNumber,
)
from shipmux.sandboxes.kit.clock import parse_timestamp

# Float noise such as 0.30000000000000004 still counts as two decimal places; 10.005 does not.
_CENT_TOLERANCE = Decimal("0.000001")


class ErrorCode(IntEnum):
    """``errorCode`` values in ``failedOrders`` (undocumented upstream; the sandbox's own)."""

    REQUIRED = 1001
    INVALID_TYPE = 1002
    MAX_LENGTH = 1003
    OUT_OF_RANGE = 1004
    INVALID_VALUE = 1005
    DECIMAL_PLACES = 1006
    NON_ZERO = 1007
    INVALID_PRODUCT = 1008
    INVALID_RECIPIENT = 1009
    DUPLICATE_REFERENCE = 1010
    SERVICE_NOT_AVAILABLE = 1011


@dataclass(frozen=True, slots=True)
class Violation:
    code: ErrorCode
    field: str
    message: str
    value: str | None = None


def render_value(value: object) -> str | None:
    """The offending value as the string the spec's ``OrderFieldResponse.value`` carries."""
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def is_integer(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return value.is_integer()
    return isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value()


def is_number(value: object) -> bool:
    # HTTP bodies are parsed with Decimal floats; in-process callers may pass float.
    return not isinstance(value, bool) and isinstance(value, (int, float, Decimal))


def check(value: Any, schema: Schema, path: str) -> list[Violation]:
    """Every violation of ``schema`` in ``value`` (``None`` means absent and is not checked)."""
    if value is None:
        return []
    match schema:
        case Obj():
            return _check_object(value, schema, path)
        case Arr():
            return _check_array(value, schema, path)
        case Str():
            return _check_string(value, schema, path)
        case Int():
            return _check_int(value, schema, path)
        case Money():
            return _check_money(value, schema, path)
        case StrOrNumber():
            if is_number(value):
                return []
            return _check_string(value, Str(schema.max_length), path)
        case Number():
            return [] if is_number(value) else [_type_error(path, value, "a number")]
        case Bool():
            return [] if isinstance(value, bool) else [_type_error(path, value, "a boolean")]
        case DateTime():
            return _check_datetime(value, path)


def _type_error(path: str, value: object, expected: str) -> Violation:
    return Violation(
        ErrorCode.INVALID_TYPE, path, f"The field {path} must be {expected}.", render_value(value)
    )


def _check_object(value: Any, schema: Obj, path: str) -> list[Violation]:
    if not isinstance(value, Mapping):
        return [_type_error(path or "order", value, "an object")]
    found: list[Violation] = []
    for name in schema.required:
        if value.get(name) is None:
            field = _join(path, name)
            found.append(Violation(ErrorCode.REQUIRED, field, f"The {field} field is required."))
    for name, child in schema.properties.items():
        found.extend(check(value.get(name), child, _join(path, name)))
    return found


def _check_array(value: Any, schema: Arr, path: str) -> list[Violation]:
    if not isinstance(value, list):
        return [_type_error(path, value, "an array")]
    found: list[Violation] = []
    if schema.max_items is not None and len(value) > schema.max_items:
        found.append(
            Violation(
                ErrorCode.OUT_OF_RANGE,
                path,
                f"The maximum collection length of {path} is {schema.max_items}, was {len(value)}.",
            )
        )
    for index, item in enumerate(value):
        found.extend(check(item, schema.items, f"{path}[{index}]"))
    return found


def _check_string(value: Any, schema: Str, path: str) -> list[Violation]:
    if not isinstance(value, str):
        return [_type_error(path, value, "a string")]
    if schema.max_length is not None and len(value) > schema.max_length:
        return [
            Violation(
                ErrorCode.MAX_LENGTH,
                path,
                f"The field {path} must be a string with a maximum length of {schema.max_length}.",
                value,
            )
        ]
    if schema.enum is not None and value not in schema.enum:
        allowed = ", ".join(schema.enum)
        return [
            Violation(
                ErrorCode.INVALID_VALUE,
                path,
                f"The field {path} must be one of: {allowed}.",
                value,
            )
        ]
    return []


def _out_of_range(path: str, value: object, low: object, high: object) -> Violation:
    return Violation(
        ErrorCode.OUT_OF_RANGE,
        path,
        f"The field {path} must be between {low} and {high}.",
        render_value(value),
    )


def _check_int(value: Any, schema: Int, path: str) -> list[Violation]:
    if not is_integer(value):
        return [_type_error(path, value, "an integer")]
    number = int(value)
    too_low = schema.minimum is not None and number < schema.minimum
    too_high = schema.maximum is not None and number > schema.maximum
    if too_low or too_high:
        return [_out_of_range(path, value, schema.minimum, schema.maximum)]
    return []


def _check_money(value: Any, schema: Money, path: str) -> list[Violation]:
    if not is_number(value):
        return [_type_error(path, value, "a number")]
    amount = Decimal(value)
    if not schema.minimum <= amount <= schema.maximum:
        return [_out_of_range(path, value, schema.minimum, schema.maximum)]
    cents = amount * 100
    if abs(cents - cents.to_integral_value()) > _CENT_TOLERANCE:
        return [
            Violation(
                ErrorCode.DECIMAL_PLACES,
                path,
                f"The field {path} must be a multiple of 0.01.",
                render_value(value),
            )
        ]
    return []


def _check_datetime(value: Any, path: str) -> list[Violation]:
    try:
        parse_timestamp(value)
    except (TypeError, ValueError):
        return [_type_error(path, value, "an ISO 8601 date-time")]
    return []


# --- rules the spec states in prose -------------------------------------------------------


def check_create_order(order: Any, *, custom_package_formats: bool) -> list[Violation]:
    """Schema plus prose rules for one ``CreateOrderRequest`` item."""
    found = check(order, schemas.CREATE_ORDER_REQUEST, "")
    if not isinstance(order, Mapping):
        return found
    found.extend(_check_recipient(order.get("recipient")))
    packages = order.get("packages")
    if isinstance(packages, list):
        for index, package in enumerate(packages):
            if isinstance(package, Mapping):
                path = f"packages[{index}]"
                found.extend(_check_package(package, path, custom_package_formats))
    return found


def _check_recipient(recipient: Any) -> list[Violation]:
    # Spec, addressBookReference: an address, a reference, or both; "All other scenarios
    # will result in a validation error".
    if not isinstance(recipient, Mapping):
        return []
    if recipient.get("address") is None and recipient.get("addressBookReference") is None:
        return [
            Violation(
                ErrorCode.INVALID_RECIPIENT,
                "recipient.address",
                "Either a valid recipient address or an addressBookReference must be provided.",
            )
        ]
    return []


def _check_package(package: Mapping[str, Any], path: str, custom_formats: bool) -> list[Violation]:
    found: list[Violation] = []
    fmt = package.get("packageFormatIdentifier")
    if isinstance(fmt, str) and not custom_formats and fmt not in schemas.PACKAGE_FORMATS:
        field = f"{path}.packageFormatIdentifier"
        allowed = ", ".join(schemas.PACKAGE_FORMATS)
        found.append(
            Violation(
                ErrorCode.INVALID_VALUE, field, f"The field {field} must be one of: {allowed}.", fmt
            )
        )
    found.extend(_check_dimensions(package.get("dimensions"), f"{path}.dimensions"))
    contents = package.get("contents")
    if isinstance(contents, list):
        for index, item in enumerate(contents):
            if isinstance(item, Mapping):
                found.extend(_check_product(item, f"{path}.contents[{index}]"))
    return found


def _check_dimensions(dimensions: Any, path: str) -> list[Violation]:
    # Spec, DimensionsRequest: if present, all three "must be specified with non-zero values".
    if not isinstance(dimensions, Mapping):
        return []
    found: list[Violation] = []
    for name in ("heightInMms", "widthInMms", "depthInMms"):
        value: Any = dimensions.get(name)
        if is_integer(value) and int(value) <= 0:
            field = f"{path}.{name}"
            found.append(
                Violation(
                    ErrorCode.NON_ZERO,
                    field,
                    f"The field {field} must be a non-zero positive value.",
                    render_value(value),
                )
            )
    return found


def _check_product(item: Mapping[str, Any], path: str) -> list[Violation]:
    # Spec, ProductItemRequest.SKU: SKU+unitValue+unitWeightInGrams (upsert), SKU alone (use
    # the stored product), or unitValue+unitWeightInGrams without SKU; anything else fails.
    has_sku = item.get("SKU") is not None
    has_value = item.get("unitValue") is not None
    has_weight = item.get("unitWeightInGrams") is not None
    if has_value == has_weight and (has_sku or has_value):
        return []
    return [
        Violation(
            ErrorCode.INVALID_PRODUCT,
            f"{path}.SKU" if has_sku else f"{path}.unitValue",
            "A product needs SKU, unitValue and unitWeightInGrams; or SKU alone for a stored "
            "product; or unitValue and unitWeightInGrams without SKU.",
        )
    ]
