"""Wire models of the Click & Drop requests and responses we use, written from the v1 spec.

Names follow ``shared/specs/royal-mail-click-and-drop/click-and-drop-api-v1-original.yaml``:
the classes keep the spec's definition names, the fields are snake_case with the
spec's camelCase (and its few PascalCase names: ``SKU``, ``IOSSNumber``) as aliases.
Requests carry the spec's length and range rules so a bad value fails here, before
it is sent; responses ignore unknown fields so an additive API change does not break us.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer
from pydantic.alias_generators import to_camel

__all__ = [
    "AddressRequest",
    "BillingDetailsRequest",
    "CreateOrderErrorResponse",
    "CreateOrderLabelErrorResponse",
    "CreateOrderRequest",
    "CreateOrderResponse",
    "CreateOrdersRequest",
    "CreateOrdersResponse",
    "CreatePackagesResponse",
    "DeleteOrdersResource",
    "DeletedOrderInfo",
    "DimensionsRequest",
    "ErrorResponse",
    "FailedOrderEcho",
    "FailedOrderResponse",
    "GetOrderInfoResource",
    "GetOrdersResponse",
    "GetVersionResource",
    "ManifestDetailsResponse",
    "ManifestEligibleOrdersRequest",
    "ManifestErrorsErrorDetailsResponse",
    "ManifestErrorsResponse",
    "ManifestOrdersResponse",
    "OrderErrorInfo",
    "OrderErrorResponse",
    "OrderFieldResponse",
    "OrderUpdateError",
    "PostageDetailsRequest",
    "ProductItemRequest",
    "RecipientDetailsRequest",
    "SenderDetailsRequest",
    "ShipmentPackageRequest",
    "TagRequest",
    "UpdateOrderStatusRequest",
    "UpdateOrderStatusResponse",
    "UpdateOrdersStatusRequest",
    "UpdatedOrderInfo",
]

# Money: "type: number, format: decimal, multipleOf: 0.01". Sent as a JSON number, not a string.
WireMoney = Annotated[
    Decimal,
    Field(ge=0, le=999_999, decimal_places=2),
    PlainSerializer(float, return_type=float, when_used="json"),
]


def _as_utc(value: datetime) -> datetime:
    # The live API answers with "Z" times; a zone-less time is read as UTC rather than refused.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]


class _Request(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )

    def to_wire(self) -> dict[str, object]:
        """The JSON body: spec names, optional fields left out rather than sent as null."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class _Response(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


# --- POST /orders -------------------------------------------------------------------------


class AddressRequest(_Request):
    full_name: str | None = Field(default=None, max_length=210)
    company_name: str | None = Field(default=None, max_length=100)
    address_line1: str = Field(max_length=100)
    address_line2: str | None = Field(default=None, max_length=100)
    address_line3: str | None = Field(default=None, max_length=100)
    city: str = Field(max_length=100)
    county: str | None = Field(default=None, max_length=100)
    postcode: str | None = Field(default=None, max_length=20)
    country_code: str = Field(max_length=3)


class RecipientDetailsRequest(_Request):
    address: AddressRequest | None = None
    phone_number: str | None = Field(default=None, max_length=25)
    email_address: str | None = Field(default=None, max_length=254)
    address_book_reference: str | None = Field(default=None, max_length=100)


class SenderDetailsRequest(_Request):
    trading_name: str | None = Field(default=None, max_length=250)
    phone_number: str | None = Field(default=None, max_length=25)
    email_address: str | None = Field(default=None, max_length=254)


class BillingDetailsRequest(_Request):
    address: AddressRequest | None = None
    phone_number: str | None = Field(default=None, max_length=25)
    email_address: str | None = Field(default=None, max_length=254)


class DimensionsRequest(_Request):
    height_in_mms: int = Field(gt=0)
    width_in_mms: int = Field(gt=0)
    depth_in_mms: int = Field(gt=0)


CustomsDeclarationCategory = Literal[
    "none",
    "gift",
    "commercialSample",
    "documents",
    "other",
    "returnedGoods",
    "commercialSaleOfGoods",
    "eCommerceSaleOfGoods",
]


