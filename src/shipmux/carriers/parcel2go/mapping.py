"""Pure translations between our ``Order`` and Parcel2Go's wire models, both ways.

Nothing here does I/O or reads the clock: the collection date is passed in. One of our
orders is one Parcel2Go order with one ``Item`` (a shipment), whose ``Parcels`` are our
packages; all goods travel in the first parcel, so a content's index is its item's.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import pycountry

from shipmux.carriers.base import CarrierOrder, Rate, RateExtra, TrackingEvent
from shipmux.carriers.parcel2go import schemas as wire
from shipmux.carriers.parcel2go.statuses import stage_of
from shipmux.carriers.parcel2go.subdivisions import Region, region_of
from shipmux.domain.errors import FieldProblem
from shipmux.domain.orders import Address, ExportReason, Order, Package, VatStatus

__all__ = [
    "CURRENCY",
    "UnmappableOrder",
    "carrier_order_from_created",
    "carrier_order_from_read",
    "cheapest",
    "check_order",
    "iso3",
    "item_id",
    "order_request",
    "problems_from_errors",
    "quote_request",
    "rates_from_quotes",
    "region",
    "split_street",
    "tracking_events",
    "upsells",
]

CURRENCY = "GBP"  # Parcel2Go prices in pounds only
VAT_RATE = Decimal("0.20")  # ADR 0006 §4
_PENNY = Decimal("0.01")
# Items[].Reference holds at most 50 characters (ADR 0006 §5).
REFERENCE_MAX = 50
# Our item ids are derived from our reference, so a verify before paying sends the very
# body the create sent, and a Parcel2Go error's ItemId names our order.
_ITEM_NAMESPACE = uuid.UUID("6f1d7c0e-2b7a-4f0e-9a59-2f3c6c1d5a10")


class UnmappableOrder(ValueError):
    """The order cannot be said in Parcel2Go's terms; it is refused without a call."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


# --- countries and addresses -----------------------------------------------------------------


@functools.cache
def iso3(alpha2: str) -> str:
    """ISO 3166-1 alpha-3 for an alpha-2 code (Parcel2Go's addresses speak ISO-3)."""
    country = pycountry.countries.get(alpha_2=alpha2.upper())
    if country is None:
        raise ValueError(f"'{alpha2}' is not an ISO 3166-1 alpha-2 country code")
    return str(country.alpha_3)


@functools.cache
def _country_name(alpha2: str) -> str:
    country = pycountry.countries.get(alpha_2=alpha2.upper())
    return str(getattr(country, "common_name", None) or country.name) if country else alpha2


# "12", "12A", "12-14", "12/3": a house number at either end of an address line.
_NUMBER = r"\d+[A-Za-z]?(?:[-/]\d+[A-Za-z]?)?"
_LEADING = re.compile(rf"^({_NUMBER}),?\s+(.+)$")
_TRAILING = re.compile(rf"^(.+?),?\s+({_NUMBER})$")


def split_street(line1: str, line2: str | None) -> tuple[str, str, str | None]:
    """``(Property, Street, rest)``: Parcel2Go wants the house number and street apart.

    "12 Brick Lane" -> ("12", "Brick Lane"); "Torstrasse 12" -> ("12", "Torstrasse").
    A line without a number is a house name: the street is then the second line, and
    the first line serves as both when there is no second (research §5.8).
    """
    line1 = line1.strip()
    if m := _LEADING.match(line1):
        return m.group(1), m.group(2), line2
    if m := _TRAILING.match(line1):
        return m.group(2), m.group(1), line2
    if line2:
        return line1, line2, None
    return line1, line1, None


def region(address: Address) -> Region:
    """The address's ISO-3 country and Parcel2Go subdivision (priced apart)."""
    return region_of(address.country, address.postcode, iso3(address.country))


def _order_address(address: Address, instructions: str | None = None) -> wire.OrderAddress:
    house, street, rest = split_street(address.line1, address.line2)
    where = region(address)
    locality = ", ".join(p for p in (rest, address.line3) if p) or None
    return wire.OrderAddress(
        contact_name=address.name,
        organisation=address.company,
        email=address.email,
        phone=address.phone,
        property=house,
        street=street,
        locality=locality,
        town=address.city,
        county=address.county,
        postcode=address.postcode,
        country_iso_code=where.country,
        subdivision=where.subdivision,
        special_instructions=instructions,
    )


