"""The one small interface every carrier connector implements.

Connectors take and return these types; services never see a carrier's wire
format. Capabilities are declared, not discovered: a service checks
``Capability`` membership before it calls an optional method.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar, Protocol, runtime_checkable

from shipmux.domain.errors import FieldProblem
from shipmux.domain.limits import CarrierLimits
from shipmux.domain.orders import Order

__all__ = [
    "Capability",
    "Carrier",
    "CarrierOrder",
    "CarrierWebhook",
    "CaseUpdate",
    "CreateResult",
    "LabelDocument",
    "LabelRequest",
    "Rate",
    "RateExtra",
    "TrackingEvent",
    "TrackingStage",
    "WebhookRequest",
]


class Capability(enum.StrEnum):
    BATCH_CREATE = "batch_create"  # create_orders takes more than one order per call
    LOOKUP_BY_REFERENCE = "lookup_by_reference"  # find_orders works on our references
    LABEL_PDF = "label_pdf"
    LABEL_BATCH = "label_batch"  # fetch_labels takes many orders per call
    LABEL_PNG = "label_png"
    LABEL_ZPL = "label_zpl"
    CANCEL = "cancel"
    DESPATCH = "despatch"  # the carrier can be told an order left the building
    MANIFEST = "manifest"
    POLL_TRACKING = "poll_tracking"
    PUSH_TRACKING = "push_tracking"
    QUOTE = "quote"
    # Created orders are unpaid until ``pay``; labels only exist after it (Parcel2Go).
    PAYMENT = "payment"


class TrackingStage(enum.StrEnum):
    """The hub's one list of tracking stages; every carrier's codes map onto it."""

    LABEL_CREATED = "label_created"  # the carrier knows the parcel; nothing has moved
    DROPPED_OFF = "dropped_off"  # handed in at a shop or locker
    COLLECTED = "collected"  # picked up by the carrier
    IN_TRANSIT = "in_transit"
    AT_DEPOT = "at_depot"
    OUT_FOR_DELIVERY = "out_for_delivery"  # also "delivery scheduled"
    FAILED_ATTEMPT = "failed_attempt"  # tried to deliver, will try again
    DELIVERED = "delivered"
    EXCEPTION = "exception"  # something is wrong (the event's code says what)
    RETURNED = "returned"  # on its way back, or back, to the sender
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class TrackingEvent:
    """One thing that happened to a parcel, as the carrier reported it."""

    carrier_shipment_ref: str  # the carrier's parcel reference (Parcel2Go OrderLineId)
    stage: TrackingStage
    occurred_at: datetime
    carrier_code: str = ""
    description: str | None = None
    location: str | None = None


@dataclass(frozen=True, slots=True)
class CaseUpdate:
    """An enquiry or claim the carrier opened or moved on (Parcel2Go ``Case``)."""

    case_id: str
    case_type: str | None  # Enquiry | Claim
    status: str | None
    reference: str | None
    customer_reference: str | None  # our reference, where the carrier echoes it
    carrier_shipment_ref: str | None


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    """A webhook as it reached us: the raw body bytes (never re-serialised), headers
    (names lower-cased) and query parameters."""

    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CarrierWebhook:
    """A webhook whose signature and age were checked: what it says, in our terms."""

    event_id: str
    event_type: str
    sent_at: datetime
    tracking: TrackingEvent | None = None
    case: CaseUpdate | None = None


@dataclass(frozen=True, slots=True)
class RateExtra:
    """An extra on a rate: ``included`` ones are in the price, the others are offers."""

    kind: str  # the carrier's own name: Sms, Signature, Cover, ...
    price: Decimal  # with VAT
    price_ex_vat: Decimal


@dataclass(frozen=True, slots=True)
class Rate:
    """One service the carrier offers for an order, priced."""

    service_code: str
    service_name: str
    courier: str
    price: Decimal  # with VAT, extras asked for included
    price_ex_vat: Decimal
    currency: str
    collection: str  # "collection" | "drop_off"
    estimated_delivery: date | None = None
    extras: tuple[RateExtra, ...] = ()
    available_extras: tuple[RateExtra, ...] = ()


@dataclass(frozen=True, slots=True)
class CarrierOrder:
    """What the carrier holds for one of our orders."""

    carrier_order_id: str
    reference: str
    tracking_number: str | None = None
    label_printed_at: datetime | None = None
    despatched_at: datetime | None = None
    manifested_at: datetime | None = None
    delivered_at: datetime | None = None
    package_tracking_numbers: tuple[str, ...] = ()
    # The carrier's parcel reference webhooks and tracking name (Parcel2Go OrderLineId).
    carrier_shipment_ref: str | None = None
    # What the connector needs again later (Parcel2Go's order Hash); not secret.
    carrier_data: Mapping[str, str] = field(default_factory=dict)
    service_code: str | None = None
    price: Decimal | None = None  # with VAT, as the carrier will charge it
    currency: str | None = None
    paid_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CreateResult:
    """The carrier's answer for one order of a create call: created or rejected."""

    reference: str
    created: CarrierOrder | None = None
    problems: list[FieldProblem] = field(default_factory=list)
    message: str | None = None

    @property
    def ok(self) -> bool:
        return self.created is not None