class ProductItemRequest(_Request):
    name: str | None = Field(default=None, max_length=800)
    sku: str | None = Field(default=None, max_length=100, alias="SKU")
    quantity: int = Field(ge=1, le=999_999)
    unit_value: WireMoney | None = None
    unit_weight_in_grams: int | None = Field(default=None, ge=0, le=999_999)
    customs_description: str | None = Field(default=None, max_length=50)
    extended_customs_description: str | None = Field(default=None, max_length=300)
    customs_code: str | None = Field(default=None, max_length=10)
    origin_country_code: str | None = Field(default=None, max_length=3)
    customs_declaration_category: CustomsDeclarationCategory | None = None


# The enum lives only in the field's description in the spec.
PackageFormatIdentifier = Literal[
    "undefined",
    "letter",
    "largeLetter",
    "smallParcel",
    "mediumParcel",
    "largeParcel",
    "parcel",
    "documents",
]


class ShipmentPackageRequest(_Request):
    weight_in_grams: int = Field(ge=1, le=30_000)
    package_format_identifier: str
    dimensions: DimensionsRequest | None = None
    contents: list[ProductItemRequest] | None = None


class PostageDetailsRequest(_Request):
    send_notifications_to: Literal["sender", "recipient", "billing"] | None = None
    service_code: str | None = Field(default=None, max_length=10)
    consequential_loss: int | None = Field(default=None, ge=0, le=10_000)
    receive_email_notification: bool | None = None
    receive_sms_notification: bool | None = None
    request_signature_upon_delivery: bool | None = None
    safe_place: str | None = Field(default=None, max_length=90)
    ioss_number: str | None = Field(default=None, max_length=50, alias="IOSSNumber")
    commercial_invoice_number: str | None = Field(default=None, max_length=35)
    commercial_invoice_date: datetime | None = None
    recipient_eori_number: str | None = None


class TagRequest(_Request):
    key: str | None = Field(default=None, max_length=100)
    value: str | None = Field(default=None, max_length=100)


DeliveryTerm = Literal["DDP", "IOSS_DDP", "DDU_DAP", "IOSS_DDU", "DTP", "IOSS_DTP"]


class CreateOrderRequest(_Request):
    order_reference: str | None = Field(default=None, max_length=40)
    is_recipient_a_business: bool | None = None
    recipient: RecipientDetailsRequest
    sender: SenderDetailsRequest | None = None
    billing: BillingDetailsRequest | None = None
    packages: list[ShipmentPackageRequest] | None = None
    order_date: datetime
    special_instructions: str | None = Field(default=None, max_length=500)
    subtotal: WireMoney
    shipping_cost_charged: WireMoney
    total: WireMoney
    order_tax: WireMoney | None = None
    currency_code: str | None = Field(default=None, max_length=3)
    delivery_term: DeliveryTerm | None = None
    postage_details: PostageDetailsRequest | None = None
    tags: list[TagRequest] | None = None
    contains_dangerous_goods: bool | None = None
    dangerous_goods_un_code: str | None = Field(default=None, max_length=4)


class CreateOrdersRequest(_Request):
    items: list[CreateOrderRequest] = Field(min_length=1, max_length=100)


class CreatePackagesResponse(_Response):
    package_number: int | None = None
    tracking_number: str | None = None


class CreateOrderLabelErrorResponse(_Response):
    message: str | None = None
    code: str | None = None


class CreateOrderResponse(_Response):
    order_identifier: int
    order_reference: str | None = None
    created_on: UtcDatetime
    order_date: UtcDatetime | None = None
    printed_on: UtcDatetime | None = None
    manifested_on: UtcDatetime | None = None
    shipped_on: UtcDatetime | None = None
    tracking_number: str | None = None
    packages: list[CreatePackagesResponse] = Field(default_factory=list)
    label: str | None = None
    label_errors: list[CreateOrderLabelErrorResponse] = Field(default_factory=list)
    generated_documents: list[str] = Field(default_factory=list)


class OrderFieldResponse(_Response):
    field_name: str | None = None
    value: str | None = None


class CreateOrderErrorResponse(_Response):
    error_code: int | None = None
    error_message: str | None = None
    fields: list[OrderFieldResponse] = Field(default_factory=list)


