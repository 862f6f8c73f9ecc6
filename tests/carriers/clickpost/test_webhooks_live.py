"""Webhooks the sandbox sends, received over real HTTP and read with the account's key."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from shipmux.carriers.base import TrackingStage, WebhookRequest
from shipmux.carriers.clickpost.webhooks import read_webhook
from shipmux.carriers.errors import WebhookRejected
from tests.carriers.clickpost.conftest import Sandbox
from tests.factories import make_order
from tests.support.live_server import serve

pytestmark = pytest.mark.anyio


class Receiver:
    def __init__(self) -> None:
        self.requests: list[WebhookRequest] = []

    async def hook(self, request: Request) -> Response:
        headers = {k.lower(): v for k, v in request.headers.items()}
        self.requests.append(WebhookRequest(body=await request.body(), headers=headers))
        return Response(status_code=200)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    found = Receiver()
    app = Starlette(routes=[Route("/hook", found.hook, methods=["POST"])])
    with serve(app) as root:
        yield found, f"{root}/hook"


async def test_registered_webhooks_authenticate_and_parse(
    sandbox: Sandbox, receiver: tuple[Receiver, str]
) -> None:
    found, url = receiver
    sandbox.configure(webhooks={"duplicate": True})
    settings = sandbox.settings()
    async with sandbox.connector(settings) as carrier:
        [result] = await carrier.create_orders([make_order(service_code=None)])
        assert result.created is not None
        key = await carrier.register_webhook(url)
    assert key
    account = settings.model_copy(update={"webhook_key": SecretStr(key)})
    sandbox.advance(6 * 3600)
    sandbox.control("POST", "/webhooks/flush")
    for _ in range(60):
        if len(found.requests) >= 12:
            break
        await asyncio.sleep(0.05)
    now = datetime.now(UTC)
    webhooks = [read_webhook(r, account, now) for r in found.requests]
    waybill = result.created.carrier_order_id
    stages = [w.tracking.stage for w in webhooks if w.tracking is not None]
    assert TrackingStage.DELIVERED in stages
    assert all(w.tracking.carrier_shipment_ref == waybill for w in webhooks if w.tracking)
    # Each status came twice with one id: the hub answers the repeat 200 and changes nothing.
    ids = [w.event_id for w in webhooks]
    assert len(set(ids)) == len(ids) // 2
    with pytest.raises(WebhookRejected):
        read_webhook(found.requests[0], settings, now)  # the sandbox key is not this one
