"""Parcel2Go: the connector that satisfies ``Carrier``, plus its extras.

Parcel2Go is a broker: it quotes many couriers' services, creates **unpaid** orders and
charges them to the account's PrePay balance; labels exist only once an order is paid.
Each method reads map -> call -> map: ``mapping`` turns our types into wire models and
back, ``client`` does the HTTP calls, ``auth`` keeps the bearer token. One of our orders
is one Parcel2Go order of one item (``max_batch`` 1): paying, like refusing, is per
Parcel2Go order, and one order of many items would be paid or refused all together.

There is no cancel API (refunds go through Parcel2Go's support, research §3.17) and no
despatch: couriers scan parcels, and tracking (polled or pushed) says so.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import ClassVar

from pypdf import PdfReader, PdfWriter

from shipmux.carriers.base import (
    Capability,
    CarrierOrder,
    CreateResult,
    LabelDocument,
    LabelRequest,
    Rate,
    TrackingEvent,
)
from shipmux.carriers.errors import (
    CarrierProtocolError,
    CarrierRejected,
    CarrierUnavailable,
    FeatureUnavailable,
    OutcomeUnknown,
    PriceChanged,
)
from shipmux.carriers.http import CarrierHttp
from shipmux.carriers.parcel2go import mapping
from shipmux.carriers.parcel2go import schemas as wire
from shipmux.carriers.parcel2go.auth import TokenCache
from shipmux.carriers.parcel2go.client import HISTORY_PAGE_SIZE, Parcel2GoClient
from shipmux.carriers.parcel2go.settings import Parcel2GoSettings
from shipmux.domain.errors import FieldProblem
from shipmux.domain.limits import CarrierLimits, check_order
from shipmux.domain.orders import Address, Order

__all__ = ["Parcel2Go", "Parcel2GoSettings"]

# find_orders reads the order history newest first; a lost create is recent, so this many
# pages (of 100) are read before a reference is declared unknown.
HISTORY_PAGES_MAX = 20

_MEDIA = {"a4": "A4", "4x6": "Label4X6"}
_FORMATS = {"pdf": ("PDF", "application/pdf"), "png": ("PNG", "image/png")}


class Parcel2Go:
    """One Parcel2Go API client (client credentials), paying from its PrePay balance."""

    slug: ClassVar[str] = "parcel2go"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.QUOTE,
            Capability.PAYMENT,
            Capability.LABEL_PDF,
            Capability.LABEL_PNG,
            Capability.POLL_TRACKING,
            Capability.PUSH_TRACKING,
            Capability.LOOKUP_BY_REFERENCE,
        }
    )
    # Parcel2Go documents almost no lengths; Items[].Reference keeps 50 (ADR 0006 §5).
    # Customs completeness is checked by the connector against Parcel2Go's own list (export
    # reason, VAT status, origin), not by customs_required_abroad, which asks for HS codes.
    limits: ClassVar[CarrierLimits] = CarrierLimits(reference_max=mapping.REFERENCE_MAX)
    max_batch: ClassVar[int] = 1

    def __init__(self, settings: Parcel2GoSettings, http: CarrierHttp) -> None:
        self.settings = settings
        self._http = http
        self._tokens = TokenCache(settings, http)
        self._client = Parcel2GoClient(http, self._tokens)

    # --- Carrier --------------------------------------------------------------------------

    async def create_orders(self, orders: Sequence[Order]) -> list[CreateResult]:
        """Create one unpaid Parcel2Go order: pick the service, verify, create.

        An order we can see Parcel2Go would refuse is answered without a call; a refusal
        by Parcel2Go names our fields. ``OutcomeUnknown`` when the create's answer is lost.
        """
        if len(orders) > self.max_batch:
            raise ValueError(f"at most {self.max_batch} order per call")
        return [await self._create(order) for order in orders]

    async def find_orders(self, references: Sequence[str]) -> dict[str, CarrierOrder]:
        """Our references' orders, from the account's order history (ADR 0006 §7)."""
        wanted = {r for r in references if 0 < len(r) <= mapping.REFERENCE_MAX}
        found: dict[str, CarrierOrder] = {}
        for page in range(1, HISTORY_PAGES_MAX + 1):
            if not wanted - found.keys():
                break
            history = await self._client.order_history(page)
            for read in history.orders:
                for item in read.items:
                    ref = item.reference
                    if ref in wanted and ref not in found:
                        found[ref] = mapping.carrier_order_from_read(read)
            seen = (page - 1) * HISTORY_PAGE_SIZE + len(history.orders)
            if len(history.orders) < HISTORY_PAGE_SIZE or (
                history.total_count is not None and seen >= history.total_count
            ):
                break
        return found

    async def get_orders(self, orders: Sequence[CarrierOrder]) -> list[CarrierOrder]:
        """Re-read orders (their ``PaidDate`` tells paid from unpaid); unknown ones are left out."""
        read: list[CarrierOrder] = []
        for order in orders:
            answer = await self._client.get_order(order.carrier_order_id, _hash(order))
            if answer is not None:
                read.append(mapping.carrier_order_from_read(answer, known=order))
        return read

    async def quote(self, order: Order) -> list[Rate]:
        """Every service Parcel2Go offers for the order that the parcels fit, cheapest first."""
        collection = self._collection(order)
        if collection is None:
            raise self._refused("quote", mapping.check_order(order, None))
        answer = await self._client.quote(mapping.quote_request(order, collection))
        if answer.errors:
            raise self._refused("quote", mapping.problems_from_errors(answer.errors, order))
        return mapping.rates_from_quotes(answer, order)

    async def pay(
        self, order: Order, placed: CarrierOrder, max_price: Decimal | None
    ) -> CarrierOrder:
        """Verify the price, then pay from PrePay, once.

        ``PriceChanged`` (nothing paid) when the verified price is above ``max_price``.
        The payment is never retried here: a timeout or 5xx is ``OutcomeUnknown`` and the
        caller reads ``paid_at`` back with ``get_orders`` before anything else.
        """
        collection = self._collection(order)
        problems = mapping.check_order(order, collection)
        if collection is None or problems:
            raise self._refused("verify_order", problems)
        service = placed.service_code or order.service_code or self.settings.default_service
        if service is None:
            raise ValueError("the placed order does not say its service")
        body = mapping.order_request(order, collection, service, datetime.now(UTC))
        verified = await self._client.verify_order(body)
        if verified.errors:
            raise self._refused(
                "verify_order", mapping.problems_from_errors(verified.errors, order)
            )
        if verified.cost is None:
            raise CarrierProtocolError(
                "the verify answer has no Cost", carrier=self.slug, operation="verify_order"
            )
        if max_price is not None and verified.cost > max_price:
            quoted = placed.carrier_data.get("quoted_price") or str(placed.price or max_price)
            raise PriceChanged(
                f"Parcel2Go now charges £{verified.cost}, above the £{max_price} accepted;"
                " nothing was paid",
                quoted=quoted,
                verified=str(verified.cost),
                carrier=self.slug,
                operation="verify_order",
            )
        paid = await self._client.pay_with_prepay(placed.carrier_order_id, _hash(placed))
        if paid.errors:
            first = paid.errors[0]
            raise CarrierRejected(
                "; ".join(e.text for e in paid.errors),
                carrier=self.slug,
                operation="pay_with_prepay",
                carrier_code=first.name or first.type,
            )
        # The payment answer carries links only; its PaidDate is read by the next poll.
        # No read here: if it failed, the caller could not tell a paid order from an unpaid one.
        return dataclasses.replace(placed, paid_at=datetime.now(UTC), price=verified.cost)

    async def track(self, order: CarrierOrder) -> list[TrackingEvent]:
        """The parcel's tracking events, oldest first, stages in our terms."""
        line = order.carrier_shipment_ref
        if not line:
            raise ValueError("the order has no Parcel2Go OrderLineId (carrier_shipment_ref)")
        return mapping.tracking_events(await self._client.tracking(line), line)

    async def fetch_label(self, order: CarrierOrder, request: LabelRequest) -> LabelDocument:
        """The paid order's label in the media and format asked for (else the account's).

        ``a4-4x6`` (an A4 page holding a 4x6 label) has no query form: it is the order's
        public ``labels-a4-4x6`` document, a PDF whatever the format asked for.
        """
        media = request.media or self.settings.label_media
        if media == "a4-4x6":
            return LabelDocument(content=await self._a4_4x6(order))
        if media not in _MEDIA:
            raise FeatureUnavailable(
                f"Parcel2Go has no '{media}' label media", carrier=self.slug, operation="labels"
            )
        # A format Parcel2Go cannot make (zpl) falls back to the account's choice.
        fmt = request.format if request.format in _FORMATS else self.settings.label_format
        label_format, media_type = _FORMATS[fmt]
        documents = await self._client.labels(
            order.carrier_order_id,
            reference_type="OrderId",
            media=_MEDIA[media],
            label_format=label_format,
            order_hash=_hash(order),
        )
        return LabelDocument(content=self._one_document(documents, fmt), media_type=media_type)

    async def fetch_labels(
        self, orders: Sequence[CarrierOrder], request: LabelRequest
    ) -> dict[str, LabelDocument]:
        """One label call per order: Parcel2Go's labels are per order."""
        if len(orders) > self.max_batch:
            raise ValueError(f"at most {self.max_batch} order per call")
        return {o.carrier_order_id: await self.fetch_label(o, request) for o in orders}

    async def cancel(self, order: CarrierOrder) -> None:
        """Parcel2Go has no cancel API: refunds go through its support (research §3.17)."""
        raise FeatureUnavailable(
            "Parcel2Go has no cancel API; ask Parcel2Go's support for a refund",
            carrier=self.slug,
            operation="cancel",
        )

    async def despatch(self, order: CarrierOrder, when: datetime) -> None:
        """Parcel2Go is not told of despatch: the courier's scans show in tracking."""
        raise FeatureUnavailable(
            "Parcel2Go has no despatch API", carrier=self.slug, operation="despatch"
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- Parcel2Go extras -----------------------------------------------------------------

    async def prepay_balance(self) -> Decimal:
        """The account's PrePay balance in GBP."""
        return await self._client.prepay_balance()

    # --- helpers --------------------------------------------------------------------------

    def _collection(self, order: Order) -> Address | None:
        return order.sender or self.settings.collection_address

    async def _create(self, order: Order) -> CreateResult:
        collection = self._collection(order)
        problems = check_order(order, self.limits) + mapping.check_order(order, collection)
        if collection is None or problems:
            return CreateResult(
                order.reference, problems=problems, message="not sent: Parcel2Go would refuse it"
            )
        placement = await self._place(order, collection)
        if isinstance(placement, CreateResult):
            return placement
        body = mapping.order_request(order, collection, placement.service, datetime.now(UTC))
        verified = await self._client.verify_order(body)
        if verified.errors:
            return _refusal(order, verified.errors)
        created = await self._client.create_order(body)
        if created.errors and not created.order_id:
            return _refusal(order, created.errors)
        if placement.quoted_price is None:
            placement = dataclasses.replace(placement, quoted_price=verified.cost)
        try:
            return CreateResult(
                order.reference,
                created=mapping.carrier_order_from_created(created, order, placement),
            )
        except ValueError as exc:
            # Accepted, but we cannot tell which order it made: look it up before a retry.
            raise OutcomeUnknown(
                f"the create answer cannot be read ({exc})",
                carrier=self.slug,
                operation="create_order",
            ) from exc

    async def _place(self, order: Order, collection: Address) -> mapping.Placement | CreateResult:
        """The service to book: the order's, the account's default, else the cheapest quote."""
        service = order.service_code or self.settings.default_service
        if service:
            return mapping.Placement(service=service, quoted_price=None)
        answer = await self._client.quote(mapping.quote_request(order, collection))
        if answer.errors:
            return _refusal(order, answer.errors)
        best = mapping.cheapest(mapping.rates_from_quotes(answer, order))
        if best is None:
            return CreateResult(
                order.reference,
                problems=[
                    FieldProblem("service_code", "no_service", "Parcel2Go quotes no service")
                ],
                message="Parcel2Go offers no service that takes this order",
            )
        return mapping.Placement(service=best.service_code, quoted_price=best.price)

    def _refused(self, operation: str, problems: list[FieldProblem]) -> CarrierRejected:
        text = "; ".join(f"{p.field}: {p.message}" for p in problems) or "refused"
        return CarrierRejected(text, problems=problems, carrier=self.slug, operation=operation)

    def _one_document(self, documents: list[bytes], fmt: str) -> bytes:
        if fmt == "pdf":
            if not all(d.startswith(b"%PDF") for d in documents):
                raise CarrierProtocolError(
                    "a label is not a PDF", carrier=self.slug, operation="labels"
                )
            return documents[0] if len(documents) == 1 else _merge_pdfs(documents)
        if not all(d.startswith(b"\x89PNG") for d in documents):
            raise CarrierProtocolError(
                "a label is not a PNG", carrier=self.slug, operation="labels"
            )
        if len(documents) > 1:
            raise FeatureUnavailable(
                f"Parcel2Go made {len(documents)} PNG labels for this order; ask for PDF",
                carrier=self.slug,
                operation="labels",
            )
        return documents[0]

    async def _a4_4x6(self, order: CarrierOrder) -> bytes:
        read = await self._client.get_order(order.carrier_order_id, _hash(order))
        if read is None:
            raise CarrierRejected(
                "Parcel2Go does not know the order", carrier=self.slug, operation="get_order"
            )
        link = read.links.get("labels-a4-4x6")
        if link is None:
            if read.paid_date is None:
                raise CarrierRejected(
                    "the order has not been paid for", carrier=self.slug, operation="get_order"
                )
            raise CarrierUnavailable(
                "the A4 4x6 document is not ready yet", carrier=self.slug, operation="get_order"
            )
        content = await self._client.document(link)
        if not content.startswith(b"%PDF"):
            raise CarrierProtocolError(
                "the A4 4x6 document is not a PDF", carrier=self.slug, operation="document"
            )
        return content


def _hash(order: CarrierOrder) -> str:
    value = order.carrier_data.get("hash")
    if not value:
        raise ValueError(f"order {order.carrier_order_id} has no Parcel2Go hash in carrier_data")
    return value


def _refusal(order: Order, errors: Sequence[wire.ErrorLine]) -> CreateResult:
    return CreateResult(
        order.reference,
        problems=mapping.problems_from_errors(errors, order),
        message="; ".join(e.text for e in errors) or "refused by Parcel2Go",
    )


def _merge_pdfs(documents: Sequence[bytes]) -> bytes:
    writer = PdfWriter()
    for document in documents:
        for page in PdfReader(io.BytesIO(document)).pages:
            writer.add_page(page)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
