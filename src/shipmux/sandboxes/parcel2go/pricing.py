"""Deterministic prices: weight band x zone, a subdivision surcharge, extras, 20 % VAT.

One function prices a shipment for quotes, verify and create alike, so ``Cost`` from
``/orders/verify`` equals the create's ``TotalPrice`` (ADR 0006 §4) and a quote for the
same parcels and extras.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from shipmux.sandboxes.parcel2go.countries import Country, Subdivision, Zone
from shipmux.sandboxes.parcel2go.services import Service

VAT_RATE = Decimal(20)
CENT = Decimal("0.01")
# A common courier divisor: cm^3 / 5000 = volumetric kg.
VOLUMETRIC_DIVISOR = Decimal(5000)
# Cover is priced at 5 % of the declared value: the seed's example quotes 7.50 for £150.
COVER_RATE = Decimal("0.05")
INCLUDED_COVER = Decimal(20)
FLAT_EXTRAS = {
    "Sms": Decimal("0.30"),  # seed: "The example below shows Sms as £0.30" (ex VAT)
    "Signature": Decimal("0.75"),
    "DeliveryGuarantee": Decimal("1.10"),  # seed and CSTEST
    "ExtendedBaseCover": Decimal("0.20"),  # seed
    "PrintInStore": Decimal("0.00"),
}


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def vat_on(ex_vat: Decimal) -> Decimal:
    return money(ex_vat * VAT_RATE / 100)


@dataclass(frozen=True, slots=True)
class Destination:
    country: Country
    subdivision: Subdivision | None


@dataclass(frozen=True, slots=True)
class ParcelSpec:
    weight: Decimal
    # Centimetres; ``None`` when the client left a dimension out.
    length: Decimal | None
    width: Decimal | None
    height: Decimal | None
    value: Decimal
    destination: Destination

    @property
    def chargeable_kg(self) -> Decimal:
        if self.length and self.width and self.height:
            volumetric = self.length * self.width * self.height / VOLUMETRIC_DIVISOR
            return max(self.weight, volumetric)
        return self.weight


@dataclass(frozen=True, slots=True)
class PricedExtra:
    type: str
    price: Decimal
    details: dict[str, str] | None = None

    @property
    def vat(self) -> Decimal:
        return vat_on(self.price)

    def available_body(self) -> dict[str, object]:
        return {
            "Type": self.type,
            "Price": self.price,
            "Vat": self.vat,
            "Total": self.price + self.vat,
            "Details": self.details,
        }


@dataclass(frozen=True, slots=True)
class ShipmentPrice:
    """The ex-VAT carriage, the extras asked for, and the extras still on offer."""

    carriage: Decimal
    extras: tuple[PricedExtra, ...]
    available: tuple[PricedExtra, ...]

    @property
    def ex_vat(self) -> Decimal:
        return self.carriage + sum((extra.price for extra in self.extras), Decimal(0))

    @property
    def vat(self) -> Decimal:
        return vat_on(self.ex_vat)

    @property
    def total(self) -> Decimal:
        return self.ex_vat + self.vat

    @property
    def included_cover(self) -> Decimal:
        chosen = any(extra.type == "ExtendedBaseCover" for extra in self.extras)
        return INCLUDED_COVER if chosen else Decimal(0)


def fits(service: Service, parcel: ParcelSpec) -> bool:
    """Whether a parcel is within the service's weight and (metre) size limits."""
    if parcel.weight <= 0 or parcel.weight > service.max_weight:
        return False
    sides = sorted((d for d in (parcel.length, parcel.width, parcel.height) if d), reverse=True)
    limits = (service.max_length, service.max_width, service.max_height)
    return all(
        limit is None or side / 100 <= limit for side, limit in zip(sides, limits, strict=False)
    )


def carriage_for(service: Service, collection: Country, parcel: ParcelSpec) -> Decimal | None:
    """Ex-VAT price of one parcel, or ``None`` if the service cannot carry it there."""
    if not fits(service, parcel):
        return None
    destination = parcel.destination
    domestic = destination.country.iso3 == collection.iso3
    zone = Zone.DOMESTIC if domestic else destination.country.zone
    subdivision = destination.subdivision
    if service.only_subdivision is not None:
        if subdivision is None or subdivision.code != service.only_subdivision:
            return None
    price = service.band_price(zone, parcel.chargeable_kg)
    if price is None:
        return None
    if subdivision is not None and service.only_subdivision is None:
        price += Decimal(subdivision.surcharge)
    return price


def price_shipment(
    service: Service, collection: Country, parcels: list[ParcelSpec], requested: list[str]
) -> ShipmentPrice | None:
    """The price of one shipment (quote or order item), or ``None`` if nothing applies."""
    if not parcels or collection.zone is not Zone.DOMESTIC:
        # The sandbox, like most Parcel2Go accounts, ships from the UK only.
        return None
    carriage = Decimal(0)
    for parcel in parcels:
        price = carriage_for(service, collection, parcel)
        if price is None:
            return None
        carriage += price
    declared = sum((parcel.value for parcel in parcels), Decimal(0))
    offered = [_priced_extra(service, kind, declared) for kind in service.extras]
    wanted = {kind.lower() for kind in requested}
    chosen = tuple(extra for extra in offered if extra.type.lower() in wanted)
    rest = tuple(extra for extra in offered if extra.type.lower() not in wanted)
    return ShipmentPrice(carriage=carriage, extras=chosen, available=rest)


def _priced_extra(service: Service, kind: str, declared_value: Decimal) -> PricedExtra:
    if kind == "Cover":
        insured = min(max(declared_value, Decimal(0)), service.max_cover)
        return PricedExtra(kind, money(insured * COVER_RATE))
    if kind == "ExtendedBaseCover":
        details = {
            "IncludedCover": f"{INCLUDED_COVER:.2f}",
            "MaxWeight": f"{service.max_weight:.2f}",
        }
        return PricedExtra(kind, FLAT_EXTRAS[kind], details)
    return PricedExtra(kind, FLAT_EXTRAS[kind])
