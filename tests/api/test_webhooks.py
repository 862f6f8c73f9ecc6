"""Carrier webhooks at the API: only authentic, fresh, first-time deliveries change anything.

Envelopes are signed here from the seed's rule (lowercase hex HMAC-SHA256 of
``Id:Timestamp(yyyy-MM-dd HH:mm:ss):Type``), not with the connector's own signer.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from shipmux.api import create_app
from shipmux.domain.shipments import ShipmentStatus
from shipmux.services.accounts import connect_account
from shipmux.services.context import HubContext
from shipmux.services.intake import take_orders
from shipmux.services.shipments import move
from shipmux.storage.tables import (
    CaseRow,
    ShipmentRow,
    TrackingEventRow,
    WebhookReceiptRow,
)
from tests.api.conftest import Tenant, api_client, bearer, order_json

pytestmark = pytest.mark.anyio

SECRET = "webhook-secret-of-the-account"
LINE = "40069998"


def sign(event_id: str, sent: datetime, kind: str, secret: str = SECRET) -> str:
    message = f"{event_id}:{sent.astimezone(UTC):%Y-%m-%d %H:%M:%S}:{kind}"
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def envelope(kind: str, payload: dict[str, Any], **changes: Any) -> dict[str, Any]:
    sent = changes.pop("sent", datetime.now(UTC))
    event_id = changes.pop("event_id", str(uuid.uuid4()))
    body = {
        "Id": event_id,
        "Timestamp": sent.isoformat(),
        "Signature": sign(event_id, sent, kind),
        "Type": kind,
        "Payload": payload,
    }
    return body | changes


def tracking(stage: str, at: datetime) -> dict[str, Any]:
    return {
        "OrderLineId": int(LINE),
        "Timestamp": at.isoformat(),
        "StatusCode": stage.upper()[:6],
        "StatusDescription": f"Parcel {stage}",
        "TrackingStage": stage,
    }


@pytest.fixture
def p2g_account(hub: HubContext, tenant: Tenant) -> str:
    view = connect_account(
        hub.db,
        hub.secret_box,
        tenant.id,
        name="p2g",
        carrier="parcel2go",
        settings={
            "base_url": "http://127.0.0.1:9/sandbox/parcel2go",
            "client_id": "client-for-webhooks",
            "client_secret": "s" * 24,
            "webhook_secret": SECRET,
        },
    )
    return view.id


@pytest.fixture
def labelled(hub: HubContext, tenant: Tenant, p2g_account: str) -> str:
    """An order at Parcel2Go with its label printed: the shipment webhooks talk about."""
    answer = take_orders(
        hub.db,
        tenant.id,
        [order_json(carrier_account="p2g", service_code=None)],
        max_attempts=5,
    )
    [result] = answer.results
    assert result.order_id is not None
    with hub.db.transaction() as session:
        shipment = session.scalars(
            select(ShipmentRow).where(ShipmentRow.order_id == result.order_id)
        ).one()
        shipment.carrier_order_id, shipment.carrier_shipment_ref = "29285115", LINE
        for step in (ShipmentStatus.SUBMITTED, ShipmentStatus.LABEL_READY):
            move(session, shipment, step, datetime.now(UTC), "test")
    return result.order_id


def counts(hub: HubContext) -> dict[str, int]:
    with hub.db.reading() as session:
        return {
            t.__tablename__: session.scalar(select(func.count()).select_from(t)) or 0
            for t in (WebhookReceiptRow, TrackingEventRow, CaseRow)
        }


async def post(hub: HubContext, account_id: str, body: Any) -> httpx.Response:
    async with api_client(create_app(hub)) as client:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return await client.post(f"/v1/webhooks/parcel2go/{account_id}", content=raw)


async def order_view(hub: HubContext, tenant: Tenant, order_id: str) -> dict[str, Any]:
    async with api_client(create_app(hub), tenant.read_key) as client:
        response = await client.get(f"/v1/orders/{order_id}", headers=bearer(tenant.read_key))
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def test_tracking_webhooks_move_the_order_to_delivered(
    hub: HubContext, tenant: Tenant, p2g_account: str, labelled: str
) -> None:
    start = datetime.now(UTC) - timedelta(hours=5)
    stages = ["Collected", "InTransit", "AtDepot", "DeliveryScheduled", "Delivered"]
    for hour, stage in enumerate(stages):
        response = await post(
            hub, p2g_account, envelope("Tracking", tracking(stage, start + timedelta(hours=hour)))
        )
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "applied"
    view = await order_view(hub, tenant, labelled)
    assert view["status"] == "delivered"
    assert view["tracking_stage"] == "delivered"
    assert [e["stage"] for e in view["tracking"]] == [
        "collected",
        "in_transit",
        "at_depot",
        "out_for_delivery",
        "delivered",
    ]
    assert view["delivered_at"].startswith((start + timedelta(hours=4)).strftime("%Y-%m-%dT%H"))


async def test_late_news_of_an_earlier_stage_does_not_pull_the_order_back(
    hub: HubContext, tenant: Tenant, p2g_account: str, labelled: str
) -> None:
    start = datetime.now(UTC) - timedelta(hours=2)
    delivered = envelope("Tracking", tracking("Delivered", start + timedelta(hours=1)))
    in_transit = envelope("Tracking", tracking("InTransit", start))
    assert (await post(hub, p2g_account, delivered)).status_code == 200
    assert (await post(hub, p2g_account, in_transit)).status_code == 200
    view = await order_view(hub, tenant, labelled)
    assert view["status"] == "delivered"
    assert view["tracking_stage"] == "delivered"
    assert len(view["tracking"]) == 2


async def test_a_case_is_kept_on_the_shipment(
    hub: HubContext, tenant: Tenant, p2g_account: str, labelled: str
) -> None:
    case = {
        "OrderLineId": LINE,
        "CustomerReference": "ab1234",
        "CaseId": "12345",
        "Reference": "ABER343434",
        "Status": "Approved",
        "CaseType": "Claim",
    }
    assert (await post(hub, p2g_account, envelope("Case", case))).status_code == 200
    view = await order_view(hub, tenant, labelled)
    assert view["cases"] == [
        {
            "case_id": "12345",
            "type": "Claim",
            "status": "Approved",
            "reference": "ABER343434",
            "updated_at": view["cases"][0]["updated_at"],
        }
    ]


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(
            lambda b: b | {"Signature": sign(b["Id"], datetime.now(UTC), "Case")}, id="sig"
        ),
        pytest.param(lambda b: b | {"Signature": "0" * 64}, id="zeros"),
        pytest.param(lambda b: b | {"Type": "Case"}, id="type-swapped"),
        pytest.param(
            lambda b: envelope(
                "Tracking", b["Payload"], sent=datetime.now(UTC) - timedelta(hours=2)
            ),
            id="stale",
        ),
        pytest.param(
            lambda b: envelope(
                "Tracking", b["Payload"], sent=datetime.now(UTC) + timedelta(hours=2)
            ),
            id="future",
        ),
        pytest.param(lambda b: b"{not json", id="malformed"),
    ],
)
async def test_inauthentic_or_stale_webhooks_are_refused_and_nothing_is_stored(
    hub: HubContext, p2g_account: str, labelled: str, spoil: Any
) -> None:
    before = counts(hub)
    body = spoil(envelope("Tracking", tracking("Delivered", datetime.now(UTC))))
    response = await post(hub, p2g_account, body)
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "webhook_not_authentic"
    assert "Traceback" not in response.text
    assert counts(hub) == before


async def test_a_replayed_id_is_refused_and_changes_nothing(
    hub: HubContext, tenant: Tenant, p2g_account: str, labelled: str
) -> None:
    event_id = str(uuid.uuid4())
    first = envelope("Tracking", tracking("InTransit", datetime.now(UTC)), event_id=event_id)
    assert (await post(hub, p2g_account, first)).status_code == 200
    before = counts(hub)
    # Same id, even re-signed with a later stage in the (unsigned) payload.
    replay = envelope("Tracking", tracking("Delivered", datetime.now(UTC)), event_id=event_id)
    response = await post(hub, p2g_account, replay)
    assert response.status_code == 409
    assert response.json()["code"] == "webhook_replayed"
    assert counts(hub) == before
    assert (await order_view(hub, tenant, labelled))["tracking_stage"] == "in_transit"


async def test_webhooks_for_another_account_or_carrier_are_not_found(
    hub: HubContext, p2g_account: str, labelled: str
) -> None:
    body = envelope("Tracking", tracking("Delivered", datetime.now(UTC)))
    assert (await post(hub, "acc_nope", body)).status_code == 404
    async with api_client(create_app(hub)) as client:
        wrong = await client.post(f"/v1/webhooks/click-and-drop/{p2g_account}", json=body)
    assert wrong.status_code == 404
