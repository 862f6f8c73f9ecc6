"""Merchant webhook endpoints over the API: admin-only writes, named field errors, one secret."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from shipmux.api import create_app
from shipmux.config import Settings
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


@pytest.fixture
def public_only(hub: HubContext) -> HubContext:
    """The hub as in production: the test settings allow private addresses."""
    hub.settings.allow_private_webhook_urls = False
    return hub


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://127.0.0.1:8000/hooks", "127.0.0.1 is loopback"),
        ("http://10.0.0.7/hooks", "10.0.0.7 is private"),
        ("http://172.16.0.1/hooks", "172.16.0.1 is private"),
        ("https://192.168.1.20/hooks", "192.168.1.20 is private"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is link-local"),
        ("http://0.0.0.0:8000/", "0.0.0.0 is unspecified"),
        ("http://224.0.0.1/", "224.0.0.1 is multicast"),
        ("http://[::1]:8000/hooks", "::1 is loopback"),
        ("http://[fe80::1]/hooks", "fe80::1 is link-local"),
        ("http://[fd00:ec2::254]/", "fd00:ec2::254 is unique local"),
        ("http://[::]/", ":: is unspecified"),
        ("http://[ff02::1]/", "ff02::1 is multicast"),
        ("http://[4000::1]/", "4000::1 is reserved"),
        ("http://[::ffff:127.0.0.1]/", "is loopback"),  # shown as ::ffff:7f00:1
        ("http://localhost:8000/hooks", "localhost is loopback"),
        ("http://LocalHost./hooks", "localhost is loopback"),
        ("http://shop.localhost/hooks", "shop.localhost is loopback"),
        ("http://2130706433/hooks", "127.0.0.1 is loopback"),
    ],
)
async def test_a_private_address_is_refused_on_create_and_update(
    public_only: HubContext, admin: httpx.AsyncClient, url: str, why: str
) -> None:
    refused = await admin.post("/v1/webhook-endpoints", json={"url": url})
    assert refused.status_code == 422, refused.text
    [problem] = refused.json()["errors"]
    assert (problem["field"], problem["rule"]) == ("url", "public_address")
    assert why in problem["message"]

    endpoint_id = (await create(admin)).json()["id"]
    moved = await admin.put(f"/v1/webhook-endpoints/{endpoint_id}", json={"url": url})
    assert moved.status_code == 422, moved.text
    assert [(e["field"], e["rule"]) for e in moved.json()["errors"]] == [("url", "public_address")]
    assert (await admin.get(f"/v1/webhook-endpoints/{endpoint_id}")).json()["url"] == URL


@pytest.mark.parametrize(
    "url",
    [
        "http://8.8.8.8/hooks",
        "https://93.184.216.34:8443/hooks",
        "https://[2606:4700:4700::1111]/hooks",
        "https://localhost.shop.example/hooks",  # a name: checked when delivering
    ],
)
async def test_public_addresses_and_names_are_accepted(
    public_only: HubContext, admin: httpx.AsyncClient, url: str
) -> None:
    made = await admin.post("/v1/webhook-endpoints", json={"url": url})
    assert made.status_code == 201, made.text
    assert made.json()["url"] == url


async def test_the_setting_lets_development_register_loopback(
    hub: HubContext, admin: httpx.AsyncClient
) -> None:
    assert hub.settings.allow_private_webhook_urls  # the test suite's hubs turn it on
    made = await create(admin, url="http://127.0.0.1:8000/hooks")
    assert made.status_code == 201, made.text


def test_private_addresses_are_refused_unless_the_environment_says_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings(_env_file=None).allow_private_webhook_urls is False  # type: ignore[call-arg]
    monkeypatch.setenv("SHIPMUX_ALLOW_PRIVATE_WEBHOOK_URLS", "true")
    assert Settings(_env_file=None).allow_private_webhook_urls is True  # type: ignore[call-arg]