class FailedOrderEcho(_Response):
    """The part of the echoed ``CreateOrderRequest`` we read back: its reference."""

    order_reference: str | None = None


class FailedOrderResponse(_Response):
    order: FailedOrderEcho | None = None
    errors: list[CreateOrderErrorResponse] = Field(default_factory=list)


class CreateOrdersResponse(_Response):
    success_count: int | None = None
    errors_count: int | None = None
    created_orders: list[CreateOrderResponse] = Field(default_factory=list)
    failed_orders: list[FailedOrderResponse] = Field(default_factory=list)


# --- GET /orders, GET /orders/{ids} ---------------------------------------------------------


class GetOrderInfoResource(_Response):
    order_identifier: int
    order_reference: str | None = None
    created_on: UtcDatetime
    order_date: UtcDatetime | None = None
    printed_on: UtcDatetime | None = None
    manifested_on: UtcDatetime | None = None
    shipped_on: UtcDatetime | None = None
    tracking_number: str | None = None
    packages: list[CreatePackagesResponse] = Field(default_factory=list)


class GetOrdersResponse(_Response):
    orders: list[GetOrderInfoResource] = Field(default_factory=list)
    continuation_token: str | None = None


# --- PUT /orders/status ----------------------------------------------------------------------


class UpdateOrderStatusRequest(_Request):
    # Exactly one of the two identifies the order; the spec forbids sending both.
    order_identifier: int | None = None
    order_reference: str | None = None
    status: Literal["new", "despatchedByOtherCourier", "despatched"]
    tracking_number: str | None = None
    despatch_date: datetime | None = None
    shipping_carrier: str | None = None
    shipping_service: str | None = None


class UpdateOrdersStatusRequest(_Request):
    items: list[UpdateOrderStatusRequest] = Field(min_length=1, max_length=100)


class _OrderNamed(_Response):
    """The pair every per-order answer of status and delete calls starts with."""

    order_identifier: int | None = None
    order_reference: str | None = None


class UpdatedOrderInfo(_OrderNamed):
    status: str | None = None


class OrderUpdateError(_OrderNamed):
    status: str | None = None
    code: str | None = None
    message: str | None = None


class UpdateOrderStatusResponse(_Response):
    updated_orders: list[UpdatedOrderInfo] = Field(default_factory=list)
    errors: list[OrderUpdateError] = Field(default_factory=list)


# --- DELETE /orders/{ids} --------------------------------------------------------------------


class DeletedOrderInfo(_OrderNamed):
    order_info: str | None = None


class OrderErrorInfo(_OrderNamed):
    code: str | None = None
    message: str | None = None


class DeleteOrdersResource(_Response):
    deleted_orders: list[DeletedOrderInfo] = Field(default_factory=list)
    errors: list[OrderErrorInfo] = Field(default_factory=list)


# --- Errors ---------------------------------------------------------------------------------


class ErrorResponse(_Response):
    code: str | None = None
    message: str
    details: str | None = None


class OrderErrorResponse(_Response):
    account_order_number: int | None = None
    channel_order_reference: str | None = None
    code: str | None = None
    message: str | None = None


# --- Manifests ------------------------------------------------------------------------------


class ManifestEligibleOrdersRequest(_Request):
    carrier_name: str | None = None


class ManifestOrdersResponse(_Response):
    # Typed "number" in responses, "integer" as a path parameter: read as a number, used as int.
    manifest_number: float
    document_pdf: str | None = None


class ManifestDetailsResponse(_Response):
    manifest_number: float
    status: Literal["In Progress", "Completed", "Failed"] | None = None
    document_pdf: str | None = None


class ManifestErrorsErrorDetailsResponse(_Response):
    code: str | None = None
    description: str | None = None


class ManifestErrorsResponse(_Response):
    errors: list[ManifestErrorsErrorDetailsResponse] = Field(default_factory=list)


# --- GET /version ---------------------------------------------------------------------------


class GetVersionResource(_Response):
    commit: str | None = None
    build: str | None = None
    release: str | None = None
    release_date: UtcDatetime
