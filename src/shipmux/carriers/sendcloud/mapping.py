"""Our orders -> Sendcloud's v3 order upsert, and Sendcloud's answers -> our types. No I/O.

One of our orders is one Sendcloud order: ``order_id`` and ``order_number`` are both our
reference (the upsert key is ``order_id`` + integration id, so sending it again updates
instead of duplicating; ``order_number`` is what the parcel, its shipment and its
``parcel_status_changed`` webhooks carry). Refusals name the failing order and field with
a JSON pointer (``/data/attributes/[1]/shipping_address/postal_code`` in the spec, also
``/data/1/...`` and ``/data/attributes/orders/0/...``), read here into our field paths.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal

from shipmux.carriers.base import CarrierOrder, TrackingEvent, TrackingStage
from shipmux.carriers.sendcloud import schemas as wire
from shipmux.carriers.sendcloud.statuses import stage_of_code
from shipmux.domain.errors import FieldProblem
from shipmux.domain.orders import Address, Order

__all__ = [
    "CURRENCIES",
    "REFERENCE_MAX",
    "check_order",
    "field_path",
    "order_in",
    "problems_by_order",
    "split_pointer",
]

# order_id is at most 64 characters in the ship-an-order selector (OrderSelectorOrderIdRequired).
REFERENCE_MAX = 64
# orders-price.currency is an enum of these three.
CURRENCIES = frozenset({"EUR", "GBP", "USD"})

_EXPORT_TYPES = {"gift": "gift", "sample": "commercial_sample", "return": "returned_goods"}


def _price(value: Decimal, currency: str) -> wire.Price:
    return wire.Price(value=value, currency=currency)


def _address(address: Address) -> wire.OrderAddress:
    lines = [address.line2, address.line3]
    return wire.OrderAddress(
        name=address.name,
        company_name=address.company,
        address_line_1=address.line1,
        address_line_2=", ".join(line for line in lines if line) or None,
        postal_code=address.postcode or "",
        city=address.city,
        state_province_code=None,
        country_code=address.country,
        email=address.email,
        phone_number=address.phone,
    )


def _items(order: Order) -> list[wire.OrderItem]:
    if not order.items:
        # order_items is required: an order without lines ships as one line of its value.
        return [
            wire.OrderItem(
                name=f"Order {order.reference}",
                quantity=1,
                total_price=_price(order.subtotal or order.total, order.currency),
            )
        ]
    return [
        wire.OrderItem(
            item_id=str(i + 1),
            name=item.customs_description or item.name,
            quantity=item.quantity,
            sku=item.sku,
            hs_code=item.hs_code,
            country_of_origin=item.origin_country,
            unit_price=_price(item.unit_value, order.currency),
            total_price=_price(item.unit_value * item.quantity, order.currency),
            measurement=(
                wire.Measurement(
                    weight=wire.Measure(value=Decimal(item.unit_weight_grams), unit="g")
                )
                if item.unit_weight_grams
                else None
            ),
        )
        for i, item in enumerate(order.items)
    ]


def _measurement(order: Order) -> wire.Measurement:
    first = order.packages[0].dimensions
    dimension = (
        wire.Dimension(
            length=Decimal(first.length_mm),
            width=Decimal(first.width_mm),
            height=Decimal(first.height_mm),
            unit="mm",
        )
        if first is not None and len(order.packages) == 1
        else None
    )
    weight = wire.Measure(value=Decimal(order.total_weight_grams), unit="g")
    return wire.Measurement(dimension=dimension, weight=weight)


def ship_with(code: str | None, contract_id: int | None) -> wire.ShipWith | None:
    if not code:
        return None
    props = wire.ShipWithProperties(shipping_option_code=code, contract_id=contract_id)
    return wire.ShipWith(properties=props)


def order_in(
    order: Order,
    integration_id: int,
    shipping_option: str | None,
    contract_id: int | None,
    now: datetime,
) -> wire.OrderIn:
    """The upsert body of one order (``order_id`` = ``order_number`` = our reference)."""
    currency = order.currency
    customs = order.customs
    return wire.OrderIn(
        order_id=order.reference,
        order_number=order.reference,
        order_details=wire.OrderDetails(
            integration=wire.Integration(id=integration_id),
            status=wire.StatusCode(code="fulfilled", message="Ready to ship"),
            order_created_at=(order.order_date or now).isoformat(),
            order_updated_at=now.isoformat(),
            order_items=_items(order),
            notes=order.notes,
            tags=list(order.tags) or None,
        ),
        payment_details=wire.PaymentDetails(
            total_price=_price(order.total, currency),
            subtotal_price=_price(order.subtotal, currency),
            estimated_shipping_price=_price(order.shipping_cost, currency),
            estimated_tax_price=_price(order.tax, currency),
            status=wire.StatusCode(code="paid", message="Paid"),
        ),
        customs_details=(
            wire.CustomsDetails(
                commercial_invoice_number=customs.invoice_number,
                shipment_type=_EXPORT_TYPES.get(customs.export_reason or "", "commercial_goods"),
                export_type="commercial_b2b" if order.recipient_is_business else "private",
            )
            if customs is not None and order.is_international
            else None
        ),
        customer_details=wire.CustomerDetails(
            name=order.recipient.name,
            phone_number=order.recipient.phone,
            email=order.recipient.email,
        ),
        billing_address=_address(order.billing) if order.billing else None,
        shipping_address=_address(order.recipient),
        shipping_details=wire.ShippingDetails(
            measurement=_measurement(order), ship_with=ship_with(shipping_option, contract_id)
        ),
    )


def check_order(order: Order) -> list[FieldProblem]:
    """What the v3 spec lets us see Sendcloud would refuse, before anything is sent."""
    problems: list[FieldProblem] = []
    if order.currency not in CURRENCIES:
        problems.append(
            FieldProblem("currency", "sendcloud_currency", "Sendcloud takes EUR, GBP or USD only")
        )
    if not order.recipient.postcode:
        problems.append(
            FieldProblem("recipient.postcode", "required", "Sendcloud needs a postal code")
        )
    if order.billing is not None and not order.billing.postcode:
        problems.append(
            FieldProblem("billing.postcode", "required", "Sendcloud needs a postal code")
        )
    return problems


# --- JSON pointers -> our field paths -------------------------------------------------------

_INDEX = re.compile(r"^\[?(\d+)\]?$")
_CONTAINERS = frozenset({"data", "attributes", "orders", "order", ""})

_ADDRESS = {
    "name": "name",
    "company_name": "company",
    "address_line_1": "line1",
    "house_number": "line1",
    "address_line_2": "line2",
    "postal_code": "postcode",
    "city": "city",
    "state_province_code": "county",
    "country_code": "country",
    "email": "email",
    "phone_number": "phone",
}
_PARTIES = {
    "shipping_address": "recipient",
    "to_address": "recipient",
    "billing_address": "billing",
    "from_address": "sender",
    "customer_details": "recipient",
}
_ITEM = {
    "name": "name",
    "quantity": "quantity",
    "sku": "sku",
    "hs_code": "hs_code",
    "country_of_origin": "origin_country",
    "unit_price": "unit_value",
    "total_price": "unit_value",
    "measurement": "unit_weight_grams",
}
_PAYMENT = {
    "total_price": "total",
    "subtotal_price": "subtotal",
    "estimated_shipping_price": "shipping_cost",
    "estimated_tax_price": "tax",
}


def split_pointer(pointer: str | None) -> tuple[int | None, list[str]]:
    """The order's index in the batch and the path within it, from an error's pointer.

    ``/data/attributes/[1]/order_details/integration`` -> (1, [order_details, integration]);
    ``/data/3/to_address/postal_code`` -> (3, [to_address, postal_code]); ``/data`` ->
    (None, []): the whole request.
    """
    parts = (pointer or "").strip().split("/")
    index: int | None = None
    rest: list[str] = []
    for i, part in enumerate(parts):
        if part in _CONTAINERS:
            continue
        if m := _INDEX.match(part):
            index = int(m.group(1))
            rest = parts[i + 1 :]
        else:
            rest = parts[i:]
        break
    return index, [p for p in rest if p]


def field_path(parts: Sequence[str]) -> str:
    """Our path for the part of an order a pointer names; ``order`` when it names none."""
    if not parts:
        return "order"
    head, rest = parts[0], list(parts[1:])
    if head in ("order_id", "order_number", "id"):
        return "reference"
    if head in _PARTIES:
        party = _PARTIES[head]
        ours = _ADDRESS.get(rest[0]) if rest else None
        return f"{party}.{ours}" if ours else party
    if head == "shipping_details":
        if "ship_with" in rest:
            return "service_code"
        return "packages"
    if head == "payment_details":
        if rest and rest[0] in _PAYMENT:
            field = _PAYMENT[rest[0]]
            return "currency" if rest[-1] == "currency" else field
        return "total"
    if head == "customs_details":
        return "customs"
    if head == "ship_with":
        return "service_code"
    if head == "order_details":
        return _details_path(rest)
    return "order"


def _details_path(rest: Sequence[str]) -> str:
    if rest and rest[0] == "order_items":
        if len(rest) > 1 and rest[1].strip("[]").isdigit():
            item = f"items[{rest[1].strip('[]')}]"
            if len(rest) > 2 and rest[-1] == "currency":
                return "currency"
            ours = _ITEM.get(rest[2]) if len(rest) > 2 else None
            return f"{item}.{ours}" if ours else item
        return "items"
    if rest and rest[0] in ("notes", "tags"):
        return rest[0]
    if rest and rest[0] == "order_created_at":
        return "order_date"
    return "order"


def problems_by_order(
    errors: Iterable[wire.ErrorObject], count: int
) -> tuple[dict[int, list[FieldProblem]], list[wire.ErrorObject]]:
    """Each refused order's problems by its index in the batch, and errors naming no order."""
    by_order: dict[int, list[FieldProblem]] = {}
    general: list[wire.ErrorObject] = []
    for error in errors:
        index, parts = split_pointer(error.source.pointer if error.source else None)
        if index is None or not 0 <= index < count:
            general.append(error)
            continue
        rule = f"sendcloud_{error.code}" if error.code else "rejected"
        by_order.setdefault(index, []).append(FieldProblem(field_path(parts), rule, error.text))
    return by_order, general


