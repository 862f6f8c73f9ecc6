"""``POST /quotes``: every service that can carry the parcels, fully priced (research §3.1).

A service is left out when a parcel exceeds its weight or size limits, when it does not
serve the destination, or when the ``Service`` filter names another slug.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from shipmux.sandboxes.kit.jsonio import InvalidJson, json_response, read_json
from shipmux.sandboxes.parcel2go.binding import extra_types, member, number, objects, text
from shipmux.sandboxes.parcel2go.context import Call
from shipmux.sandboxes.parcel2go.countries import (
    Country,
    find_country,
    find_subdivision,
    requires_customs,
)
from shipmux.sandboxes.parcel2go.errors import invalid_request
from shipmux.sandboxes.parcel2go.ordering import parcel_spec
from shipmux.sandboxes.parcel2go.pricing import VAT_RATE, Destination, ShipmentPrice, price_shipment
from shipmux.sandboxes.parcel2go.schedule import naive, quote_dates
from shipmux.sandboxes.parcel2go.services import SERVICES, Service, service_body


async def post_quotes(call: Call) -> Response:
    try:
        body = await read_json(call.request)
    except InvalidJson:
        return invalid_request({"request": ["The request body is not valid JSON."]})
    problems: dict[str, list[str]] = {}
    collection = _country(body, "CollectionAddress", problems)
    delivery = _country(body, "DeliveryAddress", problems)
    parcels = objects(body, "Parcels")
    if not parcels:
        problems["request.Parcels"] = ["At least one parcel is required."]
    for index, parcel in enumerate(parcels):
        weight = number(parcel, "Weight")
        if weight is None or weight <= 0:
            problems[f"request.Parcels[{index}].Weight"] = ["The Weight must be greater than 0."]
    if problems or collection is None or delivery is None:
        return invalid_request(problems)
    destination = Destination(
        delivery, find_subdivision(delivery, text(member(body, "DeliveryAddress"), "Subdivision"))
    )
    specs = [parcel_spec(parcel, destination, "Value") for parcel in parcels]
    wanted_slug = (text(body, "Service") or "").lower()
    requested = extra_types(body, "Extras")
    quotes: list[dict[str, Any]] = []
    for service in SERVICES:
        if wanted_slug and service.slug != wanted_slug:
            continue
        price = price_shipment(service, collection, specs, requested)
        if price is not None:
            quotes.append(quote_body(call, service, price, collection, delivery))
    return json_response({"Quotes": quotes})


def _country(body: Any, key: str, problems: dict[str, list[str]]) -> Country | None:
    code = text(member(body, key), "Country")
    country = find_country(code)
    if code is None:
        problems[f"request.{key}.Country"] = ["The Country field is required."]
    elif country is None:
        problems[f"request.{key}.Country"] = [f"The country '{code}' is not recognised."]
    return country


def quote_body(
    call: Call, service: Service, price: ShipmentPrice, collection: Country, delivery: Country
) -> dict[str, Any]:
    dates = quote_dates(call.now, service.transit_days)
    customs = requires_customs(collection.iso3, delivery.iso3)
    return {
        "AvailableExtras": [extra.available_body() for extra in price.available],
        "Discount": 0,
        "Extras": [{"Amount": extra.price, "Type": extra.type} for extra in price.extras],
        "Service": service_body(service),
        "TotalPrice": price.total,
        "TotalPriceExVat": price.ex_vat,
        "TotalVat": price.vat,
        "UnitPrice": price.carriage,
        "VatRate": VAT_RATE,
        "Collection": naive(dates.collection),
        "CutOff": naive(dates.cut_off),
        "EstimatedDeliveryDate": naive(dates.estimated_delivery),
        "IncludedCover": price.included_cover,
        "TariffSystem": None,
        "Distance": None,
        # Research §5.3: true on every international quote in the live sandbox.
        "RequiresCommercialInvoice": customs,
        "RequiresCustoms": customs,
        "CountryOfManufactureRequired": customs,
        "ExportReasonRequired": customs,
        "TariffCodeRequired": False,
    }
