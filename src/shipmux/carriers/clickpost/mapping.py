"""Pure translations between our ``Order`` and Clickpost's wire models, both ways.

Nothing here does I/O or reads the clock: ``now`` is passed in. One of our orders is one
Clickpost shipment (``reference_number`` = our reference, Clickpost's idempotency key) of
one box: the v3 and v4 create calls take one set of dimensions and one weight.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shipmux.carriers.base import CarrierOrder, TrackingEvent, TrackingStage
from shipmux.carriers.clickpost import schemas as wire
from shipmux.carriers.clickpost.settings import ClickpostSettings, CourierAccount
from shipmux.carriers.clickpost.statuses import DELIVERED_CODE, stage_of
from shipmux.domain.errors import FieldProblem
from shipmux.domain.limits import CarrierLimits
from shipmux.domain.orders import Address, Order

__all__ = [
    "LIMITS",
    "carrier_order_from_result",
    "check_order",
    "create_body",
    "downtime_end",
    "event_hash",
    "is_downtime",
    "parse_time",
    "phone_parts",
    "problems_from_refusal",
    "read_back",
    "tracking_events",
]

# Clickpost's documented lengths (v3 and v4 field tables); one box per shipment.
LIMITS = CarrierLimits(
    reference_max=50,
    name_max=100,
    city_max=200,
    county_max=200,
    postcode_max=50,
    email_max=100,
    item_name_max=500,
    sku_max=50,
    packages_max=1,
)
ADDRESS_MAX = 500
INVOICE_NUMBER_MAX = 50

# Calling codes of the countries a v4 account is likely to ship between.
_CALLING_CODES: Mapping[str, str] = {
    "GB": "44", "IE": "353", "IN": "91", "US": "1", "CA": "1", "DE": "49", "FR": "33",
    "NL": "31", "BE": "32", "ES": "34", "IT": "39", "PT": "351", "AT": "43", "CH": "41",
    "SE": "46", "DK": "45", "NO": "47", "FI": "358", "PL": "48", "AE": "971", "SA": "966",
    "QA": "974", "KW": "965", "BH": "973", "OM": "968", "SG": "65", "MY": "60", "ID": "62",
    "TH": "66", "PH": "63", "VN": "84", "AU": "61", "NZ": "64",
}  # fmt: skip

_PINCODE = re.compile(r"^[1-9][0-9]{5}$")


# --- times ---------------------------------------------------------------------------------


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone(timedelta(hours=5, minutes=30), "IST")


def parse_time(raw: str | None, naive_zone: str = "Asia/Kolkata") -> datetime | None:
    """A Clickpost time: ISO with an offset or ``Z`` as given; without one, ``naive_zone``.

    Clickpost writes ``2019-05-06T10:04:20Z``, ``2018-07-07 19:34:46`` and
    ``2019-04-29 07:47:07.161221`` side by side; the naive ones are Indian time.
    """
    if not raw:
        return None
    text = raw.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_zone(naive_zone))
    return moment.astimezone(UTC)


# --- phones and addresses ---------------------------------------------------------------------


def phone_parts(phone: str | None, country: str) -> tuple[str | None, str]:
    """``(phone_code, national digits)``: "+447700900123" in GB -> ("+44", "7700900123")."""
    if not phone:
        return None, ""
    digits = re.sub(r"\D", "", phone)
    code = _CALLING_CODES.get(country.upper())
    international = phone.strip().startswith(("+", "00"))
    if international:
        digits = digits[2:] if phone.strip().startswith("00") else digits
        if code and digits.startswith(code):
            return f"+{code}", digits[len(code) :]
        return None, digits
    return (f"+{code}" if code else None), digits


def _indian_phone(phone: str | None) -> str:
    _, digits = phone_parts(phone, "IN")
    return digits


def _street(address: Address) -> str:
    parts = [address.company, address.line1, address.line2, address.line3]
    return ", ".join(p for p in parts if p)


# --- checks before any call -------------------------------------------------------------------


def _address_problems(
    prefix: str, address: Address, settings: ClickpostSettings
) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if len(_street(address)) > ADDRESS_MAX:
        problems.append(
            FieldProblem(
                f"{prefix}.line1", "max_length", f"the address is over {ADDRESS_MAX} characters"
            )
        )
    if not address.phone:
        problems.append(FieldProblem(f"{prefix}.phone", "required", "Clickpost needs a phone"))
    if settings.api_version == "v3":
        if address.country != "IN":
            problems.append(
                FieldProblem(
                    f"{prefix}.country",
                    "india_only",
                    "Clickpost's v3 API ships within India only (use a v4 account abroad)",
                )
            )
        if not address.postcode or not _PINCODE.match(address.postcode.replace(" ", "")):
            problems.append(
                FieldProblem(f"{prefix}.postcode", "pincode", "must be a 6-digit Indian pincode")
            )
        if not address.county:
            problems.append(
                FieldProblem(f"{prefix}.county", "required", "Clickpost v3 needs the state")
            )
        if address.phone and len(_indian_phone(address.phone)) not in (10, 11):
            problems.append(
                FieldProblem(f"{prefix}.phone", "phone", "must be a 10 or 11 digit phone number")
            )
    else:
        _, national = phone_parts(address.phone, address.country)
        if address.phone and not 0 < len(national) <= 11:
            problems.append(
                FieldProblem(f"{prefix}.phone", "phone", "at most 11 digits after the country code")
            )
    return problems


def check_order(
    order: Order, pickup: Address | None, settings: ClickpostSettings
) -> list[FieldProblem]:
    """What Clickpost would refuse that we can see without a call, in our field paths."""
    problems: list[FieldProblem] = []
    if settings.courier_for(order.service_code) is None:
        problems.append(
            FieldProblem(
                "service_code",
                "unknown_service",
                f"no Clickpost courier is configured for service '{order.service_code}'"
                if order.service_code
                else "the account has no default Clickpost courier",
            )
        )
    if pickup is None:
        problems.append(
            FieldProblem("sender", "required", "no sender, and the account has no pickup address")
        )
    else:
        problems += _address_problems("sender", pickup, settings)
    problems += _address_problems("recipient", order.recipient, settings)
    if not order.items:
        problems.append(FieldProblem("items", "required", "Clickpost needs the items shipped"))
    if len(order.packages) > 1:
        problems.append(FieldProblem("packages", "max_items", "Clickpost ships one box per order"))
    return problems


# --- our order -> create body -----------------------------------------------------------------


def _cm(mm: int) -> int:
    return max(1, math.ceil(mm / 10))


def _box(order: Order, settings: ClickpostSettings) -> tuple[int, int, int, int]:
    """``(length, breadth, height, weight)`` in whole cm and grams."""
    package = order.packages[0]
    dims = package.dimensions
    if dims is None:
        box = settings.default_box_cm
        return box.length, box.breadth, box.height, package.weight_grams
    return _cm(dims.length_mm), _cm(dims.width_mm), _cm(dims.height_mm), package.weight_grams


def _items(order: Order, with_customs: bool) -> list[wire.ShipmentItem]:
    return [
        wire.ShipmentItem(
            sku=(item.sku or item.name)[:50],
            description=(item.customs_description or item.name)[:500],
            quantity=item.quantity,
            price=item.unit_value,
            hs_code=item.hs_code if with_customs else None,
            weight=(item.unit_weight_grams or None) if with_customs else None,
        )
        for item in order.items
    ]


def _invoice_value(order: Order) -> Decimal:
    goods = sum((i.unit_value * i.quantity for i in order.items), Decimal("0"))
    return order.subtotal or goods or order.total


def _invoice(order: Order, now: datetime) -> tuple[str, str]:
    customs = order.customs
    number = (customs.invoice_number if customs else None) or order.reference
    when = (customs.invoice_date if customs else None) or order.order_date or now
    return number[:INVOICE_NUMBER_MAX], when.date().isoformat()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def create_body(
    order: Order,
    pickup: Address,
    courier: CourierAccount,
    settings: ClickpostSettings,
    now: datetime,
) -> wire.V3CreateOrder | wire.V4CreateOrder:
    """The create-order body of the account's API version (call ``check_order`` first)."""
    if settings.api_version == "v3":
        return _v3_body(order, pickup, courier, settings, now)
    return _v4_body(order, pickup, courier, settings, now)


