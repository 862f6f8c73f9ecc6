"""Schema limits of CreateOrderRequest: every violation names its field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from shipmux.sandboxes.click_and_drop import schemas
from shipmux.sandboxes.click_and_drop.validation import ErrorCode, check, check_create_order
from tests.sandboxes.click_and_drop.factories import create, failed_fields, order


def _with(path: str, value: Any) -> dict[str, Any]:
    """A valid order with the value at a dotted path (``[n]`` indexes lists) replaced."""
    body = order()
    parts = path.replace("]", "").replace("[", ".").split(".")
    target: Any = body
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target.setdefault(part, {})
    if value is _DELETE:
        del target[parts[-1]]
    else:
        target[parts[-1]] = value
    return body


_DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "code"),
    [
        ("orderReference", "x" * 41, ErrorCode.MAX_LENGTH),
        ("recipient.address.addressLine1", "x" * 101, ErrorCode.MAX_LENGTH),
        ("recipient.address.postcode", "x" * 21, ErrorCode.MAX_LENGTH),
        ("recipient.address.countryCode", _DELETE, ErrorCode.REQUIRED),
        ("recipient.emailAddress", "x" * 255, ErrorCode.MAX_LENGTH),
        ("orderDate", _DELETE, ErrorCode.REQUIRED),
        ("orderDate", "yesterday", ErrorCode.INVALID_TYPE),
        ("subtotal", _DELETE, ErrorCode.REQUIRED),
        ("subtotal", 10.005, ErrorCode.DECIMAL_PLACES),
        ("total", -1, ErrorCode.OUT_OF_RANGE),
        ("total", 1000000, ErrorCode.OUT_OF_RANGE),
        ("customsDutyCosts", 100000, ErrorCode.OUT_OF_RANGE),
        ("shippingCostCharged", "3.50", ErrorCode.INVALID_TYPE),
        ("specialInstructions", "x" * 501, ErrorCode.MAX_LENGTH),
        ("deliveryTerm", "FOB", ErrorCode.INVALID_VALUE),
        ("packages[0].weightInGrams", 0, ErrorCode.OUT_OF_RANGE),
        ("packages[0].weightInGrams", 30001, ErrorCode.OUT_OF_RANGE),
        ("packages[0].weightInGrams", 1.5, ErrorCode.INVALID_TYPE),
        ("packages[0].packageFormatIdentifier", "box", ErrorCode.INVALID_VALUE),
        ("packages[0].packageFormatIdentifier", _DELETE, ErrorCode.REQUIRED),
        ("packages[0].dimensions", {"heightInMms": 10, "widthInMms": 0, "depthInMms": 5},
         ErrorCode.NON_ZERO),
        ("packages[0].contents[0].quantity", 0, ErrorCode.OUT_OF_RANGE),
        ("packages[0].contents[0].SKU", "x" * 101, ErrorCode.MAX_LENGTH),
        ("packages[0].contents[0].unitValue", 0.001, ErrorCode.DECIMAL_PLACES),
        ("packages[0].contents[0].customsDeclarationCategory", "saleOfGoods",
         ErrorCode.INVALID_VALUE),
        ("postageDetails.serviceCode", "x" * 11, ErrorCode.MAX_LENGTH),
        ("postageDetails.sendNotificationsTo", "nobody", ErrorCode.INVALID_VALUE),
        ("postageDetails.consequentialLoss", 10001, ErrorCode.OUT_OF_RANGE),
        ("postageDetails.receiveEmailNotification", "yes", ErrorCode.INVALID_TYPE),
        ("tags", [{"key": "k" * 101, "value": "v"}], ErrorCode.MAX_LENGTH),
        ("label", {"includeCN": True}, ErrorCode.REQUIRED),
        ("importer.eoriNumber", "x" * 19, ErrorCode.MAX_LENGTH),
    ],
)  # fmt: skip
def test_each_limit_names_its_field(
    api: httpx.Client, path: str, value: Any, code: ErrorCode
) -> None:
    result = create(api, _with(path, value))
    assert result["successCount"] == 0
    errors = result["failedOrders"][0]["errors"]
    assert [e["errorCode"] for e in errors] == [int(code)], errors
    expected_field = {
        "packages[0].dimensions": "packages[0].dimensions.widthInMms",
        "tags": "tags[0].key",
        "label": "label.includeLabelInResponse",
    }.get(path, path)
    assert failed_fields(result) == [expected_field]


def test_every_violation_is_reported(api: httpx.Client) -> None:
    body = _with("orderReference", "x" * 41)
    body["total"] = -5
    body["packages"][0]["weightInGrams"] = 0
    fields = failed_fields(create(api, body))
    assert sorted(fields) == ["orderReference", "packages[0].weightInGrams", "total"]


def test_offending_value_is_echoed(api: httpx.Client) -> None:
    result = create(api, _with("packages[0].weightInGrams", 30001))
    assert result["failedOrders"][0]["errors"][0]["fields"][0]["value"] == "30001"


@pytest.mark.parametrize("amount", [0, 0.1, 999999, 12.34, 0.30000000000000004])
def test_money_within_limits_is_accepted(api: httpx.Client, amount: float) -> None:
    assert create(api, _with("subtotal", amount))["successCount"] == 1


def test_channel_shipper_may_use_custom_package_formats(channel_shipper_api: httpx.Client) -> None:
    result = create(channel_shipper_api, _with("packages[0].packageFormatIdentifier", "MyBox"))
    assert result["successCount"] == 1


@pytest.mark.parametrize(
    "contents",
    [
        {"SKU": "A", "quantity": 1, "unitValue": 1},
        {"quantity": 1, "unitValue": 1},
        {"quantity": 1},
    ],
)
def test_sku_rules(contents: dict[str, Any]) -> None:
    body = order()
    body["packages"][0]["contents"] = [contents]
    violations = check_create_order(body, custom_package_formats=False)
    assert [v.code for v in violations] == [ErrorCode.INVALID_PRODUCT]


def test_dangerous_goods_description_accepts_text_or_number() -> None:
    assert check_create_order(order(dangerousGoodsDescription="Li-ion"),
                              custom_package_formats=False) == []  # fmt: skip
    assert check_create_order(order(dangerousGoodsDescription=3),
                              custom_package_formats=False) == []  # fmt: skip


def test_check_uses_exact_decimals() -> None:
    money = schemas.Money(Decimal(10))
    assert check(Decimal("9.99"), money, "x") == []
    assert [v.code for v in check(Decimal("9.999"), money, "x")] == [ErrorCode.DECIMAL_PLACES]
    assert check(True, schemas.Int(), "x")[0].code is ErrorCode.INVALID_TYPE