def _quote_address(address: Address) -> wire.QuoteAddress:
    where = region(address)
    return wire.QuoteAddress(
        country=where.country, postcode=address.postcode, subdivision=where.subdivision
    )


# --- checks before any call ------------------------------------------------------------------

_EXPORT_REASONS: dict[ExportReason, str] = {
    ExportReason.SALE: "Sale",
    ExportReason.GIFT: "Gift",
    ExportReason.SAMPLE: "Sample",
    ExportReason.DOCUMENTS: "Documents",
    ExportReason.REPAIR: "Repair",
}

_VAT_STATUSES: dict[VatStatus, str] = {
    VatStatus.REGISTERED: "Registered",
    VatStatus.NOT_REGISTERED: "NotRegistered",
    VatStatus.PRIVATE: "Individual",
}


def is_international(order: Order, collection: Address) -> bool:
    # "International when a parcel's delivery country is not the collection country" (ADR §12).
    return order.recipient.country != collection.country


def _customs_problems(order: Order) -> list[FieldProblem]:
    """Every customs field Parcel2Go would ask for (seed, "Customs"), named in our paths."""
    required = "required by Parcel2Go for international orders"
    problems: list[FieldProblem] = []
    customs = order.customs
    reason = customs.export_reason if customs else None
    if reason is None:
        problems.append(FieldProblem("customs.export_reason", "required", required))
    elif reason not in _EXPORT_REASONS:
        allowed = ", ".join(r.value for r in _EXPORT_REASONS)
        problems.append(
            FieldProblem(
                "customs.export_reason",
                "unsupported",
                f"Parcel2Go has no export reason for '{reason.value}' (one of: {allowed})",
            )
        )
    vat_status = customs.vat_status if customs else None
    if vat_status is None:
        problems.append(FieldProblem("customs.vat_status", "required", required))
    elif vat_status is VatStatus.REGISTERED and not (customs and customs.vat_number):
        problems.append(
            FieldProblem("customs.vat_number", "required", "required when VAT registered")
        )
    if not order.items:
        problems.append(FieldProblem("items", "required", "the parcel's contents are " + required))
    for i, item in enumerate(order.items):
        if item.origin_country is None:
            problems.append(FieldProblem(f"items[{i}].origin_country", "required", required))
    return problems


def check_order(order: Order, collection: Address | None) -> list[FieldProblem]:
    """What Parcel2Go would refuse and we can see without asking it; empty when none."""
    if collection is None:
        return [
            FieldProblem(
                "sender", "required", "Parcel2Go needs a collection address (sender or settings)"
            )
        ]
    problems: list[FieldProblem] = []
    # The reference's length is in the connector's CarrierLimits, checked with the others.
    # The courier needs the sender's phone, Parcel2Go's customer details an email (research §5.8).
    prefix = "sender" if order.sender is not None else "settings.collection_address"
    for name in ("phone", "email"):
        if not getattr(collection, name):
            problems.append(FieldProblem(f"{prefix}.{name}", "required", "needed by Parcel2Go"))
    if is_international(order, collection):
        problems += _customs_problems(order)
    return problems


# --- Order -> QuoteRequest / OrderRequest ----------------------------------------------------


def upsells(order: Order) -> list[str]:
    """The extras our order asks for, in Parcel2Go's names (seed, "Extras")."""
    extras = order.extras
    names: list[str] = []
    if extras.signature:
        names.append("Signature")
    if extras.sms_notification:
        names.append("Sms")
    cover = extras.cover_value
    if cover is not None and cover > 0:
        # ExtendedBaseCover is the standard (about £20) protection; with Cover as well the
        # parcel is protected to its declared value (seed, "How do I get parcel protection").
        names.append("ExtendedBaseCover")
        if cover > 20:
            names.append("Cover")
    if extras.delivery_guarantee:
        names.append("DeliveryGuarantee")
    if extras.print_in_store:
        names.append("PrintInStore")
    return names


def _goods_value(order: Order) -> Decimal:
    return sum((i.unit_value * i.quantity for i in order.items), Decimal("0"))


def _declared_value(order: Order) -> Decimal:
    # The parcel's value is what cover protects, so the cover asked for wins.
    cover = order.extras.cover_value
    return cover if cover else _goods_value(order)


