"""Wire models of the Sendcloud v3 requests and answers we use (``specs/sendcloud/v3``).

Requests leave out what is ``None``; answers ignore unknown fields (an additive change
must not break us) and read identifiers that come as numbers or strings alike (the
spec returns order ids as integers in one place and strings in another).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

__all__ = [
    "AuthMetadata",
    "CreatedOrder",
    "CreatedOrders",
    "Document",
    "ErrorObject",
    "ErrorsBody",
    "LabelAsync",
    "LabelDetails",
    "LabelFile",
    "LabelSync",
    "LabelSyncAnswer",
    "LabelSyncRequest",
    "LabelsAsyncAnswer",
    "LabelsAsyncOrder",
    "LabelsAsyncRequest",
    "OrderAddress",
    "OrderAnswer",
    "OrderDetails",
    "OrderIn",
    "OrderItem",
    "OrderRead",
    "OrderSelector",
    "OrdersPage",
    "PaymentDetails",
    "Price",
    "ShipWith",
    "Shipment",
    "ShipmentAnswer",
    "ShipmentParcel",
    "ShipmentsPage",
    "ShippingDetails",
    "StatusCode",
    "TrackingAnswer",
    "TrackingEventWire",
    "WebhookParcel",
    "WebhookPayload",
]


def _text(value: Any) -> Any:
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


Id = Annotated[str, BeforeValidator(_text)]
Amount = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore")


# --- requests -------------------------------------------------------------------------------


class Price(_Out):
    value: Amount
    currency: str


class StatusCode(_Out):
    code: str
    message: str | None = None


class Measure(_Out):
    value: Amount
    unit: str


class Dimension(_Out):
    length: Amount
    width: Amount
    height: Amount
    unit: str = "cm"


class Measurement(_Out):
    dimension: Dimension | None = None
    weight: Measure | None = None


class OrderItem(_Out):
    item_id: str | None = None
    name: str
    quantity: int
    sku: str | None = None
    hs_code: str | None = None
    country_of_origin: str | None = None
    unit_price: Price | None = None
    total_price: Price
    measurement: Measurement | None = None


class Integration(_Out):
    id: int


class OrderDetails(_Out):
    integration: Integration
    status: StatusCode
    order_created_at: str
    order_updated_at: str | None = None
    order_items: list[OrderItem]
    notes: str | None = None
    tags: list[str] | None = None


class PaymentDetails(_Out):
    total_price: Price
    subtotal_price: Price | None = None
    estimated_shipping_price: Price | None = None
    estimated_tax_price: Price | None = None
    status: StatusCode


class OrderAddress(_Out):
    name: str
    company_name: str | None = None
    address_line_1: str
    address_line_2: str | None = None
    postal_code: str
    city: str
    state_province_code: str | None = None
    country_code: str
    email: str | None = None
    phone_number: str | None = None


class CustomerDetails(_Out):
    name: str
    phone_number: str | None = None
    email: str | None = None


class ShipWithProperties(_Out):
    shipping_option_code: str
    contract_id: int | None = None


class ShipWith(_Out):
    type: Literal["shipping_option_code"] = "shipping_option_code"
    properties: ShipWithProperties


class ShippingDetails(_Out):
    measurement: Measurement | None = None
    ship_with: ShipWith | None = None


class CustomsDetails(_Out):
    commercial_invoice_number: str | None = None
    shipment_type: str | None = None
    export_type: str | None = None


class OrderIn(_Out):
    """One order of ``POST /api/v3/orders`` (an upsert on order_id + integration id)."""

    order_id: str
    order_number: str
    order_details: OrderDetails
    payment_details: PaymentDetails
    customs_details: CustomsDetails | None = None
    customer_details: CustomerDetails | None = None
    billing_address: OrderAddress | None = None
    shipping_address: OrderAddress
    shipping_details: ShippingDetails | None = None


class OrderSelector(_Out):
    order_id: str
    apply_shipping_rules: bool = False


class LabelDetails(_Out):
    mime_type: str
    dpi: int


class LabelSyncRequest(_Out):
    integration_id: int
    sender_address_id: int | None = None
    ship_with: ShipWith | None = None
    order: OrderSelector
    label_details: LabelDetails


class LabelsAsyncOrder(_Out):
    order_id: str
    apply_shipping_rules: bool = False


class LabelsAsyncRequest(_Out):
    integration_id: int
    sender_address_id: int | None = None
    ship_with: ShipWith | None = None
    orders: list[LabelsAsyncOrder]
    label_details: LabelDetails | None = None


# --- answers --------------------------------------------------------------------------------


class ErrorSource(_In):
    pointer: str | None = None
    parameter: str | None = None
    header: str | None = None


class ErrorObject(_In):
    status: Id | None = None
    code: str | None = None
    title: str | None = None
    detail: str | None = None
    source: ErrorSource | None = None

    @property
    def text(self) -> str:
        return self.detail or self.title or self.code or "refused by Sendcloud"


class ErrorsBody(_In):
    errors: list[ErrorObject] = Field(default_factory=list)


class AuthMetadataData(_In):
    user_id: Id | None = None
    integration_id: int


class AuthMetadata(_In):
    data: AuthMetadataData


class CreatedOrder(_In):
    id: Id
    order_id: str
    order_number: str | None = None


class CreatedOrders(_In):
    data: list[CreatedOrder] = Field(default_factory=list)


class ShipWithRead(_In):
    type: str | None = None
    properties: dict[str, Any] = Field(default_factory=dict)


class ShippingDetailsRead(_In):
    ship_with: ShipWithRead | None = None


class OrderRead(_In):
    id: Id
    order_id: str
    order_number: str | None = None
    created_at: str | None = None
    shipping_details: ShippingDetailsRead | None = None

    @property
    def shipping_option(self) -> str | None:
        ship_with = self.shipping_details.ship_with if self.shipping_details else None
        code = ship_with.properties.get("shipping_option_code") if ship_with else None
        return str(code) if code else None


class OrderAnswer(_In):
    data: OrderRead


class OrdersPage(_In):
    data: list[OrderRead] = Field(default_factory=list)


class LabelFile(_In):
    file: str | None = None
    mime_type: str | None = None
    dpi: int | None = None


class Document(_In):
    type: str | None = None
    size: str | None = None
    link: str | None = None


class LabelSync(_In):
    parcel_id: Id | None = None
    shipment_id: Id | None = None
    order_id: Id | None = None
    order_number: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None
    # The schema says ``label_details``, the spec's example ``label``: either is read.
    label_details: LabelFile | None = None
    label: LabelFile | None = None
    documents: list[Document] = Field(default_factory=list)

    @property
    def file(self) -> str | None:
        for part in (self.label_details, self.label):
            if part is not None and part.file:
                return part.file
        return None


class LabelSyncAnswer(_In):
    # The schema says an object, the spec's example a list of one: either is read.
    data: LabelSync | list[LabelSync] | None = None
    errors: list[ErrorObject] = Field(default_factory=list)

    @property
    def labels(self) -> list[LabelSync]:
        if self.data is None:
            return []
        return self.data if isinstance(self.data, list) else [self.data]


class LabelAsync(_In):
    shipment_id: Id | None = None
    order_id: Id | None = None
    order_number: str | None = None
    parcel_id: Id | None = None
    parcels_ids: list[Id] = Field(default_factory=list)


class LabelsAsyncAnswer(_In):
    data: list[LabelAsync] = Field(default_factory=list)
    errors: list[ErrorObject] = Field(default_factory=list)


class ParcelStatus(_In):
    code: str | None = None
    message: str | None = None


class ShipmentParcel(_In):
    id: Id
    status: ParcelStatus | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None
    documents: list[Document] = Field(default_factory=list)
    announced_at: str | None = None
    created_at: str | None = None


class Shipment(_In):
    id: Id
    order_number: str | None = None
    external_reference_id: str | None = None
    parcels: list[ShipmentParcel] = Field(default_factory=list)
    errors: list[ErrorObject] = Field(default_factory=list)
    ship_with: ShipWithRead | None = None


class ShipmentAnswer(_In):
    data: Shipment


class ShipmentsPage(_In):
    data: list[Shipment] = Field(default_factory=list)


class TrackingEventWire(_In):
    event_at: str | None = None
    event_type: str | None = None
    status_code: str | None = None
    sub_status_code: str | None = None
    status_type: str | None = None
    status_description: str | None = None


class TrackingAnswer(_In):
    events: list[TrackingEventWire] = Field(default_factory=list)


# --- webhooks -------------------------------------------------------------------------------


class WebhookStatus(_In):
    id: int | None = None
    message: str | None = None


class WebhookParcel(_In):
    id: Id
    tracking_number: str | None = None
    order_number: str | None = None
    external_order_id: str | None = None
    status: WebhookStatus | None = None


class WebhookPayload(_In):
    action: str
    timestamp: float | None = None
    carrier_status_change_timestamp: float | None = None
    parcel: WebhookParcel | None = None
