"""Builders of Click & Drop request bodies for the tests."""

from __future__ import annotations

import itertools
from typing import Any

import httpx

_counter = itertools.count(1)


def address(**overrides: Any) -> dict[str, Any]:
    return {
        "fullName": "Jane Doe",
        "addressLine1": "1 High Street",
        "city": "London",
        "postcode": "SW1A 1AA",
        "countryCode": "GB",
        **overrides,
    }


def order(
    reference: str | None = None,
    *,
    service_code: str | None = "TPN24",
    weight: int = 500,
    package_format: str = "smallParcel",
    **overrides: Any,
) -> dict[str, Any]:
    """A valid CreateOrderRequest; by default tracked (TPN24) and ready for postage."""
    body: dict[str, Any] = {
        "orderReference": reference or f"T-{next(_counter):05d}",
        "recipient": {"address": address(), "emailAddress": "jane@example.com"},
        "sender": {"tradingName": "Acme Ltd"},
        "orderDate": "2026-03-01T10:00:00Z",
        "subtotal": 20,
        "shippingCostCharged": 3.5,
        "total": 23.5,
        "currencyCode": "GBP",
        "packages": [
            {
                "weightInGrams": weight,
                "packageFormatIdentifier": package_format,
                "contents": [
                    {
                        "name": "Widget",
                        "SKU": "W-1",
                        "quantity": 2,
                        "unitValue": 10,
                        "unitWeightInGrams": 200,
                    }
                ],
            }
        ],
    }
    if service_code is not None:
        body["postageDetails"] = {"serviceCode": service_code}
    body.update(overrides)
    return body


def create(client: httpx.Client, *orders: dict[str, Any]) -> dict[str, Any]:
    """POST /orders and return the 200 body."""
    response = client.post("/orders", json={"items": list(orders)})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def create_one(client: httpx.Client, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """Create one order that must succeed; return its CreateOrderResponse."""
    result = create(client, body or order())
    assert result["failedOrders"] == [], result["failedOrders"]
    created: dict[str, Any] = result["createdOrders"][0]
    return created


def failed_fields(result: dict[str, Any]) -> list[str]:
    return [
        field["fieldName"]
        for failed in result["failedOrders"]
        for error in failed["errors"]
        for field in error["fields"]
    ]