def _kg(grams: int) -> float:
    return grams / 1000


def _cm(package: Package) -> tuple[float | None, float | None, float | None]:
    d = package.dimensions
    if d is None:
        return None, None, None
    return d.length_mm / 10, d.width_mm / 10, d.height_mm / 10


def _value_of(index: int, order: Order) -> Decimal:
    # The goods travel in the first parcel (see the module docstring), and so does their value.
    return _declared_value(order) if index == 0 else Decimal("0")


def quote_request(order: Order, collection: Address) -> wire.QuoteRequest:
    parcels = []
    for i, package in enumerate(order.packages):
        length, width, height = _cm(package)
        parcels.append(
            wire.QuoteParcel(
                value=_value_of(i, order),
                weight=_kg(package.weight_grams),
                length=length,
                width=width,
                height=height,
            )
        )
    names = upsells(order)
    return wire.QuoteRequest(
        collection_address=_quote_address(collection),
        delivery_address=_quote_address(order.recipient),
        parcels=parcels,
        extras=[wire.ExtraRequest(type=n) for n in names] or None,
    )


def item_id(reference: str) -> str:
    """Our ``Items[].Id`` for an order: the same on every call about it."""
    return str(uuid.uuid5(_ITEM_NAMESPACE, reference))


def _parcel_id(reference: str, index: int) -> str:
    return str(uuid.uuid5(_ITEM_NAMESPACE, f"{reference}#parcel{index}"))


def _contents(order: Order, international: bool) -> list[wire.ContentLine] | None:
    if not order.items:
        return None
    return [
        wire.ContentLine(
            description=item.customs_description or item.name,
            quantity=item.quantity,
            estimated_value=item.unit_value * item.quantity,
            tariff_code=item.hs_code if international else None,
            origin_country=(
                _country_name(item.origin_country)
                if international and item.origin_country
                else None
            ),
        )
        for item in order.items
    ]


def _summary(order: Order) -> str | None:
    names = [item.customs_description or item.name for item in order.items]
    return ", ".join(names)[:100] or None


def _parcels(order: Order, international: bool) -> list[wire.OrderParcel]:
    delivery = _order_address(order.recipient, order.extras.safe_place)
    parcels = []
    for i, package in enumerate(order.packages):
        length, width, height = _cm(package)
        parcels.append(
            wire.OrderParcel(
                id=_parcel_id(order.reference, i),
                weight=_kg(package.weight_grams),
                length=length,
                width=width,
                height=height,
                estimated_value=_value_of(i, order),
                delivery_address=delivery,
                contents_summary=_summary(order),
                contents=_contents(order, international) if i == 0 else None,
            )
        )
    return parcels


def _customer(collection: Address) -> wire.CustomerDetails:
    forename, _, surname = collection.name.rpartition(" ")
    return wire.CustomerDetails(
        email=collection.email or "",
        forename=forename or surname,
        surname=surname,
    )


def order_request(
    order: Order, collection: Address, service: str, collection_date: datetime
) -> wire.OrderRequest:
    """The body of ``POST /orders`` and ``/orders/verify`` for one of our orders.

    Call ``check_order`` first: this assumes the order passes it.
    """
    international = is_international(order, collection)
    customs = order.customs if international else None
    origins = [i.origin_country for i in order.items if i.origin_country]
    names = upsells(order)
    item = wire.OrderItem(
        id=item_id(order.reference),
        collection_date=collection_date,
        service=service,
        reference=order.reference,
        upsells=[wire.ExtraRequest(type=n) for n in names] or None,
        collection_address=_order_address(collection),
        parcels=_parcels(order, international),
        # One origin per shipment: the first item's; each content line keeps its own.
        origin_country=iso3(origins[0]) if international and origins else None,
        export_reason=(
            _EXPORT_REASONS.get(customs.export_reason)
            if customs and customs.export_reason
            else None
        ),
        vat_status=_VAT_STATUSES[customs.vat_status] if customs and customs.vat_status else None,
        vat_number=customs.vat_number if customs else None,
        eori_number=customs.eori_number if customs else None,
        ioss_code=customs.ioss_number if customs else None,
    )
    return wire.OrderRequest(items=[item], customer_details=_customer(collection))


# --- quotes -> rates -------------------------------------------------------------------------


