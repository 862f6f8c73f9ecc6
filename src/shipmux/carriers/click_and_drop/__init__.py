"""Royal Mail Click & Drop: the connector that satisfies ``Carrier``, plus its extras.

Each method reads map -> call -> map: ``mapping`` turns our types into wire models
and back, ``client`` does the one HTTP call. Click & Drop has no tracking events, no
webhooks and no idempotency key; ``track`` reads the order's dates with ``get_orders``
(the hub polls it) and an unknown create outcome is reconciled with ``find_orders``
(our reference is its ``orderReference``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import ClassVar

from shipmux.carriers.base import (
    Capability,
    CarrierOrder,
    CreateResult,
    LabelDocument,
    LabelRequest,
    Rate,
    TrackingEvent,
    TrackingStage,
)
from shipmux.carriers.click_and_drop import mapping
from shipmux.carriers.click_and_drop import schemas as wire
from shipmux.carriers.click_and_drop.client import ClickAndDropClient
from shipmux.carriers.click_and_drop.mapping import Manifest
from shipmux.carriers.click_and_drop.settings import ClickAndDropSettings
from shipmux.carriers.errors import CarrierRejected, FeatureUnavailable, OutcomeUnknown
from shipmux.carriers.http import CarrierHttp
from shipmux.domain.errors import FieldProblem
from shipmux.domain.limits import CarrierLimits, check_order
from shipmux.domain.orders import Order

__all__ = ["ClickAndDrop", "ClickAndDropSettings", "Manifest"]

# Longest reference Click & Drop stores (CreateOrderRequest.orderReference maxLength).
_REFERENCE_MAX = 40


class ClickAndDrop:
    """One Click & Drop account (an API integration key)."""

    slug: ClassVar[str] = "click-and-drop"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.BATCH_CREATE,
            Capability.LOOKUP_BY_REFERENCE,
            Capability.LABEL_PDF,  # OBA accounts only; an OLP account raises FeatureUnavailable
            Capability.LABEL_BATCH,
            Capability.CANCEL,
            Capability.DESPATCH,
            Capability.MANIFEST,
            Capability.POLL_TRACKING,
        }
    )
    # maxLength and ranges of CreateOrderRequest and its parts in the v1 spec.
    limits: ClassVar[CarrierLimits] = CarrierLimits(
        reference_max=_REFERENCE_MAX,
        name_max=210,
        company_max=100,
        address_line_max=100,
        city_max=100,
        county_max=100,
        postcode_max=20,
        phone_max=25,
        email_max=254,
        item_name_max=800,
        sku_max=100,
        customs_description_max=50,
        notes_max=500,
        safe_place_max=90,
        package_weight_max_grams=30_000,
        tags_max=None,
        customs_required_abroad=True,
    )
    # Identifier lists and status updates are capped at 100; create has no stated cap, and
    # the reference client sends 100 per call too.
    max_batch: ClassVar[int] = mapping.MAX_IDENTIFIERS

    def __init__(self, settings: ClickAndDropSettings, http: CarrierHttp) -> None:
        self.settings = settings
        self._http = http
        self._client = ClickAndDropClient(settings, http)

    # --- Carrier --------------------------------------------------------------------------

    async def create_orders(self, orders: Sequence[Order]) -> list[CreateResult]:
        """Create up to ``max_batch`` orders in one call; one result per order, in order.

        An order we can see Click & Drop would refuse is answered without being sent.
        Raises ``OutcomeUnknown`` when the call, or an order's fate in its answer, is lost.
        """
        if len(orders) > self.max_batch:
            raise ValueError(f"at most {self.max_batch} orders per call")
        refused, requests = self._prepare(orders)
        outcomes: dict[str, CreateResult] = {}
        if requests:
            body = mapping.to_create_orders_request(list(requests.values()))
            response = await self._client.create_orders(body)
            outcomes = mapping.create_results(list(requests), response)
            lost = [ref for ref in requests if ref not in outcomes]
            if lost:
                raise OutcomeUnknown(
                    f"the answer does not say what became of {', '.join(lost)}",
                    carrier=self.slug,
                    operation="create_orders",
                )
        return [refused.get(i) or outcomes[order.reference] for i, order in enumerate(orders)]

    async def find_orders(self, references: Sequence[str]) -> dict[str, CarrierOrder]:
        """The orders Click & Drop holds for those of our references it knows."""
        # A reference longer than Click & Drop stores cannot be there; asking would be a 400.
        wanted = list(dict.fromkeys(r for r in references if 0 < len(r) <= _REFERENCE_MAX))
        found: dict[str, CarrierOrder] = {}
        for chunk in mapping.chunks(wanted):
            for info in await self._client.get_orders(list(chunk)):
                order = mapping.carrier_order_from_info(info)
                if order.reference in wanted:
                    found.setdefault(order.reference, order)
        return found

    async def get_orders(self, orders: Sequence[CarrierOrder]) -> list[CarrierOrder]:
        """Re-read orders by Click & Drop's order identifiers (for polling)."""
        ids = list(dict.fromkeys(_identifier(o.carrier_order_id) for o in orders))
        read: dict[int, CarrierOrder] = {}
        for chunk in mapping.chunks(ids):
            for info in await self._client.get_orders(list(chunk)):
                read.setdefault(info.order_identifier, mapping.carrier_order_from_info(info))
        return [read[i] for i in ids if i in read]

    async def quote(self, order: Order) -> list[Rate]:
        """Click & Drop has no quote API; the hub prices it from the tenant's rate card."""
        raise self._unsupported("quote")

    async def pay(
        self, order: Order, placed: CarrierOrder, max_price: Decimal | None
    ) -> CarrierOrder:
        """Postage is paid by the account (OBA) or in the Click & Drop app (OLP)."""
        raise self._unsupported("pay")

    async def track(self, order: CarrierOrder) -> list[TrackingEvent]:
        """The order's dates as tracking events, oldest first (one ``get_orders`` call).

        Click & Drop keeps no scans, only when the label was printed, the order
        despatched and manifested: those become "label created", "collected" and
        "in transit". An order Click & Drop no longer knows has no events.
        """
        read = await self.get_orders([order])
        return _events_of(read[0], order) if read else []

    def _unsupported(self, operation: str) -> FeatureUnavailable:
        return FeatureUnavailable(
            f"Click & Drop has no {operation} API", carrier=self.slug, operation=operation
        )

    async def fetch_label(self, order: CarrierOrder, request: LabelRequest) -> LabelDocument:
        """The postage label PDF (with CN22/CN23 when asked); OBA accounts only.

        Click & Drop makes PDF only, so ``request.format`` is not honoured.
        """
        self._refuse_olp()
        content = await self._get_label([_identifier(order.carrier_order_id)], request)
        return LabelDocument(content=content)

    async def fetch_labels(
        self, orders: Sequence[CarrierOrder], request: LabelRequest
    ) -> dict[str, LabelDocument]:
        """Labels of many orders from one call: Click & Drop answers one PDF for them all.

        Every order gets that one PDF (the same bytes object) with its own ``pages``
        of it, and a page is an order's only if the order's tracking number is
        printed on it; anything that cannot be proven (an order without a tracking
        number, a page that names none or two) is fetched on its own instead. A wrong
        label on a parcel is worse than a slower run.
        """
        if len(orders) > self.max_batch:
            raise ValueError(f"at most {self.max_batch} orders per call")
        tracked = [o for o in orders if o.tracking_number]
        documents: dict[str, LabelDocument] = {}
        if len(tracked) > 1:
            self._refuse_olp()
            content = await self._get_label(
                [_identifier(o.carrier_order_id) for o in tracked], request
            )
            owned = await asyncio.to_thread(mapping.pages_by_order, content, tracked)
            documents = {i: LabelDocument(content, pages=p) for i, p in owned.items()}
        for order in orders:
            if order.carrier_order_id not in documents:
                documents[order.carrier_order_id] = await self.fetch_label(order, request)
        return documents

    def _refuse_olp(self) -> None:
        if self.settings.account_type == "OLP":
            raise FeatureUnavailable(
                "labels need an OBA account", carrier=self.slug, operation="get_label"
            )

    async def _get_label(self, identifiers: list[int], request: LabelRequest) -> bytes:
        return await self._client.get_label(
            identifiers,
            document_type="postageLabel",
            include_returns_label=request.include_returns_label,
            include_cn=request.include_customs and self.settings.include_customs_documents,
        )

    async def cancel(self, order: CarrierOrder) -> None:
        """Delete the order at Click & Drop; its label becomes void.

        An order Click & Drop no longer knows (404) counts as cancelled, so a retry after
        an unknown outcome is harmless.
        """
        result = await self._client.delete_orders([_identifier(order.carrier_order_id)])
        if result.errors:
            raise CarrierRejected(
                "; ".join(e.message or e.code or "not deleted" for e in result.errors),
                carrier=self.slug,
                operation="delete_orders",
                carrier_code=result.errors[0].code,
            )

    async def despatch(self, order: CarrierOrder, when: datetime) -> None:
        """Mark the order despatched (Click & Drop sets ``shippedOn``)."""
        await self._set_status(order, "despatched", when)

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- Click & Drop extras --------------------------------------------------------------

    async def reset(self, order: CarrierOrder) -> None:
        """Set the order back to New: it leaves its batch and its label becomes void."""
        await self._set_status(order, "new", None)

    async def manifest(self, carrier_name: str | None = None) -> Manifest:
        """Manifest every 'Label Generated' and 'Despatched' order of the account.

        ``carrier_name`` is needed when the account has several carriers (e.g.
        "Royal Mail OBA"). The PDF may come later: see ``get_manifest``.
        """
        return mapping.manifest_from_response(await self._client.manifest_eligible(carrier_name))

    async def get_manifest(self, number: int) -> Manifest:
        return mapping.manifest_from_response(await self._client.get_manifest(number))

    async def retry_manifest(self, number: int) -> Manifest:
        return mapping.manifest_from_response(await self._client.retry_manifest(number))

    async def list_orders(
        self, start: datetime | None = None, end: datetime | None = None
    ) -> list[CarrierOrder]:
        """Every order in the window, all pages read (for reconciliation)."""
        orders: list[CarrierOrder] = []
        token: str | None = None
        while True:
            page = await self._client.list_orders(start=start, end=end, continuation_token=token)
            orders += [mapping.carrier_order_from_info(info) for info in page.orders]
            # Stop on an empty page too: a token that never runs out must not loop forever.
            if not page.continuation_token or not page.orders:
                return orders
            token = page.continuation_token

    async def version(self) -> str:
        """The API's release name: a cheap check that the base URL answers."""
        found = await self._client.version()
        return found.release or found.build or found.release_date.isoformat()

    # --- helpers --------------------------------------------------------------------------

    def _defaults(self) -> mapping.OrderDefaults:
        return mapping.OrderDefaults(
            now=datetime.now(UTC),
            service_code=self.settings.default_service_code,
            package_format=self.settings.default_package_format,
            trading_name=self.settings.trading_name,
        )

    def _prepare(
        self, orders: Sequence[Order]
    ) -> tuple[dict[int, CreateResult], dict[str, wire.CreateOrderRequest]]:
        """Split the batch into answers given here and requests to send, keyed by reference."""
        defaults = self._defaults()
        refused: dict[int, CreateResult] = {}
        requests: dict[str, wire.CreateOrderRequest] = {}
        for i, order in enumerate(orders):
            problems = check_order(order, self.limits)
            if order.reference in requests:
                # Answers are matched by reference, so a batch must not hold one twice.
                problems.append(FieldProblem("reference", "duplicate", "twice in one batch"))
            if not problems:
                try:
                    requests[order.reference] = mapping.to_create_order_request(order, defaults)
                    continue
                except mapping.UnmappableOrder as exc:
                    problems = exc.problems
            refused[i] = CreateResult(
                order.reference, problems=problems, message="not sent: Click & Drop refuses it"
            )
        return refused, requests

    async def _set_status(self, order: CarrierOrder, status: str, when: datetime | None) -> None:
        item = wire.UpdateOrderStatusRequest.model_validate(
            {
                "order_identifier": _identifier(order.carrier_order_id),
                "status": status,
                "despatch_date": when,
            }
        )
        result = await self._client.update_status(wire.UpdateOrdersStatusRequest(items=[item]))
        if result.errors:
            raise CarrierRejected(
                "; ".join(e.message or e.code or "status not changed" for e in result.errors),
                carrier=self.slug,
                operation="update_status",
                carrier_code=result.errors[0].code,
            )


# The dates Click & Drop keeps on an order, the stage each means, and its "code".
_DATED_STAGES = (
    ("label_printed_at", TrackingStage.LABEL_CREATED, "printed", "Label printed"),
    ("despatched_at", TrackingStage.COLLECTED, "despatched", "Despatched"),
    ("manifested_at", TrackingStage.IN_TRANSIT, "manifested", "Manifested for collection"),
    ("delivered_at", TrackingStage.DELIVERED, "delivered", "Delivered"),
)


def _events_of(read: CarrierOrder, asked: CarrierOrder) -> list[TrackingEvent]:
    ref = asked.carrier_shipment_ref or asked.carrier_order_id
    events = []
    for attribute, stage, code, description in _DATED_STAGES:
        when = getattr(read, attribute)
        if isinstance(when, datetime):
            at = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
            events.append(TrackingEvent(ref, stage, at, code, description))
    return sorted(events, key=lambda e: e.occurred_at)


def _identifier(carrier_order_id: str) -> int:
    try:
        return int(carrier_order_id)
    except ValueError:
        raise ValueError(f"'{carrier_order_id}' is not a Click & Drop order identifier") from None
