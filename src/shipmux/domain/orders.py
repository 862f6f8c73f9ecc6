"""The canonical order: the union of what every supported carrier needs.

Units are fixed so no carrier mapping has to guess: weights in grams, lengths in
millimetres, money as ``Decimal`` with two places in the order's currency,
countries as ISO 3166-1 alpha-2, times timezone-aware.
"""

from __future__ import annotations

import enum
import functools
from decimal import Decimal
from typing import Annotated

import pycountry
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

__all__ = [
    "Address",
    "CustomsCategory",
    "CustomsInfo",
    "DangerousGoods",
    "Dimensions",
    "ExportReason",
    "Extras",
    "Item",
    "Order",
    "Package",
    "PackageFormat",
    "VatStatus",
    "is_country",
]


@functools.cache
def _countries() -> frozenset[str]:
    # pycountry takes a lock on every lookup; intake checks thousands of orders a second.
    return frozenset(c.alpha_2 for c in pycountry.countries)


@functools.cache
def _currencies() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.currencies)


def is_country(code: str) -> bool:
    """Whether ``code`` is an ISO 3166-1 alpha-2 country code."""
    return code.upper() in _countries()


def _known_country(code: str) -> str:
    upper = code.upper()
    if upper not in _countries():
        raise ValueError(f"'{code}' is not an ISO 3166-1 alpha-2 country code")
    return upper


def _known_currency(code: str) -> str:
    upper = code.upper()
    if upper not in _currencies():
        raise ValueError(f"'{code}' is not an ISO 4217 currency code")
    return upper


CountryCode = Annotated[str, Field(min_length=2, max_length=2), AfterValidator(_known_country)]
CurrencyCode = Annotated[str, Field(min_length=3, max_length=3), AfterValidator(_known_currency)]
# Generous outer bounds; the receiving carrier's stricter limits are checked by domain.limits.
Money = Annotated[Decimal, Field(ge=0, le=999_999, max_digits=9, decimal_places=2)]
ShortText = Annotated[str, Field(max_length=255)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class PackageFormat(enum.StrEnum):
    LETTER = "letter"
    LARGE_LETTER = "large_letter"
    SMALL_PARCEL = "small_parcel"
    MEDIUM_PARCEL = "medium_parcel"
    LARGE_PARCEL = "large_parcel"
    PARCEL = "parcel"
    DOCUMENTS = "documents"


class CustomsCategory(enum.StrEnum):
    GIFT = "gift"
    COMMERCIAL_SAMPLE = "commercial_sample"
    DOCUMENTS = "documents"
    RETURNED_GOODS = "returned_goods"
    SALE_OF_GOODS = "sale_of_goods"
    OTHER = "other"


class ExportReason(enum.StrEnum):
    SALE = "sale"
    GIFT = "gift"
    SAMPLE = "sample"
    DOCUMENTS = "documents"
    RETURN = "return"
    REPAIR = "repair"
    OTHER = "other"


class VatStatus(enum.StrEnum):
    REGISTERED = "registered"
    NOT_REGISTERED = "not_registered"
    PRIVATE = "private"


class Address(_Model):
    """A postal address with the contact who receives or sends there."""

    name: str = Field(min_length=1, max_length=255)
    company: ShortText | None = None
    line1: str = Field(min_length=1, max_length=255)
    line2: ShortText | None = None
    line3: ShortText | None = None
    city: str = Field(min_length=1, max_length=255)
    county: ShortText | None = Field(default=None, description="County, state or province")
    postcode: str | None = Field(default=None, max_length=20)
    country: CountryCode
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")


class Item(_Model):
    """One line of goods; its customs fields matter for international parcels."""

    name: str = Field(min_length=1, max_length=800)
    sku: str | None = Field(default=None, max_length=100)
    quantity: int = Field(ge=1, le=999_999)
    unit_value: Money = Decimal("0")
    unit_weight_grams: int = Field(default=0, ge=0, le=999_999)
    hs_code: str | None = Field(default=None, max_length=10, pattern=r"^[0-9]{6,10}$")
    origin_country: CountryCode | None = None
    customs_description: str | None = Field(default=None, max_length=300)
    customs_category: CustomsCategory | None = None


class Dimensions(_Model):
    length_mm: int = Field(gt=0, le=10_000)
    width_mm: int = Field(gt=0, le=10_000)
    height_mm: int = Field(gt=0, le=10_000)


class Package(_Model):
    """One physical parcel of the order."""

    weight_grams: int = Field(gt=0, le=1_000_000)
    format: PackageFormat = PackageFormat.PARCEL
    dimensions: Dimensions | None = None


class Extras(_Model):
    """Optional services a carrier may charge for or honour."""

    signature: bool = False
    sms_notification: bool = False
    email_notification: bool = False
    cover_value: Money | None = Field(default=None, description="Declared value for cover")
    safe_place: str | None = Field(default=None, max_length=255)
    delivery_guarantee: bool = Field(
        default=False, description="Money back if late, where the carrier sells it"
    )
    print_in_store: bool = Field(
        default=False, description="Drop-off services: the shop prints the label (no printer)"
    )


class DangerousGoods(_Model):
    un_code: str = Field(pattern=r"^(UN)?[0-9]{4}$")
    description: str | None = Field(default=None, max_length=500)


class CustomsInfo(_Model):
    """What a customs declaration and an international carrier need."""

    export_reason: ExportReason | None = None
    vat_status: VatStatus | None = None
    vat_number: str | None = Field(default=None, max_length=20)
    eori_number: str | None = Field(default=None, max_length=20)
    ioss_number: str | None = Field(default=None, max_length=50)
    recipient_eori_number: str | None = Field(default=None, max_length=20)
    invoice_number: str | None = Field(default=None, max_length=35)
    invoice_date: AwareDatetime | None = None
    delivery_terms: str | None = Field(
        default=None, pattern=r"^(DDP|DDU|DAP|DTP|IOSS_DDP|IOSS_DDU|IOSS_DTP|DDU_DAP)$"
    )


class Order(_Model):
    """An order as the merchant hands it to the hub."""

    reference: str = Field(min_length=1, max_length=100, description="Unique per tenant")
    order_date: AwareDatetime | None = None
    recipient: Address
    sender: Address | None = None
    billing: Address | None = None
    recipient_is_business: bool = False
    items: list[Item] = Field(default_factory=list, max_length=200)
    packages: list[Package] = Field(min_length=1, max_length=50)
    currency: CurrencyCode = "GBP"
    subtotal: Money = Decimal("0")
    shipping_cost: Money = Decimal("0")
    tax: Money = Decimal("0")
    total: Money = Decimal("0")
    carrier_account: str | None = Field(default=None, max_length=100)
    service_code: str | None = Field(default=None, max_length=50)
    extras: Extras = Field(default_factory=Extras)
    dangerous_goods: DangerousGoods | None = None
    customs: CustomsInfo | None = None
    tags: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=50
    )
    notes: str | None = Field(default=None, max_length=1000)

    @property
    def total_weight_grams(self) -> int:
        return sum(p.weight_grams for p in self.packages)

    @property
    def is_international(self) -> bool:
        origin = self.sender.country if self.sender else "GB"
        return self.recipient.country != origin