def _v3_return(address: Address) -> wire.V3ReturnInfo:
    return wire.V3ReturnInfo(
        name=address.name,
        phone=_indian_phone(address.phone),
        pincode=(address.postcode or "").replace(" ", ""),
        address=_street(address),
        city=address.city,
        state=address.county or "",
        country=address.country,
        email=address.email,
    )


def _v3_body(
    order: Order,
    pickup: Address,
    courier: CourierAccount,
    settings: ClickpostSettings,
    now: datetime,
) -> wire.V3CreateOrder:
    length, breadth, height, weight = _box(order, settings)
    invoice_number, invoice_date = _invoice(order, now)
    value = _invoice_value(order)
    recipient = order.recipient
    hsn = next((i.hs_code for i in order.items if i.hs_code), None)
    return wire.V3CreateOrder(
        pickup_info=wire.V3PickupInfo(
            pickup_name=pickup.name,
            pickup_phone=_indian_phone(pickup.phone),
            pickup_pincode=(pickup.postcode or "").replace(" ", ""),
            pickup_address=_street(pickup),
            pickup_time=_iso(now),
            pickup_city=pickup.city,
            pickup_state=pickup.county or "",
            pickup_country=pickup.country,
            email=pickup.email,
            tin=settings.pickup_tin or settings.gstin,
        ),
        drop_info=wire.V3DropInfo(
            drop_name=recipient.name,
            drop_phone=_indian_phone(recipient.phone),
            drop_pincode=(recipient.postcode or "").replace(" ", ""),
            drop_address=_street(recipient),
            drop_city=recipient.city,
            drop_state=recipient.county or "",
            drop_country=recipient.country,
            drop_email=recipient.email,
        ),
        shipment_details=wire.V3ShipmentDetails(
            order_type="PREPAID",
            cod_value=Decimal("0"),
            invoice_value=value,
            invoice_number=invoice_number,
            invoice_date=invoice_date,
            reference_number=order.reference,
            length=length,
            breadth=breadth,
            height=height,
            weight=weight,
            courier_partner=courier.courier_partner_id,
            account_code=courier.account_code,
            items=_items(order, with_customs=False),
        ),
        gst_info=wire.GstInfo(
            enterprise_gstin=settings.gstin,
            seller_gstin=settings.gstin,
            is_seller_registered_under_gst=settings.gstin is not None,
            taxable_value=value,
            gst_total_tax=order.tax,
            place_of_supply=recipient.county,
            hsn_code=hsn,
            invoice_reference=invoice_number,
        ),
        additional=wire.V3Additional(
            async_=settings.async_create,
            account_code=courier.account_code,
            return_info=_v3_return(settings.return_address or pickup),
            order_date=(order.order_date or now).date().isoformat(),
            order_id=order.reference,
            vendor_code=settings.vendor_code,
        ),
    )