def _with_vat(amount: Decimal) -> Decimal:
    return (amount * (1 + VAT_RATE)).quantize(_PENNY, rounding=ROUND_HALF_UP)


def _fits(service: wire.Service, packages: Sequence[Package]) -> bool:
    """Whether every parcel is within the service's limits (kg, and metres: research §2)."""
    for package in packages:
        if service.max_weight is not None and _kg(package.weight_grams) > service.max_weight:
            return False
        d = package.dimensions
        if d is None:
            continue
        for size_mm, most_m in (
            (d.length_mm, service.max_length),
            (d.width_mm, service.max_width),
            (d.height_mm, service.max_height),
        ):
            if most_m is not None and size_mm / 1000 > most_m:
                return False
    return True


def _rate(quote: wire.Quote) -> Rate:
    service = quote.service
    return Rate(
        service_code=service.slug,
        service_name=service.name,
        courier=service.courier_name,
        price=quote.total_price,
        price_ex_vat=quote.total_price_ex_vat,
        currency=CURRENCY,
        collection="collection" if service.collection_type == "Collection" else "drop_off",
        estimated_delivery=(
            quote.estimated_delivery_date.date() if quote.estimated_delivery_date else None
        ),
        # "Extras" (asked for, in the total) carry one Amount without VAT: the seed's Sms
        # example adds £0.30 ex VAT and £0.36 to TotalPrice.
        extras=tuple(
            RateExtra(kind=e.type, price=_with_vat(e.amount), price_ex_vat=e.amount)
            for e in quote.extras
        ),
        available_extras=tuple(
            RateExtra(kind=e.type, price=e.total, price_ex_vat=e.price)
            for e in quote.available_extras
        ),
    )


def rates_from_quotes(response: wire.QuotesResponse, order: Order) -> list[Rate]:
    """The quotes as rates, cheapest first; services the parcels exceed are left out.

    Parcel2Go may quote a service whose limits a parcel exceeds (research §5.9).
    """
    fitting = [q for q in response.quotes if _fits(q.service, order.packages)]
    return sorted((_rate(q) for q in fitting), key=lambda r: (r.price, r.service_code))


def cheapest(rates: Sequence[Rate]) -> Rate | None:
    return min(rates, key=lambda r: (r.price, r.service_code), default=None)


# --- Errors[] -> our field paths -------------------------------------------------------------

# (words in the message, our field) tried in order; {party} is recipient or sender.
_CUSTOMS_FIELDS: tuple[tuple[str, str], ...] = (
    ("reason for export", "customs.export_reason"),
    ("vat status", "customs.vat_status"),
    ("vat number", "customs.vat_number"),
    ("eori", "customs.eori_number"),
    ("ioss", "customs.ioss_number"),
    ("tariff", "items[{item}].hs_code"),
    ("country of manufacture", "items[{item}].origin_country"),
    ("origin", "items[{item}].origin_country"),
    ("contents", "items"),
)
_ADDRESS_FIELDS: tuple[tuple[str, str], ...] = (
    ("postcode", "{party}.postcode"),
    ("post code", "{party}.postcode"),
    ("zip", "{party}.postcode"),
    ("phone", "{party}.phone"),
    ("email", "{party}.email"),
    ("county", "{party}.county"),
    ("state", "{party}.county"),
    ("country", "{party}.country"),
    ("town", "{party}.city"),
    ("city", "{party}.city"),
    ("street", "{party}.line1"),
    ("property", "{party}.line1"),
    ("house", "{party}.line1"),
    ("address", "{party}.line1"),
    ("contact", "{party}.name"),
    ("name", "{party}.name"),
)
_SERVICE_WORDS = ("price could not be found", "unknown service", "invalid service", "no service")
_PARCEL_FIELDS: tuple[tuple[str, str], ...] = (
    ("weight", "packages[0].weight_grams"),
    ("dimension", "packages[0].dimensions"),
    ("length", "packages[0].dimensions.length_mm"),
    ("width", "packages[0].dimensions.width_mm"),
    ("height", "packages[0].dimensions.height_mm"),
    ("reference", "reference"),
)


def _first(text: str, table: Iterable[tuple[str, str]]) -> str | None:
    return next((path for words, path in table if words in text), None)


