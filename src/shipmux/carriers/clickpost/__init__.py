"""Clickpost: the connector that satisfies ``Carrier``, plus webhook registration.

Clickpost is a universal API over many couriers: each order names a courier by
``courier_partner_id`` and the account's ``account_code`` for it (seed 003). We pick
the pair by configuration: the account settings map our service codes to pairs, with a
default pair for orders that name none, so switching courier is a settings change.

One of our orders is one Clickpost shipment (``max_batch`` 1: the create call takes one
order). Its ``reference_number`` is our reference, Clickpost's idempotency key: the same
create again answers 323 "already placed" with the existing waybill and label, which we
take as a success. The waybill is everything afterwards: ``carrier_order_id``,
``tracking_number`` and ``carrier_shipment_ref`` (webhooks name it).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import ClassVar

import pydantic

from shipmux.carriers.base import (
    Capability,
    CarrierOrder,
    CreateResult,
    LabelDocument,
    LabelRequest,
    Rate,
    TrackingEvent,
)
from shipmux.carriers.clickpost import mapping
from shipmux.carriers.clickpost import schemas as wire
from shipmux.carriers.clickpost.client import TRACK_BATCH, ClickpostClient
from shipmux.carriers.clickpost.settings import ClickpostSettings, CourierAccount
from shipmux.carriers.clickpost.statuses import CANCELLED_CODE
from shipmux.carriers.errors import (
    CarrierParked,
    CarrierProtocolError,
    CarrierRejected,
    CarrierUnavailable,
    FeatureUnavailable,
    OutcomeUnknown,
)
from shipmux.carriers.http import CarrierHttp
from shipmux.domain.limits import CarrierLimits, check_order
from shipmux.domain.orders import Order

__all__ = ["Clickpost", "ClickpostSettings", "CourierAccount"]

_SUCCESS = frozenset({200, 323})
_PROCESSING = frozenset({202, 102})
# Lookup answers that mean "no such order" (none is documented; research §2.2).
_NOT_FOUND = frozenset({400, 404, 321, 326, 330})
# Service-registration codes of register-webhook (specs slate-706daa0).
_WEBHOOK_SERVICES = {"all": 2, "selected": 15}


class Clickpost:
    """One Clickpost account (username and API key), its couriers chosen by settings."""

    slug: ClassVar[str] = "clickpost"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.LOOKUP_BY_REFERENCE,
            Capability.LABEL_PDF,
            Capability.CANCEL,
            Capability.POLL_TRACKING,
            Capability.PUSH_TRACKING,
        }
    )
    limits: ClassVar[CarrierLimits] = mapping.LIMITS
    max_batch: ClassVar[int] = 1

    def __init__(self, settings: ClickpostSettings, http: CarrierHttp) -> None:
        self.settings = settings
        self._http = http
        self._client = ClickpostClient(settings, http)

    # --- Carrier --------------------------------------------------------------------------

    async def create_orders(self, orders: Sequence[Order]) -> list[CreateResult]:
        """Create one shipment on the courier the order's service code picks.

        200 and 323 ("already placed") are successes. An asynchronous create (202, then
        102) is followed by re-posting the same body (Clickpost's documented way) with
        growing waits; still processing at the end is ``OutcomeUnknown``. A courier's
        scheduled downtime is ``CarrierParked``. Refusals come back as problems on our
        fields, Clickpost's words kept.
        """
        if len(orders) > self.max_batch:
            raise ValueError(f"at most {self.max_batch} order per call")
        return [await self._create(order) for order in orders]

    async def find_orders(self, references: Sequence[str]) -> dict[str, CarrierOrder]:
        """Our references' shipments, by Clickpost's documented lookup (GET create-order).

        A shipment still being manifested (no waybill yet) is not found: creating it
        again is safe, because Clickpost answers the same reference with 102 or 323.
        """
        found: dict[str, CarrierOrder] = {}
        for reference in dict.fromkeys(references):
            if not 0 < len(reference) <= (self.limits.reference_max or 50):
                continue
            order = await self._lookup(reference)
            if order is not None:
                found[reference] = order
        cancelled = await self._cancelled(list(found.values()))
        return {ref: o for ref, o in found.items() if o.carrier_order_id not in cancelled}

    async def get_orders(self, orders: Sequence[CarrierOrder]) -> list[CarrierOrder]:
        """Re-read the orders' state from track-order (5 waybills of one courier a call).

        Unknown waybills (``valid`` false) are left out; the others come back with
        ``despatched_at`` (first scan past booking) and ``delivered_at`` when shown.
        """
        by_courier: dict[int, list[CarrierOrder]] = defaultdict(list)
        for order in orders:
            by_courier[self._cp_id(order)].append(order)
        read: dict[str, CarrierOrder] = {}
        for cp_id, group in by_courier.items():
            for start in range(0, len(group), TRACK_BATCH):
                chunk = group[start : start + TRACK_BATCH]
                records = await self._client.track([_waybill(o) for o in chunk], cp_id)
                for order in chunk:
                    record = records.get(_waybill(order))
                    if record is not None and record.valid:
                        read[order.carrier_order_id] = mapping.read_back(
                            order, record, self.settings.naive_timezone
                        )
        return [read[o.carrier_order_id] for o in orders if o.carrier_order_id in read]

    async def quote(self, order: Order) -> list[Rate]:
        """Clickpost's create API takes a courier chosen beforehand: no quotes here."""
        raise FeatureUnavailable(
            "Clickpost allocates couriers by configuration; it gives no quotes",
            carrier=self.slug,
            operation="quote",
        )

    async def pay(
        self, order: Order, placed: CarrierOrder, max_price: Decimal | None
    ) -> CarrierOrder:
        """Clickpost bills its account holder; created orders need no payment."""
        raise FeatureUnavailable(
            "Clickpost orders need no payment", carrier=self.slug, operation="pay"
        )

    async def track(self, order: CarrierOrder) -> list[TrackingEvent]:
        """The waybill's scans from track-order, oldest first, stages in our terms."""
        waybill = _waybill(order)
        records = await self._client.track([waybill], self._cp_id(order))
        record = records.get(waybill)
        if record is None or not record.valid:
            return []
        return mapping.tracking_events(record, waybill, self.settings.naive_timezone)

    async def fetch_label(self, order: CarrierOrder, request: LabelRequest) -> LabelDocument:
        """The courier's label PDF (Clickpost makes PDFs only; other formats get the PDF).

        The label URL comes from the label API (``regenerate=false``: the label made at
        creation); the URL kept from creation is the fallback when that API has none.
        """
        waybill = _waybill(order)
        envelope = await self._client.shipping_label(waybill, self._cp_id(order))
        url = None
        if envelope.code == 200:
            url = wire.LabelResult.model_validate(envelope.result_dict()).shipping_label
        url = url or order.carrier_data.get("label_url")
        if not url:
            if envelope.code in (200, *_NOT_FOUND):
                raise CarrierUnavailable(
                    f"Clickpost has no label for {waybill} yet: {envelope.text}",
                    carrier=self.slug,
                    operation="fetch_label",
                    carrier_code=str(envelope.code),
                )
            raise CarrierRejected(
                envelope.text or "the label was refused",
                carrier=self.slug,
                operation="fetch_label",
                carrier_code=str(envelope.code),
            )
        content = await self._client.download(url)
        if not content.startswith(b"%PDF"):
            raise CarrierProtocolError(
                "the label is not a PDF", carrier=self.slug, operation="label_document"
            )
        return LabelDocument(content=content, media_type="application/pdf")

    async def fetch_labels(
        self, orders: Sequence[CarrierOrder], request: LabelRequest
    ) -> dict[str, LabelDocument]:
        """One label call per waybill: Clickpost's label API takes one."""
        if len(orders) > self.max_batch:
            raise ValueError(f"at most {self.max_batch} order per call")
        return {o.carrier_order_id: await self.fetch_label(o, request) for o in orders}

    async def cancel(self, order: CarrierOrder) -> None:
        """Cancel the waybill with its courier; 600 (already cancelled) and 202 (accepted,
        sent on by mail to the courier) count as done."""
        envelope = await self._client.cancel(
            _waybill(order), self._cp_id(order), self._account_code(order)
        )
        if envelope.code in (600, 202) or (envelope.code == 200 and envelope.success is not False):
            return
        raise CarrierRejected(
            envelope.text or "the cancellation was refused",
            carrier=self.slug,
            operation="cancel",
            carrier_code=str(envelope.code),
        )

    async def despatch(self, order: CarrierOrder, when: datetime) -> None:
        """Clickpost is not told of despatch: the courier's pickup scan shows in tracking."""
        raise FeatureUnavailable(
            "Clickpost has no despatch API", carrier=self.slug, operation="despatch"
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    # --- Clickpost extras -----------------------------------------------------------------

    async def register_webhook(
        self, url: str, *, events: str = "all", update: bool = False
    ) -> str | None:
        """Register (POST) or move (PUT, ``update=True``) the account's webhook URL.

        ``events`` is ``all`` (service 2) or ``selected`` (15). Returns the
        ``webhook_key`` Clickpost will send, to be stored as the account's
        ``webhook_key``; None when the answer carries none. 305 (already registered)
        is answered by a PUT. Documented only until Aug 2018 (research §2.6).
        """
        service_id = _WEBHOOK_SERVICES[events]
        envelope = await self._client.register_webhook(url, service_id, update=update)
        if envelope.code == 305 and not update:
            envelope = await self._client.register_webhook(url, service_id, update=True)
        if envelope.code != 200:
            raise CarrierRejected(
                envelope.text or "the webhook registration was refused",
                carrier=self.slug,
                operation="register_webhook",
                carrier_code=str(envelope.code),
            )
        answer = wire.WebhookRegistration.model_validate(envelope.result_dict())
        return answer.webhook_key or envelope.webhook_key

    # --- helpers --------------------------------------------------------------------------

    def _cp_id(self, order: CarrierOrder) -> int:
        raw = order.carrier_data.get("cp_id")
        if raw and raw.isdigit():
            return int(raw)
        courier = self.settings.courier_for(order.service_code) or self.settings.default_courier
        if courier is None:
            raise ValueError(f"order {order.carrier_order_id} names no Clickpost courier (cp_id)")
        return courier.courier_partner_id

    def _account_code(self, order: CarrierOrder) -> str | None:
        return order.carrier_data.get("account_code") or self.settings.account_code_for(
            self._cp_id(order)
        )

    async def _create(self, order: Order) -> CreateResult:
        pickup = order.sender or self.settings.pickup_address
        problems = check_order(order, self.limits) + mapping.check_order(
            order, pickup, self.settings
        )
        courier = self.settings.courier_for(order.service_code)
        if problems or pickup is None or courier is None:
            return CreateResult(
                order.reference, problems=problems, message="not sent: Clickpost would refuse it"
            )
        body = mapping.create_body(order, pickup, courier, self.settings, datetime.now(UTC))
        envelope = await self._client.create_order(body)
        waits = iter(self.settings.async_poll_seconds)
        while envelope.code in _PROCESSING:
            wait = next(waits, None)
            if wait is None:
                raise OutcomeUnknown(
                    f"Clickpost is still processing {order.reference} after"
                    f" {len(self.settings.async_poll_seconds)} follow-ups; look it up later",
                    carrier=self.slug,
                    operation="create_order",
                    carrier_code=str(envelope.code),
                )
            await asyncio.sleep(wait)
            envelope = await self._client.create_order(body)
        if envelope.code in _SUCCESS:
            return await self._created(order, courier, envelope)
        return self._refused(order, envelope)

    async def _created(
        self, order: Order, courier: CourierAccount, envelope: wire.Envelope
    ) -> CreateResult:
        message = "already placed" if envelope.code == 323 else None
        try:
            result = wire.CreateOrderResult.model_validate(envelope.result_dict())
            placed = mapping.carrier_order_from_result(
                result, order.reference, courier, order.service_code
            )
        except (pydantic.ValidationError, ValueError):
            # 323 without its result (or a 200 without a waybill): read it back.
            found = await self._lookup(order.reference)
            if found is None:
                raise OutcomeUnknown(
                    f"Clickpost answered {envelope.code} without a waybill",
                    carrier=self.slug,
                    operation="create_order",
                    carrier_code=str(envelope.code),
                ) from None
            placed = found
        return CreateResult(order.reference, created=placed, message=message)

    def _refused(self, order: Order, envelope: wire.Envelope) -> CreateResult:
        code, text, result = envelope.code, envelope.text, envelope.result
        if mapping.is_downtime(text, result):
            end = mapping.downtime_end(
                text, result, datetime.now(UTC), self.settings.naive_timezone
            )
            raise CarrierParked(
                f"the courier is down for now: {text}",
                carrier=self.slug,
                operation="create_order",
                carrier_code=str(code),
                retry_after=end if end is not None else self.settings.downtime_retry_seconds,
            )
        problems = mapping.problems_from_refusal(code, text, result)
        unplaced = all(p.field == "order" for p in problems)
        if code == 322 or (code in (319, 354) and unplaced):
            # The courier failed, not our data: the hub's retry policy tries again.
            raise CarrierUnavailable(
                f"the courier failed: {text}",
                carrier=self.slug,
                operation="create_order",
                carrier_code=str(code),
            )
        return CreateResult(order.reference, problems=problems, message=text or "refused")

    async def _cancelled(self, orders: Sequence[CarrierOrder]) -> set[str]:
        """The waybills among ``orders`` whose latest status is CANCELLED_ORDER (10).

        Clickpost's lookup still answers a cancelled shipment; for us it is gone.
        """
        by_courier: dict[int, list[str]] = defaultdict(list)
        for order in orders:
            by_courier[self._cp_id(order)].append(_waybill(order))
        cancelled: set[str] = set()
        for cp_id, waybills in by_courier.items():
            for start in range(0, len(waybills), TRACK_BATCH):
                records = await self._client.track(waybills[start : start + TRACK_BATCH], cp_id)
                for waybill, record in records.items():
                    latest = record.latest_status
                    if latest is not None and latest.clickpost_status_code == CANCELLED_CODE:
                        cancelled.add(waybill)
        return cancelled

    async def _lookup(self, reference: str) -> CarrierOrder | None:
        envelope = await self._client.lookup(reference)
        if envelope.code in _NOT_FOUND or envelope.code in _PROCESSING:
            return None  # unknown, or still being manifested (no waybill yet)
        if envelope.code != 200:
            raise CarrierUnavailable(
                f"the lookup answered {envelope.code}: {envelope.text}",
                carrier=self.slug,
                operation="lookup_order",
                carrier_code=str(envelope.code),
            )
        result = wire.CreateOrderResult.model_validate(envelope.result_dict())
        if not result.waybill:
            return None
        if result.reference_number and result.reference_number != reference:
            return None
        cp_id = result.courier_partner_id or result.courier_partner
        courier = (
            CourierAccount(
                courier_partner_id=cp_id, account_code=self.settings.account_code_for(cp_id)
            )
            if cp_id
            else None
        )
        return mapping.carrier_order_from_result(result, reference, courier, None)


def _waybill(order: CarrierOrder) -> str:
    return order.carrier_shipment_ref or order.tracking_number or order.carrier_order_id
