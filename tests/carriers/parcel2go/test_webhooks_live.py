"""Webhooks the sandbox sends, received over real HTTP and verified with our secret."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from shipmux.carriers.base import TrackingStage
from shipmux.carriers.errors import WebhookRejected
from shipmux.carriers.parcel2go.webhooks import verify_and_parse
from tests.carriers.parcel2go.conftest import Sandbox
from tests.factories import make_order
from tests.support.live_server import serve

pytestmark = pytest.mark.anyio

_DAYS = timedelta(days=5)  # the sandbox clock was moved on two days


class Receiver:
    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    async def hook(self, request: Request) -> Response:
        self.bodies.append(await request.body())
        return Response(status_code=200)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    found = Receiver()
    app = Starlette(routes=[Route("/hook", found.hook, methods=["POST"])])
    with serve(app) as root:
        yield found, f"{root}/hook"


async def test_sandbox_webhooks_verify_and_parse(
    sandbox: Sandbox, receiver: tuple[Receiver, str]
) -> None:
    found, url = receiver
    settings = sandbox.settings()
    assert settings.webhook_secret is not None
    secret = settings.webhook_secret.get_secret_value()
    order = make_order(service_code=None)
    async with sandbox.connector(settings) as carrier:
        placed = await carrier.create_orders([order])
        assert placed[0].created is not None
        sandbox.control(
            "PUT", f"/accounts/{settings.client_id}", {"webhook_url": url, "webhook_secret": secret}
        )
        paid = await carrier.pay(order, placed[0].created, None)
    line = paid.carrier_shipment_ref
    assert line is not None
    sandbox.advance(2 * 24 * 3600)
    sandbox.control("POST", "/cases", {"OrderLineId": int(line), "CaseType": "Enquiry"})
    sandbox.control("POST", "/webhooks/flush")
    for _ in range(40):
        if any(b"Case" in b for b in found.bodies) and len(found.bodies) > 1:
            break
        await asyncio.sleep(0.05)
    now = datetime.fromisoformat(sandbox.control("GET", "/clock")["now"])
    events = [verify_and_parse(body, secret, now, window=_DAYS) for body in found.bodies]
    stages = [e.tracking.stage for e in events if e.tracking is not None]
    assert stages, [e.event_type for e in events]
    assert all(e.tracking.carrier_shipment_ref == line for e in events if e.tracking)
    assert TrackingStage.COLLECTED in stages or TrackingStage.IN_TRANSIT in stages
    [case] = [e.case for e in events if e.case is not None]
    assert case.carrier_shipment_ref == line
    assert case.customer_reference == order.reference
    assert case.case_type == "Enquiry"
    with pytest.raises(WebhookRejected):
        verify_and_parse(found.bodies[0], "a-different-secret", now, window=_DAYS)