def _v4_address(address: Address, time: str | None = None) -> wire.V4Address:
    code, national = phone_parts(address.phone, address.country)
    return wire.V4Address(
        name=address.name,
        phone=national,
        phone_code=code,
        email=address.email,
        address=_street(address),
        postal_code=address.postcode,
        city=address.city,
        state=address.county,
        country_code=address.country,
        time=time,
    )


def _tax_info(order: Order) -> dict[str, Any] | None:
    customs = order.customs
    if customs is None:
        return None
    info = {
        "vat_number": customs.vat_number,
        "eori_number": customs.eori_number,
        "ioss_number": customs.ioss_number,
        "receiver_eori_number": customs.recipient_eori_number,
        "delivery_terms": customs.delivery_terms,
        "tax_amount": str(order.tax),
    }
    return {k: v for k, v in info.items() if v is not None} or None


def _v4_body(
    order: Order,
    pickup: Address,
    courier: CourierAccount,
    settings: ClickpostSettings,
    now: datetime,
) -> wire.V4CreateOrder:
    length, breadth, height, weight = _box(order, settings)
    invoice_number, invoice_date = _invoice(order, now)
    terms = order.customs.delivery_terms if order.customs else None
    duty = "S" if terms and terms.startswith(("DDP", "IOSS_DDP")) else None
    return wire.V4CreateOrder(
        pickup_info=_v4_address(pickup, time=_iso(now)),
        drop_info=_v4_address(order.recipient),
        return_info=_v4_address(settings.return_address or pickup),
        shipment_details=wire.V4ShipmentDetails(
            order_type="PREPAID",
            cod_value=Decimal("0"),
            invoice_value=_invoice_value(order),
            invoice_number=invoice_number,
            invoice_date=invoice_date,
            currency_code=order.currency,
            reference_number=order.reference,
            length=length,
            breadth=breadth,
            height=height,
            weight=weight,
            courier_partner=courier.courier_partner_id,
            account_code=courier.account_code,
            items=_items(order, with_customs=True),
        ),
        tax_info=_tax_info(order),
        additional=wire.V4Additional(
            async_=settings.async_create,
            account_code=courier.account_code,
            order_date=(order.order_date or now).date().isoformat(),
            order_id=order.reference,
            vendor_code=settings.vendor_code,
            duty_fee_paid_by=duty,
        ),
    )


