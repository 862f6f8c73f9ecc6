"""Merchant webhook endpoints over the API: admin-only writes, named field errors, one secret."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from shipmux.api import create_app
from shipmux.services.context import HubContext
from shipmux.storage.tables import WebhookDeliveryRow
from tests.api.conftest import Tenant, api_client, bearer, make_tenant
from tests.api.test_webhooks import envelope, labelled, order_view, p2g_account, post, tracking

pytestmark = pytest.mark.anyio

__all__ = ["labelled", "p2g_account"]  # fixtures, used by name

URL = "https://shop.example/hooks/shipmux"


@pytest.fixture
async def admin(hub: HubContext, tenant: Tenant) -> Any:
    async with api_client(create_app(hub), tenant.admin_key) as client:
        yield client


async def create(client: httpx.AsyncClient, **body: Any) -> httpx.Response:
    return await client.post("/v1/webhook-endpoints", json={"url": URL} | body)


async def test_create_shows_the_secret_once_and_reads_never(
    admin: httpx.AsyncClient, tenant: Tenant
) -> None:
    made = await create(admin, description="orders", stages=["delivered", "exception"])
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["secret"].startswith("whsec_")
    assert body["stages"] == ["delivered", "exception"]
    assert body["enabled"] is True
    one = await admin.get(f"/v1/webhook-endpoints/{body['id']}", headers=bearer(tenant.read_key))
    assert one.status_code == 200
    assert "secret" not in one.json()
    assert body["secret"] not in one.text
    listed = await admin.get("/v1/webhook-endpoints", headers=bearer(tenant.read_key))
    assert [e["id"] for e in listed.json()["data"]] == [body["id"]]
    assert body["secret"] not in listed.text


async def test_update_replaces_and_delete_removes(admin: httpx.AsyncClient) -> None:
    endpoint_id = (await create(admin)).json()["id"]
    changed = await admin.put(
        f"/v1/webhook-endpoints/{endpoint_id}",
        json={"url": URL + "/v2", "stages": None, "enabled": False},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["url"] == URL + "/v2"
    assert changed.json()["enabled"] is False
    assert changed.json()["disabled_reason"] == "disabled by the tenant"
    enabled = await admin.put(f"/v1/webhook-endpoints/{endpoint_id}", json={"url": URL})
    assert enabled.json()["disabled_reason"] is None
    gone = await admin.delete(f"/v1/webhook-endpoints/{endpoint_id}")
    assert gone.status_code == 204
    assert (await admin.get(f"/v1/webhook-endpoints/{endpoint_id}")).status_code == 404
    assert (await admin.get("/v1/webhook-endpoints")).json()["data"] == []


async def test_rotation_answers_the_new_secret_and_the_overlap(admin: httpx.AsyncClient) -> None:
    made = (await create(admin)).json()
    rotated = await admin.post(f"/v1/webhook-endpoints/{made['id']}/rotate-secret")
    assert rotated.status_code == 200, rotated.text
    body = rotated.json()
    assert body["secret"].startswith("whsec_")
    assert body["secret"] != made["secret"]
    until = datetime.fromisoformat(body["previous_secret_until"])
    assert timedelta(hours=23) < until - datetime.now(UTC) <= timedelta(hours=24)


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"url": "ftp://shop.example/x"}, ["url"]),
        ({"url": "not a url"}, ["url"]),
        ({"url": URL, "stages": ["teleported"]}, ["stages[0]"]),
        ({"url": URL, "stages": []}, ["stages"]),
        ({"url": URL, "enabled": "maybe"}, ["enabled"]),
        ({"url": URL, "secret": "whsec_mine"}, ["secret"]),
        ({"stages": None}, ["url"]),
    ],
)
async def test_bad_input_is_a_problem_naming_the_field(
    admin: httpx.AsyncClient, body: dict[str, Any], fields: list[str]
) -> None:
    answer = await admin.post("/v1/webhook-endpoints", json=body)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in answer.json()["errors"]] == fields


async def test_writes_need_the_admin_scope(hub: HubContext, tenant: Tenant) -> None:
    async with api_client(create_app(hub), tenant.write_key) as client:
        answer = await create(client)
    assert answer.status_code == 403
    assert answer.json()["code"] == "forbidden"


async def test_another_tenants_endpoints_and_deliveries_are_not_found(
    hub: HubContext, admin: httpx.AsyncClient
) -> None:
    endpoint_id = (await create(admin)).json()["id"]
    other = make_tenant(hub, "Other")
    async with api_client(create_app(hub), other.admin_key) as intruder:
        assert (await intruder.get(f"/v1/webhook-endpoints/{endpoint_id}")).status_code == 404
        put = await intruder.put(f"/v1/webhook-endpoints/{endpoint_id}", json={"url": URL})
        assert put.status_code == 404
        assert (await intruder.delete(f"/v1/webhook-endpoints/{endpoint_id}")).status_code == 404
        rotate = await intruder.post(f"/v1/webhook-endpoints/{endpoint_id}/rotate-secret")
        assert rotate.status_code == 404
        assert (await intruder.get("/v1/webhook-endpoints")).json()["data"] == []


async def test_a_carrier_webhook_queues_one_delivery_per_interested_endpoint(
    hub: HubContext, tenant: Tenant, admin: httpx.AsyncClient, p2g_account: str, labelled: str
) -> None:
    everything = (await create(admin)).json()["id"]
    transit = (await create(admin, stages=["in_transit"])).json()["id"]
    await create(admin, stages=["delivered"])
    at = datetime.now(UTC) - timedelta(hours=1)
    answer = await post(hub, p2g_account, envelope("Tracking", tracking("InTransit", at)))
    assert answer.status_code == 200, answer.text

    with hub.db.reading() as session:
        queued = sorted(session.scalars(select(WebhookDeliveryRow.endpoint_id)))
    assert queued == sorted([everything, transit])
    view = await order_view(hub, tenant, labelled)
    assert [(e["stage"], e["notification"]) for e in view["tracking"]] == [("in_transit", "queued")]
    listed = await admin.get("/v1/webhook-deliveries", params={"state": "pending"})
    assert {d["endpoint_id"] for d in listed.json()["data"]} == {everything, transit}
    one = listed.json()["data"][0]
    detail = await admin.get(f"/v1/webhook-deliveries/{one['id']}")
    assert detail.json()["payload"]["data"]["order_id"] == labelled
    assert detail.json()["history"] == []
    busy = await admin.post(f"/v1/webhook-deliveries/{one['id']}/replay")
    assert busy.status_code == 409


async def test_a_day_old_event_is_stored_suppressed_and_shown(
    hub: HubContext, tenant: Tenant, admin: httpx.AsyncClient, p2g_account: str, labelled: str
) -> None:
    await create(admin)
    late = datetime.now(UTC) - timedelta(hours=30)
    answer = await post(hub, p2g_account, envelope("Tracking", tracking("Delivered", late)))
    assert answer.status_code == 200, answer.text
    view = await order_view(hub, tenant, labelled)
    assert view["status"] == "delivered"  # applied all the same
    assert [(e["stage"], e["notification"]) for e in view["tracking"]] == [
        ("delivered", "suppressed: older than 24h")
    ]
    with hub.db.reading() as session:
        assert session.scalars(select(WebhookDeliveryRow)).all() == []


async def test_the_delivery_list_refuses_an_unknown_state(admin: httpx.AsyncClient) -> None:
    answer = await admin.get("/v1/webhook-deliveries", params={"state": "lost"})
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["state"]
