"""Sendcloud (API v3): the connector that satisfies ``Carrier``.

Sendcloud keeps the shop's orders and makes shipments of them ("ship an order"). Our
order becomes a Sendcloud order through the batch upsert ``POST /api/v3/orders``
(``order_id`` = our reference + the integration id is the upsert key, so a resend never
duplicates); its label comes later, in ``fetch_label`` (the hub's LABEL job), from
``create-label-sync`` (one) or ``create-labels-async`` (many, then the parcels' documents).

Sendcloud saves orders asynchronously: before any label is asked for, the order is read
back (short bounded polling); ship-an-order has no idempotency key, so the order's
shipments are looked up first and an existing live parcel's label is downloaded instead
of announcing a second one.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
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
)
from shipmux.carriers.errors import (
    CarrierProtocolError,
    CarrierRejected,
    CarrierUnavailable,
    FeatureUnavailable,
    OutcomeUnknown,
)
from shipmux.carriers.http import CarrierHttp
from shipmux.carriers.sendcloud import mapping
from shipmux.carriers.sendcloud import schemas as wire
from shipmux.carriers.sendcloud.client import SendcloudClient
from shipmux.carriers.sendcloud.settings import SendcloudSettings
from shipmux.domain.errors import FieldProblem
from shipmux.domain.limits import CarrierLimits, check_order
from shipmux.domain.orders import Order

__all__ = ["Sendcloud", "SendcloudSettings"]

# Waits between reads of a just-saved order (or a parcel being announced): 6 s at most.
READ_BACKOFF = (0.2, 0.4, 0.8, 1.6, 3.0)
_MIME = {"pdf": "application/pdf", "zpl": "application/zpl", "png": "image/png"}
_PAPER = {"a4": "A4", "4x6": "A6"}


class Sendcloud:
    """One Sendcloud API integration (public key + secret key)."""

    slug: ClassVar[str] = "sendcloud"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.BATCH_CREATE,
            Capability.LOOKUP_BY_REFERENCE,
            Capability.LABEL_PDF,
            Capability.LABEL_PNG,
            Capability.LABEL_ZPL,
            Capability.LABEL_BATCH,
            Capability.CANCEL,
            Capability.POLL_TRACKING,
            Capability.PUSH_TRACKING,
        }
    )
    limits: ClassVar[CarrierLimits] = CarrierLimits(reference_max=mapping.REFERENCE_MAX)
    max_batch: ClassVar[int] = 100

    def __init__(self, settings: SendcloudSettings, http: CarrierHttp) -> None:
        self.settings = settings
        self._http = http
        self._client = SendcloudClient(settings, http)
        self._integration_id = settings.integration_id
        self._backoff: Sequence[float] = READ_BACKOFF

    # --- Carrier ----------------------------------------------------------------------------

    async def create_orders(self, orders: Sequence[Order]) -> list[CreateResult]:
        """Upsert up to 100 orders; one refused order never holds the others back.

        Sendcloud refuses a batch whole; the refused orders (named by the errors'
        pointers) are taken out and the rest sent again. ``CarrierUnavailable`` when
        Sendcloud is "still processing a previous request" for one of them;
        ``OutcomeUnknown`` when an answer is lost.
        """
        if len(orders) > self.max_batch:
            raise ValueError(f"at most {self.max_batch} orders per call")
        results: dict[int, CreateResult] = {}
        for i, order in enumerate(orders):
            problems = check_order(order, self.limits) + mapping.check_order(order)
            if problems:
                results[i] = CreateResult(
                    order.reference,
                    problems=problems,
                    message="not sent: Sendcloud would refuse it",
                )
        pending = [i for i in range(len(orders)) if i not in results]
        if pending:
            integration = await self.integration_id()
            now = datetime.now(UTC)
            bodies = {i: self._order_in(orders[i], integration, now) for i in pending}
            results |= await self._upsert(orders, bodies)
        return [results[i] for i in range(len(orders))]

    async def find_orders(self, references: Sequence[str]) -> dict[str, CarrierOrder]:
        """Our references' orders, by the ``order_id`` filter of ``GET /orders``."""
        wanted = list(dict.fromkeys(r for r in references if 0 < len(r) <= mapping.REFERENCE_MAX))
        found: dict[str, CarrierOrder] = {}
        if not wanted:
            return found
        integration = await self.integration_id()
        for reference in wanted:
            for read in await self._client.find_orders(reference, integration):
                if read.order_id == reference:
                    found[reference] = mapping.carrier_order(
                        read.id, reference, read.shipping_option
                    )
                    break
        return found

    async def get_orders(self, orders: Sequence[CarrierOrder]) -> list[CarrierOrder]:
        """Re-read orders, with their shipment (tracking number, parcel) once labelled."""
        read: list[CarrierOrder] = []
        for order in orders:
            answer = await self._client.get_order(order.carrier_order_id)
            if answer is None:
                continue
            shipment = mapping.live_shipment(await self._client.shipments_of(order.reference))
            service = answer.shipping_option or order.service_code
            read.append(mapping.carrier_order(answer.id, answer.order_id, service, shipment))
        return read

    async def quote(self, order: Order) -> list[Rate]:
        raise FeatureUnavailable(
            "the Sendcloud connector does not quote", carrier=self.slug, operation="quote"
        )

    async def pay(
        self, order: Order, placed: CarrierOrder, max_price: Decimal | None
    ) -> CarrierOrder:
        raise FeatureUnavailable(
            "Sendcloud bills the account: there is no payment step",
            carrier=self.slug,
            operation="pay",
        )

    async def track(self, order: CarrierOrder) -> list[TrackingEvent]:
        """The parcel's events (``GET /parcels/tracking/{tracking_number}``), oldest first."""
        number = order.tracking_number
        if not number:
            shipment = mapping.live_shipment(await self._client.shipments_of(order.reference))
            parcels = shipment.parcels if shipment else []
            number = next((p.tracking_number for p in parcels if p.tracking_number), None)
        if not number:
            return []  # no label yet: nothing to track
        answer = await self._client.tracking(number)
        return mapping.tracking_events(answer, order.carrier_shipment_ref or order.reference)

    async def fetch_label(self, order: CarrierOrder, request: LabelRequest) -> LabelDocument:
        """The order's label: its live parcel's, else a new one from ``create-label-sync``."""
        mime = self._mime(request)
        existing = mapping.live_shipment(await self._client.shipments_of(order.reference))
        if existing is not None:
            return await self._download(existing, mime, request)
        await self._until_readable(order)
        body = wire.LabelSyncRequest(
            integration_id=await self.integration_id(),
            sender_address_id=self.settings.sender_address_id,
            ship_with=mapping.ship_with(self._service(order), self.settings.contract_id),
            order=wire.OrderSelector(order_id=order.reference),
            label_details=wire.LabelDetails(mime_type=mime, dpi=self._dpi(mime)),
        )
        answer = await self._client.create_label_sync(body)
        return self._label_of(answer, mime)

    async def fetch_labels(
        self, orders: Sequence[CarrierOrder], request: LabelRequest
    ) -> dict[str, LabelDocument]:
        """Labels of many orders: one ``create-labels-async`` for those without a parcel."""
        if len(orders) > self.max_batch:
            raise ValueError(f"at most {self.max_batch} orders per call")
        if len(orders) == 1:
            return {orders[0].carrier_order_id: await self.fetch_label(orders[0], request)}
        mime = self._mime(request)
        labels: dict[str, LabelDocument] = {}
        shipments: dict[str, str] = {}
        to_ship: list[CarrierOrder] = []
        for order in orders:
            existing = mapping.live_shipment(await self._client.shipments_of(order.reference))
            if existing is not None:
                labels[order.carrier_order_id] = await self._download(existing, mime, request)
            else:
                await self._until_readable(order)
                to_ship.append(order)
        if to_ship:
            shipments = await self._announce_many(to_ship, mime)
        for order in to_ship:
            shipment = await self._announced(shipments[order.carrier_order_id], order)
            labels[order.carrier_order_id] = await self._download(shipment, mime, request)
        return labels

    async def cancel(self, order: CarrierOrder) -> None:
        """Cancel the order's live shipment (its label becomes void), then delete the order."""
        shipment = mapping.live_shipment(await self._client.shipments_of(order.reference))
        if shipment is not None:
            try:
                await self._client.cancel_shipment(shipment.id)
            except CarrierRejected as exc:
                if "already" not in exc.message.lower():
                    raise
        await self._client.delete_order(order.carrier_order_id)

    async def despatch(self, order: CarrierOrder, when: datetime) -> None:
        """Sendcloud is not told of despatch: the carrier's scans show in tracking."""
        raise FeatureUnavailable(
            "Sendcloud has no despatch API", carrier=self.slug, operation="despatch"
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- Sendcloud extras -------------------------------------------------------------------

    async def integration_id(self) -> int:
        """The integration orders belong to: configured, else read once from the keys."""
        if self._integration_id is None:
            self._integration_id = (await self._client.auth_metadata()).data.integration_id
        return self._integration_id

    # --- helpers ----------------------------------------------------------------------------

    def _order_in(self, order: Order, integration: int, now: datetime) -> wire.OrderIn:
        service = order.service_code or self.settings.default_shipping_option
        return mapping.order_in(order, integration, service, self.settings.contract_id, now)

    async def _upsert(
        self, orders: Sequence[Order], bodies: dict[int, wire.OrderIn]
    ) -> dict[int, CreateResult]:
        results: dict[int, CreateResult] = {}
        pending = list(bodies)
        while pending:
            answer = await self._client.create_orders([bodies[i] for i in pending])
            if isinstance(answer, wire.CreatedOrders):
                created = self._created(orders, pending, answer)
                await self._settled(created)
                return results | created
            if mapping.is_still_processing(answer):
                raise CarrierUnavailable(
                    "Sendcloud is still processing a previous request for these orders",
                    carrier=self.slug,
                    operation="create_orders",
                    status=400,
                    carrier_code="invalid",
                    retry_after=2.0,
                )
            by_index, general = mapping.problems_by_order(answer, len(pending))
            if not by_index:
                # Nothing names one order: the refusal is the whole request's.
                text = "; ".join(e.text for e in general) or "refused by Sendcloud"
                problem = FieldProblem("order", "sendcloud_rejected", text)
                return results | {
                    i: CreateResult(orders[i].reference, problems=[problem], message=text)
                    for i in pending
                }
            for batch_index, problems in by_index.items():
                i = pending[batch_index]
                text = "; ".join(f"{p.field}: {p.message}" for p in problems)
                results[i] = CreateResult(orders[i].reference, problems=problems, message=text)
            pending = [i for i in pending if i not in results]
        return results

    def _created(
        self, orders: Sequence[Order], pending: list[int], answer: wire.CreatedOrders
    ) -> dict[int, CreateResult]:
        by_ref = {c.order_id: c for c in answer.data}
        lost = [orders[i].reference for i in pending if orders[i].reference not in by_ref]
        if lost:
            raise OutcomeUnknown(
                f"the answer does not say what became of {', '.join(lost)}",
                carrier=self.slug,
                operation="create_orders",
            )
        results: dict[int, CreateResult] = {}
        for i in pending:
            order = orders[i]
            created = by_ref[order.reference]
            service = order.service_code or self.settings.default_shipping_option
            results[i] = CreateResult(
                order.reference, created=mapping.carrier_order(created.id, order.reference, service)
            )
        return results

    async def _settled(self, created: dict[int, CreateResult]) -> None:
        """Wait (bounded) until the batch reads back; it does not fail when it does not.

        Sendcloud saves a batch in one transaction, asynchronously: one order reading back
        shows the whole batch saved, so ``find_orders`` right after a create finds it. An
        order still unsaved after the wait is created all the same (the label checks again).
        """
        last = [r.created for r in created.values() if r.created is not None][-1:]
        if last:
            with contextlib.suppress(CarrierUnavailable):
                await self._until_readable(last[0])

    def _service(self, order: CarrierOrder) -> str | None:
        return order.service_code or self.settings.default_shipping_option

    def _mime(self, request: LabelRequest) -> str:
        mime = _MIME.get(request.format)
        if mime is None:
            raise FeatureUnavailable(
                f"Sendcloud has no '{request.format}' labels",
                carrier=self.slug,
                operation="fetch_label",
            )
        return mime

    def _dpi(self, mime: str) -> int:
        # The spec: PDF is 72 only, PNG 150 or 300; ZPL ignores it.
        dpi = self.settings.label_dpi
        if mime == "application/pdf":
            return 72
        if mime == "image/png":
            return dpi if dpi in (150, 300) else 300
        return dpi

    async def _until_readable(self, order: CarrierOrder) -> None:
        """Sendcloud saves orders asynchronously: wait (bounded) until the order reads."""
        for delay in (0.0, *self._backoff):
            if delay:
                await asyncio.sleep(delay)
            if await self._client.get_order(order.carrier_order_id) is not None:
                return
        raise CarrierUnavailable(
            f"Sendcloud has not saved order {order.reference} yet; try again",
            carrier=self.slug,
            operation="get_order",
            retry_after=5.0,
        )

    def _label_of(self, answer: wire.LabelSyncAnswer, mime: str) -> LabelDocument:
        op = "create_label_sync"
        if answer.errors:
            first = answer.errors[0]
            raise CarrierRejected(
                "; ".join(e.text for e in answer.errors),
                carrier=self.slug,
                operation=op,
                carrier_code=first.code,
                status=201,
            )
        labels = answer.labels
        content = labels[0].file if labels else None
        if not content:
            raise CarrierRejected(
                "Sendcloud answered without a label: the announcement failed",
                carrier=self.slug,
                operation=op,
                status=201,
            )
        got = (labels[0].label_details or labels[0].label or wire.LabelFile()).mime_type
        return LabelDocument(
            content=self._decode(content, op),
            media_type=got or mime,
            tracking_number=labels[0].tracking_number,
        )

    def _decode(self, content: str, op: str) -> bytes:
        try:
            return base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise CarrierProtocolError(
                "the label is not valid base64", carrier=self.slug, operation=op
            ) from exc

    async def _announce_many(self, orders: Sequence[CarrierOrder], mime: str) -> dict[str, str]:
        """Shipment ids by carrier order id; refusals of any order raise, naming them."""
        services = {self._service(o) for o in orders}
        if len(services) > 1:
            # One ship_with per call: orders of different services go one by one.
            raise CarrierUnavailable(
                "orders of different services cannot share a label call",
                carrier=self.slug,
                operation="create_labels_async",
            )
        body = wire.LabelsAsyncRequest(
            integration_id=await self.integration_id(),
            sender_address_id=self.settings.sender_address_id,
            ship_with=mapping.ship_with(services.pop(), self.settings.contract_id),
            orders=[wire.LabelsAsyncOrder(order_id=o.reference) for o in orders],
            label_details=wire.LabelDetails(mime_type=mime, dpi=self._dpi(mime)),
        )
        answer = await self._client.create_labels_async(body)
        by_ref = {a.order_id: a.shipment_id for a in answer.data if a.shipment_id}
        by_index, _ = mapping.problems_by_order(answer.errors, len(orders))
        refused = [orders[i].reference for i in by_index]
        missing = [o.reference for o in orders if o.reference not in by_ref]
        if answer.errors or missing:
            said = "; ".join(e.text for e in answer.errors) or "no shipment made"
            raise CarrierRejected(
                f"Sendcloud made no label for {', '.join(refused or missing)}: {said}",
                carrier=self.slug,
                operation="create_labels_async",
            )
        return {o.carrier_order_id: by_ref[o.reference] for o in orders}

    async def _announced(self, shipment_id: str, order: CarrierOrder) -> wire.Shipment:
        """The shipment once its parcel is announced (bounded polling)."""
        for delay in (0.0, *self._backoff):
            if delay:
                await asyncio.sleep(delay)
            shipment = await self._client.shipment(shipment_id)
            if shipment is None or not shipment.parcels:
                continue
            codes = {(p.status.code if p.status else "") or "" for p in shipment.parcels}
            if "ANNOUNCEMENT_FAILED" in {c.upper() for c in codes}:
                said = "; ".join(e.text for e in shipment.errors) or "announcement failed"
                raise CarrierRejected(
                    f"Sendcloud could not announce {order.reference}: {said}",
                    carrier=self.slug,
                    operation="shipment",
                )
            if not {c.upper() for c in codes} & {"ANNOUNCING", "CREATED", ""}:
                return shipment
        raise CarrierUnavailable(
            f"the label of {order.reference} is not ready yet",
            carrier=self.slug,
            operation="shipment",
            retry_after=10.0,
        )

    async def _download(
        self, shipment: wire.Shipment, mime: str, request: LabelRequest
    ) -> LabelDocument:
        parcel = next(p for p in shipment.parcels if p.id)
        paper = _PAPER.get(request.media or "") or self.settings.label_paper_size
        for delay in (0.0, *self._backoff):
            if delay:
                await asyncio.sleep(delay)
            content = await self._client.parcel_label(parcel.id, mime, self._dpi(mime), paper)
            if content is not None:
                return LabelDocument(
                    content=content, media_type=mime, tracking_number=parcel.tracking_number
                )
        raise CarrierUnavailable(
            f"the label of parcel {parcel.id} is not ready yet",
            carrier=self.slug,
            operation="parcel_document",
            retry_after=10.0,
        )