# --- refusals -> our field paths --------------------------------------------------------------

# Order-creation and service codes (specs ``_error.md``) whose field is known.
_CODE_FIELDS: Mapping[int, str] = {
    302: "service_code",  # invalid courier partner id
    307: "order",  # invalid order type (we always send PREPAID)
    311: "service_code",
    312: "items",
    313: "items",
    315: "total",
    316: "service_code",  # no credentials for the courier partner
    320: "service_code",
    324: "service_code",
    351: "service_code",
    352: "service_code",  # several accounts: the couriers setting lacks an account_code
    353: "service_code",
    355: "sender",  # vendor code not found
}

# (words in Clickpost's message, our field under the party); the first match wins.
_WORDS: Sequence[tuple[tuple[str, ...], str]] = (
    (("pincode", "pin code", "postal", "zip", "serviceab"), "{party}.postcode"),
    (("phone", "mobile"), "{party}.phone"),
    (("email",), "{party}.email"),
    (("city",), "{party}.city"),
    (("state",), "{party}.county"),
    (("country",), "{party}.country"),
    (("courier", "cp_id", "account"), "service_code"),
    (("address",), "{party}.line1"),
    (("weight",), "packages[0].weight_grams"),
    (("length", "breadth", "height", "dimension"), "packages[0].dimensions"),
    (("reference",), "reference"),
    (("invoice_value", "invoice value", "taxable"), "subtotal"),
    (("invoice",), "customs.invoice_number"),
    (("currency",), "currency"),
    (("sku", "item", "quantity", "price"), "items"),
    (("name",), "{party}.name"),
)


# Clickpost's own texts for its codes (specs ``_error.md``): they name no field of ours
# ("… To Courier Partner"), so only what follows them is read for field words.
_DOCUMENTED_TEXTS = (
    "error in order placing to courier partner",
    "internal server error in courier partners server, try again",
    "unhandled cp error",
    "invalid format of order data",
    "invalid format of items for order data",
    "items data is missing from order details",
    "invalid post data",
)


def _detail(message: str) -> str:
    text = message.strip()
    lowered = text.lower()
    for documented in _DOCUMENTED_TEXTS:
        if lowered.startswith(documented):
            rest = text[len(documented) :].lstrip(" :-")
            return rest if rest else ""
    return text


def _field_of(code: int | None, message: str) -> str:
    text = _detail(message).lower()
    party = "sender" if "pickup" in text else "recipient"
    for words, path in _WORDS:
        if any(w in text for w in words):
            return path.format(party=party)
    if code is not None and code in _CODE_FIELDS:
        return _CODE_FIELDS[code]
    return "order"


def problems_from_refusal(code: int | None, message: str, result: Any = None) -> list[FieldProblem]:
    """Clickpost's refusal as problems on our fields, its own words kept.

    Clickpost names fields only in its free text (and some answers list them in
    ``result`` as ``{field: message}``); each becomes one problem.
    """
    rule = f"clickpost_{code}" if code is not None else "clickpost_rejected"
    problems: list[FieldProblem] = []
    if isinstance(result, dict):
        for key, said in result.items():
            if key in ("reference_number", "waybill", "label", "security_key", "sort_code"):
                continue
            if isinstance(said, str | list):
                words = said if isinstance(said, str) else "; ".join(map(str, said))
                problems.append(FieldProblem(_field_of(code, f"{key} {words}"), rule, words))
    if not problems:
        problems.append(FieldProblem(_field_of(code, message), rule, message or "refused"))
    return problems


# --- downtime ---------------------------------------------------------------------------------

_DOWNTIME_WORDS = ("downtime", "maintenance", "temporarily unavailable", "scheduled outage")
_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")
_END_KEYS = ("downtime_end", "downtime_till", "retry_after", "available_at", "resume_at", "till")


def is_downtime(message: str, result: Any = None) -> bool:
    """Whether Clickpost's answer announces a courier's (scheduled) downtime."""
    text = message.lower()
    if any(w in text for w in _DOWNTIME_WORDS):
        return True
    return isinstance(result, dict) and any(k in result for k in _END_KEYS)


