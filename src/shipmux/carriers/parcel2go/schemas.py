"""Wire models of the Parcel2Go requests and answers we use (seed, research, ADR 0006).

Parcel2Go's JSON is PascalCase; fields here are snake_case with PascalCase aliases.
Requests leave out what is ``None``; answers ignore unknown fields (an additive change
must not break us) and read identifiers that come as numbers or strings alike.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
)
from pydantic.alias_generators import to_pascal

__all__ = [
    "ContentLine",
    "CreateOrderResponse",
    "CustomerDetails",
    "ErrorLine",
    "ErrorsBody",
    "ExtraRequest",
    "LabelsResponse",
    "OrderAddress",
    "OrderItem",
    "OrderLineMapEntry",
    "OrderParcel",
    "OrderRead",
    "OrderReadItem",
    "OrderRequest",
    "OrdersPage",
    "PayResponse",
    "Quote",
    "QuoteAddress",
    "QuoteExtra",
    "QuoteParcel",
    "QuoteRequest",
    "QuotedExtra",
    "QuotesResponse",
    "Service",
    "TokenError",
    "TokenResponse",
    "TrackingResponse",
    "TrackingResult",
    "VerifyResponse",
    "WebhookEnvelope",
]

# Prices are GBP with two places, sent as JSON numbers.
WireMoney = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


def _as_utc(value: datetime) -> datetime:
    # Quote and order dates come without an offset ("2021-02-15T00:00:00"): read them as UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]


def _links(value: Any) -> Any:
    # Links come as {name: url} in some answers and as [{"Name","Link"}] in others (research §3.8).
    if isinstance(value, list):
        return {
            str(entry.get("Name") or entry.get("name")): str(entry.get("Link") or entry.get("link"))
            for entry in value
            if isinstance(entry, dict)
        }
    return value if value is not None else {}


Links = Annotated[dict[str, str], BeforeValidator(_links)]


class _Request(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_pascal, populate_by_name=True, extra="forbid", frozen=True
    )

    def to_wire(self) -> dict[str, object]:
        """The JSON body: Parcel2Go's names, optional fields left out rather than sent as null."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class _Response(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_pascal,
        populate_by_name=True,
        extra="ignore",
        coerce_numbers_to_str=True,
    )


# --- POST /api/quotes -------------------------------------------------------------------------


class QuoteAddress(_Request):
    country: str = Field(min_length=3, max_length=3)  # ISO-3
    postcode: str | None = None
    subdivision: str | None = None  # a separately priced region (seed: "Country Subdivisions")


class QuoteParcel(_Request):
    value: WireMoney
    weight: float = Field(gt=0)  # kg
    length: float | None = Field(default=None, gt=0)  # cm
    width: float | None = Field(default=None, gt=0)
    height: float | None = Field(default=None, gt=0)


class ExtraRequest(_Request):
    type: str


class QuoteRequest(_Request):
    collection_address: QuoteAddress
    delivery_address: QuoteAddress
    parcels: list[QuoteParcel] = Field(min_length=1)
    extras: list[ExtraRequest] | None = None


class QuoteExtra(_Response):
    """An entry of ``AvailableExtras``: ``Price`` without VAT, ``Total`` with it."""

    type: str
    price: Decimal = Decimal("0")
    vat: Decimal = Decimal("0")
    total: Decimal = Decimal("0")


class QuotedExtra(_Response):
    """An entry of ``Extras``: an extra asked for, its ``Amount`` without VAT."""

    type: str
    amount: Decimal = Decimal("0")


class Service(_Response):
    slug: str
    name: str = ""
    courier_name: str = ""
    courier_slug: str = ""
    collection_type: str | None = None  # Collection | Shop | Locker
    delivery_type: str | None = None
    max_weight: float | None = None  # kg
    max_length: float | None = None  # metres
    max_width: float | None = None
    max_height: float | None = None
    requires_dimensions: bool = False


class Quote(_Response):
    service: Service
    total_price: Decimal
    total_price_ex_vat: Decimal
    total_vat: Decimal = Decimal("0")
    estimated_delivery_date: UtcDatetime | None = None
    collection: UtcDatetime | None = None
    cut_off: UtcDatetime | None = None
    extras: list[QuotedExtra] = Field(default_factory=list)
    available_extras: list[QuoteExtra] = Field(default_factory=list)


class QuotesResponse(_Response):
    quotes: list[Quote] = Field(default_factory=list)
    errors: list[ErrorLine] = Field(default_factory=list)


# --- POST /api/orders, /api/orders/verify ----------------------------------------------------


class OrderAddress(_Request):
    contact_name: str
    organisation: str | None = None
    email: str | None = None
    phone: str | None = None
    property: str
    street: str
    locality: str | None = None
    town: str
    county: str | None = None
    postcode: str | None = None
    country_iso_code: str = Field(min_length=3, max_length=3)
    subdivision: str | None = None
    special_instructions: str | None = None


