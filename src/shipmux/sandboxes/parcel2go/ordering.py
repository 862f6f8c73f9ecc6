"""Validate and price an order body (``POST /orders`` and ``/orders/verify``).

Errors are the seed's ``{"Type", "Error", "ItemId"}`` entries, per item, in this order:
addresses, reference, customs (ADR 0006 §12, the seed's exact messages), then the
``Service`` line when no price applies. The seed's failed international order is the
reference: four customs lines, then ``A price could not be found for these
specifications.``
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pycountry

from shipmux.sandboxes.parcel2go.binding import extra_types, member, number, objects, text
from shipmux.sandboxes.parcel2go.countries import Country, find_country, find_subdivision
from shipmux.sandboxes.parcel2go.errors import NO_PRICE
from shipmux.sandboxes.parcel2go.pricing import (
    Destination,
    ParcelSpec,
    ShipmentPrice,
    price_shipment,
    vat_on,
)
from shipmux.sandboxes.parcel2go.services import Service, find_service

MAX_REFERENCE_LENGTH = 50  # ADR 0006 §5
EXPORT_REASONS = frozenset({"sale", "gift", "sample", "repair", "documents",
                            "intracompanytransfer", "temporaryexport"})  # fmt: skip
VAT_STATUSES = frozenset({"individual", "notregistered", "registered"})

CUSTOMS_EXPORT_REASON = "Please supply the reason for exporting your parcel."
CUSTOMS_VAT_STATUS = "Please supply your VAT status."
CUSTOMS_VAT_NUMBER = "Please supply your VAT number."
CUSTOMS_ORIGIN = "Please supply details of your parcel's country of manufacture."
CUSTOMS_CONTENTS = "Please supply details of your international parcel's contents."


@dataclass
class PlannedLine:
    """One validated, priced ``Items[]`` entry, ready to become an ``OrderLine``."""

    item: dict[str, Any]
    item_id: str | None
    service: Service
    reference: str | None
    price: ShipmentPrice
    international: bool


@dataclass
class OrderPlan:
    lines: list[PlannedLine]
    errors: list[dict[str, Any]]
    customer_details: dict[str, Any]

    @property
    def total_price(self) -> Decimal:
        ex_vat = sum((line.price.ex_vat for line in self.lines), Decimal(0))
        return ex_vat + vat_on(ex_vat)


def model_errors(body: Any) -> dict[str, list[str]]:
    """ASP.NET-style binding errors for a body that is not an order at all."""
    if not isinstance(body, dict):
        return {"request": ["The request body must be an order object."]}
    if not objects(body, "Items"):
        return {"request.Items": ["At least one item is required."]}
    return {}


def plan_order(body: dict[str, Any]) -> OrderPlan:
    lines: list[PlannedLine] = []
    errors: list[dict[str, Any]] = []
    for item in objects(body, "Items"):
        item_id = text(item, "Id")
        item_errors: list[tuple[str, str]] = []
        collection = _address_errors(member(item, "CollectionAddress"), "collection", item_errors)
        parcels = objects(item, "Parcels")
        if not parcels:
            item_errors.append(("Parcels", "Please supply at least one parcel."))
        destinations = [
            _address_errors(member(parcel, "DeliveryAddress"), "delivery", item_errors)
            for parcel in parcels
        ]
        reference = text(item, "Reference")
        if reference is not None and len(reference) > MAX_REFERENCE_LENGTH:
            item_errors.append(("Reference", "The reference must be 50 characters or fewer."))
        international = collection is not None and any(
            dest is not None and dest.country.iso3 != collection.country.iso3
            for dest in destinations
        )
        if international:
            item_errors.extend(("Customs", error) for error in customs_errors(item, parcels))
        service = find_service(text(item, "Service"))
        price = _price(service, collection, parcels, destinations, item)
        if price is None:
            item_errors.append(("Service", NO_PRICE))
        errors.extend({"Type": kind, "Error": error, "ItemId": item_id}
                      for kind, error in item_errors)  # fmt: skip
        if not item_errors and service is not None and price is not None:
            lines.append(PlannedLine(item, item_id, service, reference, price, international))
    customer = member(body, "CustomerDetails")
    return OrderPlan(lines, errors, customer if isinstance(customer, dict) else {})


def customs_errors(item: dict[str, Any], parcels: list[dict[str, Any]]) -> list[str]:
    errors: list[str] = []
    reason = text(item, "ExportReason")
    if reason is None or reason.lower() not in EXPORT_REASONS:
        errors.append(CUSTOMS_EXPORT_REASON)
    vat_status = text(item, "VatStatus")
    if vat_status is None or vat_status.lower() not in VAT_STATUSES:
        errors.append(CUSTOMS_VAT_STATUS)
    elif vat_status.lower() == "registered" and text(item, "VatNumber") is None:
        errors.append(CUSTOMS_VAT_NUMBER)
    origin = text(item, "OriginCountry")
    if origin is None or pycountry.countries.get(alpha_3=origin.upper()) is None:
        errors.append(CUSTOMS_ORIGIN)
    if not parcels or not all(_has_contents(parcel) for parcel in parcels):
        errors.append(CUSTOMS_CONTENTS)
    return errors


def _has_contents(parcel: dict[str, Any]) -> bool:
    return any(text(entry, "Description") for entry in objects(parcel, "Contents"))


def _address_errors(address: Any, role: str, errors: list[tuple[str, str]]) -> Destination | None:
    """Note what the address lacks (research §5.8: ``Property`` and ``Street``)."""
    if text(address, "Property") is None:
        errors.append(("Address", f"Please supply the house name or number of the {role} "
                                  "address."))  # fmt: skip
    if text(address, "Street") is None:
        errors.append(("Address", f"Please supply the street of the {role} address."))
    country = find_country(text(address, "CountryIsoCode") or text(address, "Country"))
    if country is None:
        errors.append(("Address", f"Please supply a valid country for the {role} address."))
        return None
    return Destination(country, find_subdivision(country, text(address, "Subdivision")))


def parcel_spec(parcel: dict[str, Any], destination: Destination, value_key: str) -> ParcelSpec:
    return ParcelSpec(
        weight=number(parcel, "Weight") or Decimal(0),
        length=number(parcel, "Length"),
        width=number(parcel, "Width"),
        height=number(parcel, "Height"),
        value=number(parcel, value_key) or Decimal(0),
        destination=destination,
    )


def _price(
    service: Service | None,
    collection: Destination | None,
    parcels: list[dict[str, Any]],
    destinations: list[Destination | None],
    item: dict[str, Any],
) -> ShipmentPrice | None:
    if service is None or collection is None or not parcels:
        return None
    specs: list[ParcelSpec] = []
    for parcel, destination in zip(parcels, destinations, strict=True):
        if destination is None:
            return None
        specs.append(parcel_spec(parcel, destination, "EstimatedValue"))
    country: Country = collection.country
    return price_shipment(service, country, specs, extra_types(item, "Upsells"))