def downtime_end(
    message: str, result: Any, now: datetime, naive_zone: str = "Asia/Kolkata"
) -> float | None:
    """Seconds until the downtime window ends, when the answer says; else None."""
    if isinstance(result, dict):
        for key in _END_KEYS:
            value = result.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool):
                return max(0.0, float(value))
            if isinstance(value, str):
                moment = parse_time(value, naive_zone)
                if moment is not None:
                    return max(0.0, (moment - now).total_seconds())
    found = _STAMP.search(message)
    if found:
        moment = parse_time(found.group(0), naive_zone)
        if moment is not None:
            return max(0.0, (moment - now).total_seconds())
    return None


# --- answers -> CarrierOrder / TrackingEvent --------------------------------------------------


def carrier_order_from_result(
    result: wire.CreateOrderResult,
    reference: str,
    courier: CourierAccount | None,
    service_code: str | None,
) -> CarrierOrder:
    """Our view of a created (or found) order. Raises ``ValueError`` without a waybill."""
    if not result.waybill:
        raise ValueError("the answer has no waybill")
    cp_id = result.courier_partner_id or result.courier_partner
    if cp_id is None and courier is not None:
        cp_id = courier.courier_partner_id
    data: dict[str, str] = {}
    if cp_id is not None:
        data["cp_id"] = str(cp_id)
    if courier is not None and courier.account_code and courier.courier_partner_id == cp_id:
        data["account_code"] = courier.account_code
    for key in ("security_key", "label", "sort_code", "courier_name"):
        value = getattr(result, key)
        if value:
            data["label_url" if key == "label" else key] = value
    return CarrierOrder(
        carrier_order_id=result.waybill,
        reference=result.reference_number or reference,
        tracking_number=result.waybill,
        carrier_shipment_ref=result.waybill,
        carrier_data=data,
        service_code=service_code,
    )


def tracking_events(record: wire.TrackRecord, waybill: str, naive_zone: str) -> list[TrackingEvent]:
    """The scans of a track-order record (newest first) as events, oldest first.

    Scans of codes we do not map, or without a readable time, are left out.
    """
    scans = record.scans or ([record.latest_status] if record.latest_status else [])
    events: list[TrackingEvent] = []
    # Clickpost lists scans newest first and times them to the second: read them oldest
    # first so that the stable sort below keeps scans of one second in their order.
    for scan in reversed(scans):
        stage = stage_of(scan.clickpost_status_code)
        occurred = parse_time(scan.timestamp, naive_zone)
        if stage is None or occurred is None:
            continue
        events.append(
            TrackingEvent(
                carrier_shipment_ref=waybill,
                stage=stage,
                occurred_at=occurred,
                carrier_code=str(scan.clickpost_status_code),
                description=scan.remark or scan.status or scan.clickpost_status_description,
                location=scan.location,
            )
        )
    events.sort(key=lambda e: e.occurred_at)
    return events


# Stages that do not prove the parcel left the pickup point.
_NOT_MOVED = frozenset(
    {TrackingStage.LABEL_CREATED, TrackingStage.EXCEPTION, TrackingStage.CANCELLED}
)


def read_back(known: CarrierOrder, record: wire.TrackRecord, naive_zone: str) -> CarrierOrder:
    """``known`` with what tracking proves: when it left and when it was delivered."""
    events = tracking_events(record, known.carrier_order_id, naive_zone)
    moved = [e for e in events if e.stage not in _NOT_MOVED]
    delivered = [e for e in events if e.carrier_code == str(DELIVERED_CODE)]
    return CarrierOrder(
        carrier_order_id=known.carrier_order_id,
        reference=known.reference,
        tracking_number=known.tracking_number or known.carrier_order_id,
        label_printed_at=known.label_printed_at,
        despatched_at=known.despatched_at or (moved[0].occurred_at if moved else None),
        manifested_at=known.manifested_at,
        delivered_at=known.delivered_at or (delivered[-1].occurred_at if delivered else None),
        package_tracking_numbers=known.package_tracking_numbers,
        carrier_shipment_ref=known.carrier_shipment_ref or known.carrier_order_id,
        carrier_data=known.carrier_data,
        service_code=known.service_code,
        price=known.price,
        currency=known.currency,
        paid_at=known.paid_at,
    )


def event_hash(waybill: str, code: int | None, timestamp: str | None) -> str:
    """A stable id for a webhook without Clickpost's status id: waybill, code and time."""
    text = f"{waybill}|{code if code is not None else ''}|{timestamp or ''}"
    return "cp-" + hashlib.sha256(text.encode()).hexdigest()[:32]
