"""One ingestion path: refusals recorded and counted, receipts complete, group commit.

Clickpost webhooks (``webhook_key`` header, ``order_status_id`` event id, repeats
answered 200) at ``POST /webhooks/{carrier}/{account}``, the path carriers are given.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from shipmux.api import create_app
from shipmux.services.accounts import connect_account
from shipmux.services.context import HubContext
from shipmux.storage.tables import WebhookReceiptRow, WebhookRejectionRow
from tests.api.conftest import Tenant, api_client

pytestmark = pytest.mark.anyio

KEY = "ingestion-webhook-key-0123456789"


@pytest.fixture
def clickpost(hub: HubContext, tenant: Tenant) -> str:
    view = connect_account(
        hub.db,
        hub.secret_box,
        tenant.id,
        name="clickpost",
        carrier="clickpost",
        settings={
            "base_url": "http://127.0.0.1:9",
            "username": "ingest",
            "key": "k" * 36,
            "webhook_key": KEY,
            "default_courier": {"courier_partner_id": 1, "account_code": "default"},
        },
    )
    return view.id


def event(status_id: str, **changes: Any) -> bytes:
    body = {
        "waybill": "SF49245NER",
        "cp_id": 9,
        "clickpost_status_code": 6,
        "status": "OFD",
        "remark": "Shipment is Out for Delivery",
        "timestamp": "2026-11-20T10:04:20Z",
        "order_status_id": status_id,
    }
    return json.dumps(body | changes).encode()


def rejections(hub: HubContext) -> list[tuple[str, str, str | None, str | None]]:
    with hub.db.reading() as session:
        return [
            (r.carrier, r.reason, r.carrier_account_id, r.remote_addr)
            for r in session.scalars(select(WebhookRejectionRow).order_by(WebhookRejectionRow.id))
        ]


def receipts(hub: HubContext) -> int:
    with hub.db.reading() as session:
        return session.scalar(select(func.count()).select_from(WebhookReceiptRow)) or 0


async def test_a_receipt_keeps_the_raw_body_and_headers_with_the_key_masked(
    hub: HubContext, clickpost: str
) -> None:
    raw = event("s-1")
    async with api_client(create_app(hub)) as client:
        response = await client.post(
            f"/webhooks/clickpost/{clickpost}",
            content=raw,
            headers={"webhook_key": KEY, "Content-Type": "application/json"},
        )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "unknown_shipment"
    with hub.db.reading() as session:
        row = session.scalars(select(WebhookReceiptRow)).one()
    assert row.event_id == "s-1"
    assert row.raw_body == raw.decode()
    assert row.headers is not None
    assert row.headers["webhook_key"] == "***"
    assert row.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    ("headers", "body", "status", "reason"),
    [
        ({}, event("r-1"), 401, "bad_signature"),
        ({"webhook_key": "wrong"}, event("r-2"), 401, "bad_signature"),
        ({"webhook_key": KEY}, b"{not json", 401, "malformed"),
        ({"webhook_key": KEY}, b"x" * (256 * 1024 + 1), 413, "oversized"),
    ],
)
async def test_refusals_store_only_a_rejection_and_are_counted(
    hub: HubContext,
    clickpost: str,
    headers: dict[str, str],
    body: bytes,
    status: int,
    reason: str,
) -> None:
    async with api_client(create_app(hub)) as client:
        response = await client.post(
            f"/webhooks/clickpost/{clickpost}", content=body, headers=headers
        )
        assert response.status_code == status, response.text
        metrics = (await client.get("/metrics")).text
    assert receipts(hub) == 0
    [(carrier, recorded, account, remote)] = rejections(hub)
    assert (carrier, recorded) == ("clickpost", reason)
    assert account == (None if reason == "oversized" else clickpost)
    assert remote is not None
    assert f'shipmux_webhooks_total{{carrier="clickpost",outcome="rejected:{reason}"}}' in metrics


async def test_an_unknown_account_is_404_and_recorded_without_an_account(
    hub: HubContext, clickpost: str
) -> None:
    async with api_client(create_app(hub)) as client:
        response = await client.post(
            "/webhooks/clickpost/acc_nope", content=event("u-1"), headers={"webhook_key": KEY}
        )
    assert response.status_code == 404
    assert [(c, r, a) for c, r, a, _ in rejections(hub)] == [("clickpost", "unknown_account", None)]


async def test_concurrent_webhooks_share_commits_and_repeats_are_stored_once(
    hub: HubContext, clickpost: str
) -> None:
    app = create_app(hub)
    # Each id three times (Clickpost resends), all sent at once: one batch or a few.
    bodies = [event(f"c-{n}") for n in range(40)] * 3
    async with api_client(app) as client:

        async def send(body: bytes) -> httpx.Response:
            return await client.post(
                f"/webhooks/clickpost/{clickpost}", content=body, headers={"webhook_key": KEY}
            )

        answers = await asyncio.gather(*(send(b) for b in bodies))
        metrics = (await client.get("/metrics")).text
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers[:3]]
    statuses = [a.json()["status"] for a in answers]
    assert statuses.count("duplicate") == 80
    assert receipts(hub) == 40
    assert 'shipmux_webhooks_total{carrier="clickpost",outcome="duplicate"}' in metrics


async def test_one_bad_webhook_does_not_sink_its_batch(
    hub: HubContext, clickpost: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shipmux.services import webhook_intake

    real = webhook_intake.record_webhooks_in

    def fussy(session: Any, items: Any) -> Any:
        if any(webhook.event_id == "bad" for _, webhook, _, _, _ in items):
            raise RuntimeError("cannot apply this one")
        return real(session, items)

    monkeypatch.setattr(webhook_intake, "record_webhooks_in", fussy)
    bodies = [event(f"b-{n}") for n in range(10)] + [event("bad")]
    async with api_client(create_app(hub)) as client:
        answers = await asyncio.gather(
            *(
                client.post(
                    f"/webhooks/clickpost/{clickpost}", content=b, headers={"webhook_key": KEY}
                )
                for b in bodies
            )
        )
    assert [a.status_code for a in answers] == [200] * 10 + [500]
    assert receipts(hub) == 10


async def test_the_webhook_path_answers_in_the_api_s_terms(hub: HubContext, clickpost: str) -> None:
    """Plain ASGI ahead of FastAPI, yet: request ids, problems, 405 with Allow, documented."""
    path = f"/webhooks/clickpost/{clickpost}"
    async with api_client(create_app(hub)) as client:
        taken = await client.post(
            path, content=event("r-1"), headers={"webhook_key": KEY, "X-Request-ID": "carrier-7"}
        )
        refused = await client.post(path, content=event("r-2"), headers={"webhook_key": "nope"})
        wrong_method = await client.get(f"/v1{path}")
        document = (await client.get("/openapi.json")).json()
    assert taken.status_code == 200
    assert taken.headers["x-request-id"] == "carrier-7"
    assert taken.json() == {"status": "unknown_shipment", "shipment_id": None}
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["request_id"] == refused.headers["x-request-id"]
    assert wrong_method.status_code == 405
    assert wrong_method.headers["allow"] == "POST"
    assert wrong_method.json()["code"] == "method_not_allowed"
    for documented in ("/webhooks/{carrier}/{account_id}", "/v1/webhooks/{carrier}/{account_id}"):
        answers = document["paths"][documented]["post"]["responses"]
        assert set(answers) == {"200", "401", "404", "409", "413"}
    assert "WebhookTaken" in document["components"]["schemas"]


async def test_a_crash_while_taking_a_webhook_is_a_500_without_a_trace(
    hub: HubContext, clickpost: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shipmux.services import webhook_intake

    def broken(*_: Any) -> Any:
        raise RuntimeError("secret detail in the traceback")

    monkeypatch.setattr(webhook_intake, "check_webhook", broken)
    async with api_client(create_app(hub)) as client:
        response = await client.post(
            f"/webhooks/clickpost/{clickpost}", content=event("c-1"), headers={"webhook_key": KEY}
        )
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    assert response.json()["request_id"] == response.headers["x-request-id"]
    assert "secret detail" not in response.text
    assert receipts(hub) == 0