def is_still_processing(errors: Iterable[wire.ErrorObject]) -> bool:
    """The concurrency refusal: "We are still processing a previous request" (a 400)."""
    return any("still processing" in (e.detail or "").lower() for e in errors)


# --- answers -> our types -------------------------------------------------------------------


def carrier_order(
    sendcloud_id: str,
    reference: str,
    service_code: str | None,
    shipment: wire.Shipment | None = None,
) -> CarrierOrder:
    """Our view of a Sendcloud order; with its shipment once a label was made.

    ``carrier_shipment_ref`` is the ``order_number`` (our reference): the
    ``parcel_status_changed`` webhook's parcel carries it, and it is known at create,
    before any parcel exists (the hub stores the ref from the create's answer).
    """
    data: dict[str, str] = {}
    tracking: str | None = None
    numbers: tuple[str, ...] = ()
    if shipment is not None:
        data["shipment_id"] = shipment.id
        live = [p for p in shipment.parcels if not _void(p)]
        if live:
            data["parcel_id"] = live[0].id
            numbers = tuple(p.tracking_number for p in live if p.tracking_number)
            tracking = numbers[0] if numbers else None
    return CarrierOrder(
        carrier_order_id=sendcloud_id,
        reference=reference,
        tracking_number=tracking,
        package_tracking_numbers=numbers,
        carrier_shipment_ref=reference,
        carrier_data=data,
        service_code=service_code,
    )


def _void(parcel: wire.ShipmentParcel) -> bool:
    code = (parcel.status.code if parcel.status else None) or ""
    return code.upper() in ("ANNOUNCEMENT_FAILED", "CANCELLED")


def live_shipment(shipments: Iterable[wire.Shipment]) -> wire.Shipment | None:
    """The shipment whose parcel is not cancelled or failed: the order's current one."""
    for shipment in shipments:
        if shipment.parcels and not all(_void(p) for p in shipment.parcels):
            return shipment
    return None


def tracking_events(answer: wire.TrackingAnswer, ref: str) -> list[TrackingEvent]:
    """Events in our stages, oldest first; events of a code we do not know are left out."""
    events: list[TrackingEvent] = []
    for event in answer.events:
        stage: TrackingStage | None = stage_of_code(event.status_code)
        if stage is None or not event.event_at:
            continue
        try:
            when = datetime.fromisoformat(event.event_at.replace("Z", "+00:00"))
        except ValueError:
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        events.append(
            TrackingEvent(
                carrier_shipment_ref=ref,
                stage=stage,
                occurred_at=when,
                carrier_code=event.status_code or "",
                description=event.status_description,
            )
        )
    return sorted(events, key=lambda e: e.occurred_at)
