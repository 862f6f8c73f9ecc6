"""The sandbox's service catalogue and its price table.

Six services, shaped like Parcel2Go's (research §3.1): an Evri drop-off (slug prefix
``myhermes``, as Evri still appears [CLIVE]), an Evri collection, DPD next day, Yodel
Northern Ireland (the CSTEST quote's service), Parcelforce Global Priority and DPD Classic
Europe. Prices are ex VAT per parcel by weight band and zone; they are the sandbox's own,
except that three match the seed's examples (2.59, 6.15) and the CSTEST quote (10.99).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from shipmux.sandboxes.parcel2go.countries import Zone


class CollectionType(StrEnum):
    COLLECTION = "Collection"
    SHOP = "Shop"


class Classification(StrEnum):
    FAST = "Fast"
    MEDIUM = "Medium"
    SLOW = "Slow"


Bands = tuple[tuple[Decimal, Decimal], ...]


def bands(*rows: tuple[str, str]) -> Bands:
    """``(max kg, ex-VAT price)`` rows, lightest first."""
    return tuple((Decimal(weight), Decimal(price)) for weight, price in rows)


@dataclass(frozen=True, slots=True)
class Service:
    slug: str
    name: str
    courier_name: str
    courier_slug: str
    collection_type: CollectionType
    classification: Classification
    max_weight: Decimal
    # Research §2: service limits are in metres (``MaxLength: 1.2``); ``None`` is no limit.
    max_length: Decimal | None
    max_width: Decimal | None
    max_height: Decimal | None
    max_cover: Decimal
    prices: dict[Zone, Bands]
    extras: tuple[str, ...]
    transit_days: int
    # Only deliveries to this subdivision (e.g. Yodel's Northern Ireland service).
    only_subdivision: str | None = None
    drop_off_provider_code: str = ""
    features: tuple[str, ...] = field(default_factory=tuple)

    @property
    def international(self) -> bool:
        return Zone.DOMESTIC not in self.prices

    def band_price(self, zone: Zone, chargeable_kg: Decimal) -> Decimal | None:
        for max_kg, price in self.prices.get(zone, ()):
            if chargeable_kg <= max_kg:
                return price
        return None


_DOMESTIC_EXTRAS = ("Cover", "ExtendedBaseCover", "Sms")

SERVICES: tuple[Service, ...] = (
    Service(
        slug="myhermes-parcelshop", name="Evri ParcelShop Drop Off", courier_name="Evri",
        courier_slug="myhermes", collection_type=CollectionType.SHOP,
        classification=Classification.SLOW, max_weight=Decimal(15), max_length=Decimal("1.2"),
        max_width=None, max_height=None, max_cover=Decimal(300),
        prices={Zone.DOMESTIC: bands(("1", "2.59"), ("2", "3.19"), ("5", "4.39"),
                                     ("10", "6.99"), ("15", "8.99"))},
        extras=(*_DOMESTIC_EXTRAS, "PrintInStore"), transit_days=2,
        drop_off_provider_code="HERMES",
    ),
    Service(
        slug="myhermes-collection", name="Evri Collection", courier_name="Evri",
        courier_slug="myhermes", collection_type=CollectionType.COLLECTION,
        classification=Classification.SLOW, max_weight=Decimal(15), max_length=Decimal("1.2"),
        max_width=None, max_height=None, max_cover=Decimal(300),
        prices={Zone.DOMESTIC: bands(("1", "3.29"), ("2", "3.89"), ("5", "5.09"),
                                     ("10", "7.69"), ("15", "9.69"))},
        extras=_DOMESTIC_EXTRAS, transit_days=2,
    ),
    Service(
        slug="dpd-next-day", name="DPD Next Day", courier_name="DPD", courier_slug="dpd",
        collection_type=CollectionType.COLLECTION, classification=Classification.FAST,
        max_weight=Decimal(30), max_length=Decimal("1.0"), max_width=Decimal("0.7"),
        max_height=Decimal("0.6"), max_cover=Decimal(1000),
        prices={Zone.DOMESTIC: bands(("2", "6.15"), ("5", "7.25"), ("10", "8.95"),
                                     ("20", "11.95"), ("30", "14.95"))},
        extras=("Cover", "DeliveryGuarantee", "ExtendedBaseCover", "Signature", "Sms"),
        transit_days=1,
    ),
    Service(
        slug="yodel-northern-ireland", name="Yodel Northern Ireland", courier_name="Yodel",
        courier_slug="yodel", collection_type=CollectionType.COLLECTION,
        classification=Classification.SLOW, max_weight=Decimal(25), max_length=Decimal("1.2"),
        max_width=None, max_height=None, max_cover=Decimal(5000),
        prices={Zone.DOMESTIC: bands(("1", "8.49"), ("2", "8.99"), ("5", "9.99"),
                                     ("10", "10.99"), ("25", "13.99"))},
        extras=("Cover", "DeliveryGuarantee", "ExtendedBaseCover"), transit_days=3,
        only_subdivision="NIR",
    ),
    Service(
        slug="parcelforce-global-priority", name="Parcelforce Global Priority",
        courier_name="Parcelforce", courier_slug="parcelforce",
        collection_type=CollectionType.COLLECTION, classification=Classification.FAST,
        max_weight=Decimal(30), max_length=Decimal("1.5"), max_width=None, max_height=None,
        max_cover=Decimal(2500),
        prices={
            Zone.EUROPE: bands(("1", "24.99"), ("2", "27.99"), ("5", "33.99"),
                               ("10", "44.99"), ("20", "59.99"), ("30", "74.99")),
            Zone.WORLD: bands(("1", "39.99"), ("2", "45.99"), ("5", "59.99"),
                              ("10", "84.99"), ("20", "119.99"), ("30", "149.99")),
        },
        extras=("Cover", "ExtendedBaseCover", "Signature"), transit_days=3,
    ),
    Service(
        slug="dpd-classic-europe", name="DPD Classic Europe", courier_name="DPD",
        courier_slug="dpd", collection_type=CollectionType.COLLECTION,
        classification=Classification.MEDIUM, max_weight=Decimal(20), max_length=Decimal("1.0"),
        max_width=Decimal("0.7"), max_height=Decimal("0.6"), max_cover=Decimal(1000),
        prices={Zone.EUROPE: bands(("1", "12.49"), ("2", "13.49"), ("5", "15.99"),
                                   ("10", "19.99"), ("20", "27.99"))},
        extras=_DOMESTIC_EXTRAS, transit_days=4,
    ),
)  # fmt: skip

_BY_SLUG = {service.slug: service for service in SERVICES}


def find_service(slug: str | None) -> Service | None:
    if not slug:
        return None
    return _BY_SLUG.get(slug.strip().lower())


def _metres(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def service_body(service: Service) -> dict[str, object]:
    """The ``Service`` object of a quote (research §3.1, CSTEST's field names)."""
    image = f"https://sandbox.parcel2go.invalid/images/couriers/{service.courier_slug}"
    return {
        "DropOffProviderCode": service.drop_off_provider_code,
        "CourierName": service.courier_name,
        "CourierSlug": service.courier_slug,
        "Slug": service.slug,
        "Name": service.name,
        "CollectionType": service.collection_type.value,
        "DeliveryType": "Door",
        "Links": {
            "ImageSmall": f"{image}-small.png",
            "Imagelarge": f"{image}-large.png",
            "ImageSvg": f"{image}.svg",
            "Courier": f"https://sandbox.parcel2go.invalid/couriers/{service.courier_slug}",
            "Service": f"https://sandbox.parcel2go.invalid/services/{service.slug}",
        },
        "MaxHeight": _metres(service.max_height),
        "MaxWidth": _metres(service.max_width),
        "MaxLength": _metres(service.max_length),
        "MaxWeight": float(service.max_weight),
        "MaxCover": float(service.max_cover),
        # Every sandbox service prints a label; PrintInStore is offered as an extra instead.
        "IsPrinterRequired": True,
        "ShortDescriptions": "",
        "Overview": f"{service.name} (sandbox)",
        "Features": "",
        "RequiresDimensions": False,
        "Classification": service.classification.value,
    }
