"""The sandbox's small, fixed catalogue of shipping options (``POST /shipping-options``).

Codes follow Sendcloud's ``carrier:product/functionality`` form (spec examples use
``postnl:standard`` and ``postnl:standard/signature``). Prices are deterministic:
``base`` plus 1.00 per started kilogram above 2 kg. ``sandbox:announcement-failure``
is ours: labels requested with it fail their announcement (a 201 with
``ANNOUNCEMENT_FAILED``), so the failure can be produced on purpose.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

EU = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
)
ANNOUNCEMENT_FAILURE_CODE = "sandbox:announcement-failure"


@dataclass(frozen=True, slots=True)
class ShippingOption:
    code: str
    name: str
    carrier_code: str
    carrier_name: str
    product_code: str
    product_name: str
    contract_id: int
    base_price: Decimal
    max_weight_kg: Decimal
    domestic_only: bool
    signature: bool = False
    lead_time_hours: int = 24

    def serves(self, from_country: str | None, to_country: str | None) -> bool:
        if not self.domestic_only:
            return True
        return from_country is None or to_country is None or from_country == to_country

    def price(self, weight_kg: Decimal) -> Decimal:
        extra = max(0, math.ceil(weight_kg - 2))
        return (self.base_price + extra).quantize(Decimal("0.01"))


CATALOGUE: tuple[ShippingOption, ...] = (
    ShippingOption(
        "postnl:standard",
        "PostNL Standard",
        "postnl",
        "PostNL",
        "postnl:standard",
        "PostNL Standard",
        517,
        Decimal("6.95"),
        Decimal("23"),
        True,
    ),
    ShippingOption(
        "postnl:standard/signature",
        "PostNL Standard + Handtekening",
        "postnl",
        "PostNL",
        "postnl:standard",
        "PostNL Standard",
        517,
        Decimal("8.45"),
        Decimal("23"),
        True,
        signature=True,
    ),
    ShippingOption(
        "dhl:parcel-connect",
        "DHL Parcel Connect",
        "dhl",
        "DHL",
        "dhl:parcel-connect",
        "DHL Parcel Connect",
        518,
        Decimal("12.50"),
        Decimal("31.5"),
        False,
        lead_time_hours=48,
    ),
    ShippingOption(
        "dpd:classic/signature",
        "DPD Classic + Signature",
        "dpd",
        "DPD",
        "dpd:classic",
        "DPD Classic",
        519,
        Decimal("9.90"),
        Decimal("31.5"),
        False,
        signature=True,
        lead_time_hours=48,
    ),
    ShippingOption(
        ANNOUNCEMENT_FAILURE_CODE,
        "Sandbox: announcement fails",
        "sandbox",
        "Sandbox Carrier",
        "sandbox:failing",
        "Sandbox failing product",
        999,
        Decimal("1.00"),
        Decimal("50"),
        False,
    ),
)

DEFAULT_DOMESTIC = CATALOGUE[0]
DEFAULT_INTERNATIONAL = CATALOGUE[2]


def find_option(code: str) -> ShippingOption | None:
    return next((option for option in CATALOGUE if option.code == code), None)


def default_option(from_country: str, to_country: str) -> ShippingOption:
    return DEFAULT_DOMESTIC if from_country == to_country else DEFAULT_INTERNATIONAL


def option_body(option: ShippingOption, weight_kg: Decimal | None, quote: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": option.code,
        "name": option.name,
        "carrier": {"code": option.carrier_code, "name": option.carrier_name},
        "product": {"code": option.product_code, "name": option.product_name},
        "functionalities": {
            "b2b": True,
            "b2c": True,
            "tracked": True,
            "signature": option.signature,
            "multicollo": True,
            "last_mile": "home_delivery",
            "first_mile": "pickup_dropoff",
            "service_area": "domestic" if option.domestic_only else "international",
            "delivery_deadline": "best_effort",
            "form_factor": "parcel",
        },
        "contract": {
            "id": option.contract_id,
            "client_id": "",
            "carrier_code": option.carrier_code,
            "name": f"{option.carrier_name} Sandbox",
        },
        "weight": {
            "min": {"value": "0.001", "unit": "kg"},
            "max": {"value": f"{option.max_weight_kg:.3f}", "unit": "kg"},
        },
        "max_dimensions": {"length": "175.00", "width": "78.00", "height": "58.00", "unit": "cm"},
        "requirements": {
            "fields": [],
            "export_documents": False,
            "is_service_point_required": False,
        },
        "charging_type": "label_creation",
        "quotes": None,
    }
    if quote:
        total = f"{option.price(weight_kg or Decimal('1')):.2f}"
        body["quotes"] = [
            {
                "weight": body["weight"],
                "price": {
                    "breakdown": [
                        {
                            "type": "price_without_insurance",
                            "label": "Label",
                            "price": {"value": total, "currency": "EUR"},
                        }
                    ],
                    "total": {"value": total, "currency": "EUR"},
                },
                "lead_time": option.lead_time_hours,
            }
        ]
    return body