class ContentLine(_Request):
    description: str
    quantity: int = Field(ge=1)
    estimated_value: WireMoney
    tariff_code: str | None = None
    # Printed verbatim on the commercial invoice; the Swagger asks for a name (research §3.6).
    origin_country: str | None = None


class OrderParcel(_Request):
    id: str
    weight: float = Field(gt=0)  # kg
    length: float | None = Field(default=None, gt=0)  # cm
    width: float | None = Field(default=None, gt=0)
    height: float | None = Field(default=None, gt=0)
    estimated_value: WireMoney
    delivery_address: OrderAddress
    contents_summary: str | None = None
    contents: list[ContentLine] | None = None


class OrderItem(_Request):
    id: str
    collection_date: datetime
    service: str
    reference: str | None = Field(default=None, max_length=50)
    upsells: list[ExtraRequest] | None = None
    collection_address: OrderAddress
    parcels: list[OrderParcel] = Field(min_length=1)
    # Customs, for international items (seed, "Customs").
    origin_country: str | None = None  # ISO-3
    export_reason: str | None = None
    vat_status: str | None = None
    vat_number: str | None = None
    eori_number: str | None = None
    ioss_code: str | None = Field(default=None, alias="IOSSCode")


class CustomerDetails(_Request):
    email: str
    forename: str
    surname: str


class OrderRequest(_Request):
    items: list[OrderItem] = Field(min_length=1)
    customer_details: CustomerDetails


class ErrorLine(_Response):
    """One refusal: ``{Type, Error, ItemId}`` on orders, ``{Name, Description}`` on payments."""

    type: str | None = None
    error: str | None = None
    item_id: str | None = None
    name: str | None = None
    description: str | None = None
    message: str | None = None

    @property
    def text(self) -> str:
        return self.error or self.description or self.message or self.name or "refused"


class ErrorsBody(_Response):
    """A refusal body: the ``Errors`` list, or ASP.NET's lone ``Message``."""

    errors: list[ErrorLine] = Field(default_factory=list)
    message: str | None = None


class VerifyResponse(_Response):
    errors: list[ErrorLine] = Field(default_factory=list)
    cost: Decimal | None = None


class OrderLineMapEntry(_Response):
    hash: str | None = None
    order_line_id: str
    item_id: str | None = None


class CreateOrderResponse(_Response):
    order_id: str | None = None
    links: Links = Field(default_factory=dict)
    total_price: Decimal | None = None
    total_vat: Decimal | None = None
    total_price_ex_vat: Decimal | None = None
    hash: str | None = None
    orderline_id_map: list[OrderLineMapEntry] = Field(default_factory=list, alias="OrderlineIdMap")
    errors: list[ErrorLine] = Field(default_factory=list)


# --- GET /api/orders, /api/me/orders/detail ---------------------------------------------------


class OrderReadItem(_Response):
    id: str | None = None
    reference: str | None = None
    order_line_id: str | None = None
    service: str | None = None


class OrderRead(_Response):
    order_id: str
    hash: str | None = None
    paid_date: UtcDatetime | None = None
    total_price: Decimal | None = None
    total_price_ex_vat: Decimal | None = None
    items: list[OrderReadItem] = Field(default_factory=list)
    links: Links = Field(default_factory=dict)


class OrdersPage(_Response):
    orders: list[OrderRead] = Field(default_factory=list)
    total_count: int | None = None


# --- POST /api/orders/{id}/paywithprepay ------------------------------------------------------


class PayResponse(_Response):
    links: Links = Field(default_factory=dict)
    errors: list[ErrorLine] = Field(default_factory=list)


# --- GET /api/labels/{reference} --------------------------------------------------------------


class LabelsResponse(_Response):
    successful_labels: int = 0
    failed_labels: int = 0
    base64_encoded_labels: list[str] = Field(default_factory=list)


# --- GET /api/tracking/{OrderLineId} ----------------------------------------------------------


class TrackingResult(_Response):
    timestamp: UtcDatetime
    stage: str | None = None
    status_code: str | None = None
    description: str | None = None
    details: str | None = None
    location: str | None = None


class TrackingResponse(_Response):
    order_line_id: str | None = None
    stage: str | None = None
    delivered: bool | None = None
    tracking_number: str | None = None
    results: list[TrackingResult] = Field(default_factory=list)


# --- POST /auth/connect/token (OAuth names, not PascalCase) -----------------------------------


class TokenResponse(BaseModel):
    model_config = ConfigDict(extra="ignore")

    access_token: str = Field(min_length=1)
    expires_in: float = Field(gt=0)
    token_type: str = "Bearer"
    scope: str | None = None


class TokenError(BaseModel):
    model_config = ConfigDict(extra="ignore")

    error: str | None = None
    error_description: str | None = None


# --- webhooks ---------------------------------------------------------------------------------


class WebhookEnvelope(_Response):
    """The body of every webhook; ``Timestamp`` is kept as sent, it is part of what is signed."""

    id: str = Field(min_length=1)
    timestamp: str = Field(min_length=1)
    signature: str = Field(min_length=1)
    type: str = Field(min_length=1)
    payload: dict[str, Any] = Field(default_factory=dict)
