"""Wire models of the Clickpost requests and answers we use (specs/clickpost, research §2).

Requests leave out what is ``None``. Answers ignore unknown keys (Clickpost: "do not apply
strict JSON check … you might have new keys"), read ids that come as numbers or strings
alike, and keep times as the raw text: Clickpost mixes ISO ``Z`` times with naive Indian
ones (``2018-07-07 19:34:46``), which ``mapping.parse_time`` reads.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer

__all__ = [
    "CreateOrderResult",
    "Envelope",
    "GstInfo",
    "LabelResult",
    "Meta",
    "Scan",
    "ShipmentItem",
    "TrackRecord",
    "V3Additional",
    "V3CreateOrder",
    "V3DropInfo",
    "V3PickupInfo",
    "V3ReturnInfo",
    "V3ShipmentDetails",
    "V4Additional",
    "V4Address",
    "V4CreateOrder",
    "V4ShipmentDetails",
    "WebhookAdditional",
    "WebhookPayload",
    "WebhookRegistration",
]

WireMoney = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


def _text(value: Any) -> Any:
    # Waybills and ids come as strings or numbers; an empty string means none.
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _int(value: Any) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return value


Text = Annotated[str | None, BeforeValidator(_text)]
OptInt = Annotated[int | None, BeforeValidator(_int)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")


# --- requests: create order v3 (India) --------------------------------------------------------


class V3PickupInfo(_Request):
    pickup_name: str
    pickup_phone: str
    pickup_pincode: str
    pickup_address: str
    pickup_time: str
    pickup_city: str
    pickup_state: str
    pickup_country: str
    email: str | None = None
    tin: str | None = None


class V3DropInfo(_Request):
    drop_name: str
    drop_phone: str
    drop_pincode: str
    drop_address: str
    drop_city: str
    drop_state: str
    drop_country: str
    drop_email: str | None = None


class V3ReturnInfo(_Request):
    name: str
    phone: str
    pincode: str
    address: str
    city: str
    state: str
    country: str
    email: str | None = None


class ShipmentItem(_Request):
    sku: str
    description: str
    quantity: int
    price: WireMoney
    hs_code: str | None = None
    weight: int | None = None  # grams (v4 items)


class V3ShipmentDetails(_Request):
    order_type: str
    cod_value: WireMoney
    invoice_value: WireMoney
    invoice_number: str
    invoice_date: str
    reference_number: str
    length: int
    breadth: int
    height: int
    weight: int
    courier_partner: int
    account_code: str | None = None  # current docs' sample; the 2020 docs: additional
    items: list[ShipmentItem]


class GstInfo(_Request):
    enterprise_gstin: str | None = None
    seller_gstin: str | None = None
    is_seller_registered_under_gst: bool
    taxable_value: WireMoney
    gst_total_tax: WireMoney
    place_of_supply: str | None = None
    hsn_code: str | None = None
    invoice_reference: str | None = None


class V3Additional(_Request):
    label: bool = True
    delivery_type: str = "FORWARD"
    # ``async`` is a keyword: the field is written under its alias.
    async_: bool = Field(default=False, serialization_alias="async")
    account_code: str | None = None
    return_info: V3ReturnInfo | None = None
    order_date: str | None = None
    order_id: str | None = None
    vendor_code: str | None = None


class V3CreateOrder(_Request):
    pickup_info: V3PickupInfo
    drop_info: V3DropInfo
    shipment_details: V3ShipmentDetails
    gst_info: GstInfo | None = None
    additional: V3Additional


# --- requests: create order v4 (MENA, EU, US, SEA, UK) ------------------------------------------


class V4Address(_Request):
    name: str
    phone: str
    phone_code: str | None = None
    email: str | None = None
    address: str
    postal_code: str | None = None
    city: str
    district: str | None = None
    state: str | None = None
    country_code: str
    time: str | None = None  # pickup_info only


class V4ShipmentDetails(_Request):
    order_type: str
    cod_value: WireMoney
    invoice_value: WireMoney
    invoice_number: str
    invoice_date: str
    currency_code: str
    delivery_type: str = "FORWARD"
    reference_number: str
    length: int
    breadth: int
    height: int
    weight: int
    courier_partner: int
    account_code: str | None = None
    items: list[ShipmentItem]


class V4Additional(_Request):
    label: bool = True
    async_: bool = Field(default=False, serialization_alias="async")
    account_code: str | None = None
    order_date: str | None = None
    order_id: str | None = None
    vendor_code: str | None = None
    duty_fee_paid_by: str | None = None


class V4CreateOrder(_Request):
    pickup_info: V4Address
    drop_info: V4Address
    return_info: V4Address | None = None
    shipment_details: V4ShipmentDetails
    tax_info: dict[str, Any] | None = None
    additional: V4Additional


# --- answers ----------------------------------------------------------------------------------


class Meta(_Answer):
    status: OptInt = None
    status_code: OptInt = None
    message: Any = None
    success: bool | None = None


class Envelope(_Answer):
    """``{"meta":{"status","message","success"},"result":…}``; older calls put it on top."""

    meta: Meta | None = None
    result: Any = None
    status_code: OptInt = None
    message: Any = None
    success: bool | None = None
    order_id: Text = None
    webhook_key: Text = None  # register-webhook answers it on the top level

    @property
    def code(self) -> int | None:
        """``meta.status``, else ``meta.status_code``, else the top-level ``status_code``."""
        if self.meta is not None:
            if self.meta.status is not None:
                return self.meta.status
            if self.meta.status_code is not None:
                return self.meta.status_code
        return self.status_code

    @property
    def text(self) -> str:
        said = self.meta.message if self.meta is not None else None
        if said is None:
            said = self.message
        return "" if said is None else str(said)

    def result_dict(self) -> dict[str, Any]:
        return self.result if isinstance(self.result, dict) else {}


class CreateOrderResult(_Answer):
    waybill: Text = None
    label: Text = None
    reference_number: Text = None
    security_key: Text = None
    sort_code: Text = None
    courier_partner_id: OptInt = None
    courier_partner: OptInt = None  # the lookup (GET create-order) names it so
    courier_name: Text = None


class LabelResult(_Answer):
    shipping_label: Text = None


class Scan(_Answer):
    clickpost_status_code: OptInt = None
    clickpost_status_description: Text = None
    clickpost_status_bucket: OptInt = None
    status: Text = None
    remark: Text = None
    location: Text = None
    timestamp: Text = None
    checkpoint_id: Text = None


class TrackRecord(_Answer):
    latest_status: Scan | None = None
    scans: list[Scan] = Field(default_factory=list)
    additional: dict[str, Any] = Field(default_factory=dict)
    valid: bool = True


class WebhookAdditional(_Answer):
    latest_status: Scan | None = None
    notification_event_id: OptInt = None
    ndr_status_code: OptInt = None
    ndr_status_description: Text = None
    order_id: Text = None
    is_rvp: bool | None = None


class WebhookPayload(_Answer):
    waybill: Text = None
    cp_id: OptInt = None
    clickpost_status_code: OptInt = None
    clickpost_status_description: Text = None
    status: Text = None
    remark: Text = None
    location: Text = None
    timestamp: Text = None
    additional: WebhookAdditional | None = None
    # Named by the integration guidelines (seed 003), not by the API docs (research §2.6).
    order_status_id: Text = None
    latest_time_stamp: Text = None


class WebhookRegistration(_Answer):
    webhook_key: Text = None