@dataclass(frozen=True, slots=True)
class LabelRequest:
    """Which document the hub wants; connectors ignore what they cannot do."""

    format: str = "pdf"  # pdf | png | zpl
    media: str | None = None  # a4 | 4x6 | a4-4x6; None: the account's default
    include_customs: bool = True
    include_returns_label: bool = False


@dataclass(frozen=True, slots=True)
class LabelDocument:
    """An order's label: a document, or its pages of a document several orders share.

    A carrier that answers one document for a batch (Click & Drop) gives each order of
    the batch the same ``content`` object with that order's ``pages``, so the document
    is stored once and an order's own label is cut from it only when someone asks.
    """

    content: bytes
    media_type: str = "application/pdf"
    # Where the carrier assigns the tracking number only with the label (Sendcloud).
    tracking_number: str | None = None
    # The 0-based pages of ``content`` that are this order's; None: the whole document.
    pages: tuple[int, ...] | None = None


@runtime_checkable
class Carrier(Protocol):
    """A connector for one carrier account.

    Construction does no I/O. Every method may raise any ``CarrierError``; a
    create whose outcome is unknown raises ``OutcomeUnknown`` and must be
    followed by ``find_orders`` before it is sent again.
    """

    slug: ClassVar[str]
    capabilities: ClassVar[frozenset[Capability]]
    limits: ClassVar[CarrierLimits]
    max_batch: ClassVar[int]

    async def create_orders(self, orders: Sequence[Order]) -> list[CreateResult]:
        """Create up to ``max_batch`` orders; one result per order, in order."""
        ...

    async def find_orders(self, references: Sequence[str]) -> dict[str, CarrierOrder]:
        """The carrier's orders for those of our references it knows."""
        ...

    async def get_orders(self, orders: Sequence[CarrierOrder]) -> list[CarrierOrder]:
        """Re-read orders the carrier holds (polling; after a payment whose answer was lost)."""
        ...

    async def quote(self, order: Order) -> list[Rate]:
        """Every service the carrier offers for the order, priced (``QUOTE`` only)."""
        ...

    async def pay(
        self, order: Order, placed: CarrierOrder, max_price: Decimal | None
    ) -> CarrierOrder:
        """Pay for a created order (``PAYMENT`` only); the order as paid.

        Verifies the price first and raises ``PriceChanged`` without paying when it
        is above ``max_price``. Raises ``OutcomeUnknown`` when the payment was sent and
        its answer lost: the caller reads the order back (``get_orders``) before paying
        again, because paying twice charges twice.
        """
        ...

    async def track(self, order: CarrierOrder) -> list[TrackingEvent]:
        """The order's tracking events, oldest first (``POLL_TRACKING`` only)."""
        ...

    async def fetch_label(self, order: CarrierOrder, request: LabelRequest) -> LabelDocument:
        """The label for an order the carrier holds."""
        ...

    async def fetch_labels(
        self, orders: Sequence[CarrierOrder], request: LabelRequest
    ) -> dict[str, LabelDocument]:
        """Labels of up to ``max_batch`` orders, by carrier order id (``LABEL_BATCH`` only)."""
        ...

    async def cancel(self, order: CarrierOrder) -> None:
        """Withdraw the order; its label becomes void."""
        ...

    async def despatch(self, order: CarrierOrder, when: datetime) -> None:
        """Tell the carrier the parcel has left."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...
