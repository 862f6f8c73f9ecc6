"""Merchant webhooks over real HTTP: signed, retried on a schedule, dead-lettered, replayed.

The merchant is a live Starlette app on loopback; signatures are checked with the
``standardwebhooks`` library, exactly as a merchant would check them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from typer.testing import CliRunner

from shipmux.api import create_app
from shipmux.bootstrap import build_context, migrate_database
from shipmux.carriers.base import TrackingStage
from shipmux.cli import app as cli_app
from shipmux.logs import configure_logging
from shipmux.services.context import HubContext
from shipmux.services.notifications import deliveries, endpoints
from shipmux.services.notifications.endpoints import EndpointSpec
from shipmux.services.notifications.queue import RETRY_JITTER
from shipmux.storage.tables import WebhookEndpointRow
from shipmux.worker.notifications import WebhookSender
from shipmux.worker.runner import Worker
from tests.api.conftest import Tenant, api_client, make_tenant
from tests.conftest import make_settings
from tests.support.live_server import serve
from tests.support.merchant import Merchant, labelled_shipment, track

T = TrackingStage
RETRIES = [0.3, 0.9]  # three tries: the first, then after 0.3 s, then after 0.9 s (±10%)


@pytest.fixture
def hub(tmp_path: Path, database_url: str) -> Iterator[HubContext]:
    """A hub whose webhook retries take about a second in all."""
    settings = make_settings(tmp_path / "data", database_url, webhook_retry_seconds=RETRIES)
    ctx = build_context(settings)
    migrate_database(ctx)
    yield ctx
    ctx.db.dispose()


@pytest.fixture
def merchant() -> Iterator[tuple[Merchant, str]]:
    shop = Merchant()
    with serve(shop.app) as root:
        yield shop, f"{root}/hooks"


@pytest.fixture
def tenant(hub: HubContext) -> Tenant:
    return make_tenant(hub)


def register(hub: HubContext, tenant: Tenant, url: str, **spec: Any) -> tuple[str, str]:
    view = endpoints.create_endpoint(
        hub.db,
        hub.secret_box,
        tenant.id,
        EndpointSpec(url, **spec),
        allow_private=hub.settings.allow_private_webhook_urls,
    )
    assert view.secret is not None
    return view.id, view.secret


def send_until_settled(hub: HubContext, timeout: float = 10.0) -> None:
    """Run delivery rounds until nothing is pending (or sending) any more."""

    async def rounds() -> None:
        sender = WebhookSender(hub, "test-worker")
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                await sender.run_once()
                if not deliveries.list_deliveries(
                    hub.db, None, state="pending"
                ) and not deliveries.list_deliveries(hub.db, None, state="sending"):
                    return
                await asyncio.sleep(0.05)
        finally:
            await sender.aclose()
        raise AssertionError("deliveries still pending")

    asyncio.run(rounds())


def test_the_merchant_gets_each_change_once_signed_and_in_order(
    hub: HubContext, tenant: Tenant, merchant: tuple[Merchant, str]
) -> None:
    shop, root = merchant
    _, secret = register(hub, tenant, f"{root}/all")
    _, picky_secret = register(hub, tenant, f"{root}/picky", stages=[T.DELIVERED])
    shipment = labelled_shipment(hub, tenant.id)
    track(hub, shipment.id, T.COLLECTED, hours_ago=3)
    track(hub, shipment.id, T.IN_TRANSIT, hours_ago=2)
    track(hub, shipment.id, T.IN_TRANSIT, hours_ago=1)  # same stage: no news

    send_until_settled(hub)
    send_until_settled(hub)  # a second pass sends nothing again

    got = shop.at("all")
    assert [r.json()["data"]["stage"] for r in got] == ["collected", "in_transit"]
    assert shop.at("picky") == []
    for request in got:
        payload = Webhook(secret).verify(request.body, request.headers)
        assert payload["type"] == "shipment.tracking_updated"
        assert request.headers["webhook-id"].startswith("msg_")
        with pytest.raises(WebhookVerificationError):
            Webhook(picky_secret).verify(request.body, request.headers)
    assert len({r.headers["webhook-id"] for r in got}) == 2
    sent = deliveries.list_deliveries(hub.db, tenant.id, state="delivered")
    assert len(sent) == 2
    detail = deliveries.get_delivery(hub.db, tenant.id, sent[0].id)
    assert [(a.status, a.error) for a in detail.history] == [(200, None)]
    assert detail.history[0].duration_ms >= 0


def test_failures_retry_on_the_growing_schedule_then_go_dead_and_replay(
    hub: HubContext, tenant: Tenant, merchant: tuple[Merchant, str]
) -> None:
    shop, root = merchant
    shop.answers["flaky"] = [500, 503, 502, 200]
    _, secret = register(hub, tenant, f"{root}/flaky")
    shipment = labelled_shipment(hub, tenant.id)
    track(hub, shipment.id, T.OUT_FOR_DELIVERY)

    send_until_settled(hub)

    tries = shop.at("flaky")
    assert len(tries) == 3  # the first and one per scheduled retry
    gaps = [b.at - a.at for a, b in itertools.pairwise(tries)]
    assert gaps[0] >= RETRIES[0] * (1 - RETRY_JITTER)
    assert gaps[1] >= RETRIES[1] * (1 - RETRY_JITTER)
    assert gaps[1] > gaps[0]
    assert len({r.headers["webhook-id"] for r in tries}) == 1  # the same message each time
    [dead] = deliveries.list_deliveries(hub.db, tenant.id, state="dead")
    detail = deliveries.get_delivery(hub.db, tenant.id, dead.id)
    assert [a.status for a in detail.history] == [500, 503, 502]
    assert detail.last_error is not None
    assert detail.last_error.startswith("HTTP 502")

    async def dead_letters_and_replay() -> tuple[httpx.Response, httpx.Response]:
        async with api_client(create_app(hub), tenant.write_key) as client:
            listed = await client.get("/v1/webhook-deliveries", params={"state": "dead"})
            replayed = await client.post(f"/v1/webhook-deliveries/{dead.id}/replay")
        return listed, replayed

    listed, replayed = asyncio.run(dead_letters_and_replay())
    assert [d["id"] for d in listed.json()["data"]] == [dead.id]
    assert replayed.status_code == 202, replayed.text
    assert replayed.json()["state"] == "pending"

    send_until_settled(hub)

    assert len(shop.at("flaky")) == 4
    Webhook(secret).verify(shop.at("flaky")[-1].body, shop.at("flaky")[-1].headers)
    detail = deliveries.get_delivery(hub.db, tenant.id, dead.id)
    assert detail.state == "delivered"
    assert [a.status for a in detail.history] == [500, 503, 502, 200]


@pytest.fixture
def cli() -> Iterator[CliRunner]:
    yield CliRunner()
    # The CLI pointed structlog at the runner's captured output, closed by now.
    configure_logging("INFO")


def test_the_cli_lists_dead_letters_and_replays_one(
    cli: CliRunner,
    hub: HubContext,
    tenant: Tenant,
    merchant: tuple[Merchant, str],
    tmp_path: Path,
    database_url: str,
) -> None:
    shop, root = merchant
    shop.answers["down"] = [500, 500, 500, 204]
    register(hub, tenant, f"{root}/down")
    shipment = labelled_shipment(hub, tenant.id)
    track(hub, shipment.id, T.DELIVERED)
    send_until_settled(hub)
    [dead] = deliveries.list_deliveries(hub.db, tenant.id, state="dead")

    env = {"SHIPMUX_DATA_DIR": str(tmp_path / "data"), "SHIPMUX_DATABASE_URL": database_url}
    listing = cli.invoke(cli_app, ["webhooks", "dead"], env=env)
    assert listing.exit_code == 0, listing.output
    assert dead.id in listing.output
    replay = cli.invoke(cli_app, ["webhooks", "replay", dead.id], env=env)
    assert replay.exit_code == 0, replay.output
    again = cli.invoke(cli_app, ["webhooks", "replay", dead.id], env=env)
    assert again.exit_code == 1  # pending already
    unknown = cli.invoke(cli_app, ["webhooks", "replay", "whd_nope"], env=env)
    assert unknown.exit_code == 1

    send_until_settled(hub)
    assert deliveries.get_delivery(hub.db, None, dead.id).state == "delivered"
    assert [r.json()["data"]["stage"] for r in shop.at("down")] == ["delivered"] * 4


def test_410_gone_disables_the_endpoint(
    hub: HubContext, tenant: Tenant, merchant: tuple[Merchant, str]
) -> None:
    shop, root = merchant
    shop.answers["gone"] = [410]
    gone, _ = register(hub, tenant, f"{root}/gone")
    shipment = labelled_shipment(hub, tenant.id)
    track(hub, shipment.id, T.COLLECTED, hours_ago=2)
    send_until_settled(hub)

    assert len(shop.at("gone")) == 1  # never retried
    view = endpoints.get_endpoint(hub.db, tenant.id, gone)
    assert not view.enabled
    assert view.disabled_reason == "the endpoint answered 410 Gone"
    [dead] = deliveries.list_deliveries(hub.db, tenant.id, state="dead")
    assert dead.last_status == 410
    with pytest.raises(Exception, match="disabled"):
        deliveries.replay_delivery(hub.db, tenant.id, dead.id)

    track(hub, shipment.id, T.IN_TRANSIT)  # no longer queued for a disabled endpoint
    assert len(deliveries.list_deliveries(hub.db, tenant.id)) == 1


def test_after_rotation_both_secrets_verify_until_the_overlap_ends(
    hub: HubContext, tenant: Tenant, merchant: tuple[Merchant, str]
) -> None:
    shop, root = merchant
    endpoint_id, old = register(hub, tenant, f"{root}/rotating")
    rotated = endpoints.rotate_secret(hub.db, hub.secret_box, tenant.id, endpoint_id)
    new = rotated.secret
    assert new is not None
    assert new != old
    assert rotated.previous_secret_until is not None
    assert rotated.previous_secret_until - datetime.now(UTC) > timedelta(hours=23)
    shipment = labelled_shipment(hub, tenant.id)
    track(hub, shipment.id, T.COLLECTED, hours_ago=2)
    send_until_settled(hub)

    [during] = shop.at("rotating")
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    Webhook(new).verify(during.body, during.headers)
    Webhook(old).verify(during.body, during.headers)

    with hub.db.transaction() as session:  # a day later
        row = session.get(WebhookEndpointRow, endpoint_id)
        assert row is not None
        row.previous_secret_until = datetime.now(UTC) - timedelta(seconds=1)
    track(hub, shipment.id, T.IN_TRANSIT)
    send_until_settled(hub)

    after = shop.at("rotating")[-1]
    Webhook(new).verify(after.body, after.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(after.body, after.headers)


def test_an_unreachable_endpoint_records_no_status_and_the_reason(
    hub: HubContext, tenant: Tenant
) -> None:
    register(hub, tenant, "http://127.0.0.1:9/hooks")  # the discard port: refused
    shipment = labelled_shipment(hub, tenant.id)
    track(hub, shipment.id, T.COLLECTED)
    send_until_settled(hub)
    [dead] = deliveries.list_deliveries(hub.db, tenant.id, state="dead")
    history = deliveries.get_delivery(hub.db, tenant.id, dead.id).history
    assert [a.status for a in history] == [None, None, None]
    assert all(a.error and "Connect" in a.error for a in history)


def test_the_worker_process_delivers_them_beside_its_jobs(
    hub: HubContext, tenant: Tenant, merchant: tuple[Merchant, str]
) -> None:
    shop, root = merchant
    register(hub, tenant, f"{root}/live")
    shipment = labelled_shipment(hub, tenant.id)
    track(hub, shipment.id, T.AT_DEPOT)

    async def run_until_received() -> None:
        stop = asyncio.Event()
        running = asyncio.create_task(Worker(hub, "w1").run(stop))
        for _ in range(200):  # ten seconds at most
            if shop.at("live"):
                break
            await asyncio.sleep(0.05)
        stop.set()
        await running

    asyncio.run(run_until_received())
    assert [r.json()["data"]["stage"] for r in shop.at("live")] == ["at_depot"]


def public_only(hub: HubContext) -> HubContext:
    """The same hub with private webhook addresses refused, as in production."""
    strict = hub.settings.model_copy(update={"allow_private_webhook_urls": False})
    return dataclasses.replace(hub, settings=strict)


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]", "127.1"])
def test_a_loopback_endpoint_is_refused_at_delivery_retried_then_dead(
    hub: HubContext, tenant: Tenant, merchant: tuple[Merchant, str], host: str
) -> None:
    """Registered while private addresses were allowed (or a name that now resolves
    to loopback): each try is refused before connecting and recorded, never sent."""
    shop, root = merchant
    port = httpx.URL(root).port
    register(hub, tenant, f"http://{host}:{port}/hooks/inside")
    shipment = labelled_shipment(hub, tenant.id)
    track(hub, shipment.id, T.COLLECTED)

    send_until_settled(public_only(hub))

    assert shop.at("inside") == []
    [dead] = deliveries.list_deliveries(hub.db, tenant.id, state="dead")
    history = deliveries.get_delivery(hub.db, tenant.id, dead.id).history
    assert [a.status for a in history] == [None, None, None]  # the first try and two retries
    for attempt in history:
        assert attempt.error is not None
        assert attempt.error.startswith("address not allowed: ")
        assert "(loopback)" in attempt.error
