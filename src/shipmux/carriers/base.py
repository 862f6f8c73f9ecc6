"""The one small interface every carrier connector implements.

Connectors take and return these types; services never see a carrier's wire
format. Capabilities are declared, not discovered: a service checks
``Capability`` membership before it calls an optional method.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar, Protocol, runtime_checkable

from shipmux.domain.errors import FieldProblem
from shipmux.domain.limits import CarrierLimits
from shipmux.domain.orders import Order

__all__ = [
    "Capability",
    "Carrier",
    "CarrierOrder",
    "CreateResult",
    "LabelDocument",
    "LabelRequest",
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
    include_customs: bool = True
    include_returns_label: bool = False


@dataclass(frozen=True, slots=True)
class LabelDocument:
    content: bytes
    media_type: str = "application/pdf"


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

    async def get_orders(self, carrier_order_ids: Sequence[str]) -> list[CarrierOrder]:
        """Re-read orders by the carrier's own ids (polling)."""
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
