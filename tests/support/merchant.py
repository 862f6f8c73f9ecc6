"""A merchant's webhook receiver for tests: a real Starlette app that records every POST.

    merchant = Merchant()
    with serve(merchant.app) as root:
        url = f"{root}/hooks/orders"           # answers 200
        merchant.answers["orders"] = [500, 200]  # then 500 once, then 200

Each request is kept with its arrival time, raw body and headers, so a test can
verify signatures with ``standardwebhooks`` exactly as a merchant would.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from shipmux.carriers.base import TrackingEvent, TrackingStage
from shipmux.domain.shipments import ShipmentStatus
from shipmux.services.context import HubContext
from shipmux.services.intake import take_orders
from shipmux.services.shipments import move
from shipmux.services.tracking import apply_events
from shipmux.storage.tables import ShipmentRow
from tests.api.conftest import order_json


@dataclass(frozen=True)
class Received:
    hook: str
    at: float  # time.monotonic()
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Merchant:
    received: list[Received] = field(default_factory=list)
    # Per hook name, the statuses to answer in turn; the last one repeats. Default 200.
    answers: dict[str, list[int]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def app(self) -> Starlette:
        return Starlette(routes=[Route("/hooks/{hook}", self._take, methods=["POST"])])

    async def _take(self, request: Request) -> Response:
        hook = request.path_params["hook"]
        body = await request.body()
        with self._lock:
            self.received.append(Received(hook, time.monotonic(), body, dict(request.headers)))
            script = self.answers.get(hook, [200])
            status = script.pop(0) if len(script) > 1 else script[0]
        return Response(status_code=status)

    def at(self, hook: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.hook == hook]


def labelled_shipment(hub: HubContext, tenant_id: str, ref: str = "PARCEL-1") -> ShipmentRow:
    """A tenant's order with its label printed at the default account: tracking comes next."""
    answer = take_orders(hub.db, tenant_id, [order_json()], max_attempts=5)
    [result] = answer.results
    with hub.db.transaction() as session:
        shipment = session.scalars(
            select(ShipmentRow).where(ShipmentRow.order_id == result.order_id)
        ).one()
        shipment.carrier_order_id, shipment.carrier_shipment_ref = "C-1", ref
        shipment.tracking_number = f"TN{ref}"
        for step in (ShipmentStatus.SUBMITTED, ShipmentStatus.LABEL_READY):
            move(session, shipment, step, datetime.now(UTC), "test")
    return shipment


def track(
    hub: HubContext, shipment_id: str, stage: TrackingStage, *, hours_ago: float = 1.0
) -> int:
    """Apply one carrier event to the shipment, as a webhook or a poll would."""
    now = datetime.now(UTC)
    with hub.db.transaction() as session:
        shipment = session.get(ShipmentRow, shipment_id, with_for_update=True)
        assert shipment is not None
        event = TrackingEvent(
            carrier_shipment_ref=shipment.carrier_shipment_ref or "",
            stage=stage,
            occurred_at=now - timedelta(hours=hours_ago),
            carrier_code=stage.value.upper(),
            description=f"Parcel {stage.value}",
        )
        return apply_events(session, shipment, [event], "poll", now)