def _missing_origin(order: Order) -> int:
    return next((i for i, item in enumerate(order.items) if item.origin_country is None), 0)


def field_of(error: wire.ErrorLine, order: Order) -> str:
    """Our path for one of Parcel2Go's ``{Type, Error}`` refusals (by its type and words).

    Parcel2Go names no field, only a type (Customs, Service, ...) and a sentence; the
    sentence's words decide. What cannot be placed is the whole order.
    """
    kind = (error.type or "").lower()
    text = error.text.lower()
    if kind == "service" or any(words in text for words in _SERVICE_WORDS):
        return "service_code"
    party = "sender" if "collection" in text or "collection" in kind else "recipient"
    if kind == "customs":
        found = _first(text, _CUSTOMS_FIELDS)
    else:
        found = _first(text, _CUSTOMS_FIELDS) if "customs" in text else None
        found = found or _first(text, _PARCEL_FIELDS) or _first(text, _ADDRESS_FIELDS)
    if found is None:
        return "customs" if kind == "customs" else "order"
    return found.format(party=party, item=_missing_origin(order))


def problems_from_errors(errors: Iterable[wire.ErrorLine], order: Order) -> list[FieldProblem]:
    """Each refusal as a problem on our field, with Parcel2Go's own words kept."""
    return [
        FieldProblem(
            field_of(error, order),
            f"parcel2go_{(error.type or 'rejected').lower()}",
            error.text,
        )
        for error in errors
    ]


# --- answers -> CarrierOrder / TrackingEvent -------------------------------------------------


@dataclass(frozen=True, slots=True)
class Placement:
    """What the connector decided before creating: the service and the price it was told."""

    service: str
    quoted_price: Decimal | None


def carrier_order_from_created(
    created: wire.CreateOrderResponse, order: Order, placement: Placement
) -> CarrierOrder:
    """Our view of a created (unpaid) order. Raises ``ValueError`` if an id is missing."""
    if not created.order_id or not created.hash or not created.orderline_id_map:
        raise ValueError("the create answer lacks OrderId, Hash or OrderlineIdMap")
    wanted = item_id(order.reference)
    line = next(
        (m for m in created.orderline_id_map if m.item_id == wanted), created.orderline_id_map[0]
    )
    data = {"hash": created.hash}
    if line.hash:
        data["line_hash"] = line.hash
    if placement.quoted_price is not None:
        data["quoted_price"] = str(placement.quoted_price)
    return CarrierOrder(
        carrier_order_id=created.order_id,
        reference=order.reference,
        tracking_number=f"P2G{line.order_line_id}",
        carrier_shipment_ref=line.order_line_id,
        carrier_data=data,
        service_code=placement.service,
        price=created.total_price,
        currency=CURRENCY,
    )


def carrier_order_from_read(
    read: wire.OrderRead, known: CarrierOrder | None = None
) -> CarrierOrder:
    """Our view of an order as ``GET /orders`` (or the order history) tells it.

    What the read does not carry (the line hash, the quoted price) is kept from ``known``.
    """
    item = read.items[0] if read.items else wire.OrderReadItem()
    data = dict(known.carrier_data) if known else {}
    if read.hash:
        data["hash"] = read.hash
    line = item.order_line_id or (known.carrier_shipment_ref if known else None)
    return CarrierOrder(
        carrier_order_id=read.order_id,
        reference=item.reference or (known.reference if known else ""),
        tracking_number=f"P2G{line}" if line else None,
        carrier_shipment_ref=line,
        carrier_data=data,
        service_code=item.service or (known.service_code if known else None),
        price=read.total_price
        if read.total_price is not None
        else (known.price if known else None),
        currency=CURRENCY,
        paid_at=read.paid_date,
    )


def tracking_events(response: wire.TrackingResponse, order_line_id: str) -> list[TrackingEvent]:
    """The events oldest first (Parcel2Go lists them newest first); unknown stages left out."""
    events = []
    for result in response.results:
        stage = stage_of(result.stage)
        if stage is None:
            continue
        events.append(
            TrackingEvent(
                carrier_shipment_ref=response.order_line_id or order_line_id,
                stage=stage,
                occurred_at=result.timestamp,
                carrier_code=result.status_code or result.stage or "",
                description=result.description or result.details,
                location=result.location,
            )
        )
    return sorted(events, key=lambda e: e.occurred_at)
