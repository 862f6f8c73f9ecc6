"""Queueing merchant webhooks: one delivery per interested endpoint, in the event's transaction."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from shipmux.carriers.base import TrackingStage
from shipmux.domain.errors import ValidationFailed
from shipmux.services.context import HubContext
from shipmux.services.notifications import deliveries, endpoints
from shipmux.services.notifications.endpoints import EndpointSpec
from shipmux.services.notifications.queue import (
    RETRY_JITTER,
    TryResult,
    claim_deliveries,
    jittered,
    record_try,
)
from shipmux.storage.tables import TrackingEventRow, WebhookDeliveryRow, WebhookEndpointRow
from tests.api.conftest import make_tenant
from tests.support.merchant import labelled_shipment, track

T = TrackingStage


def register(hub: HubContext, tenant_id: str, **spec: Any) -> str:
    spec = {"url": "https://shop.example/hooks"} | spec
    return endpoints.create_endpoint(hub.db, hub.secret_box, tenant_id, EndpointSpec(**spec)).id


def queued(hub: HubContext) -> list[WebhookDeliveryRow]:
    with hub.db.reading() as session:
        return list(session.scalars(select(WebhookDeliveryRow).order_by(WebhookDeliveryRow.id)))


def marks(hub: HubContext) -> list[tuple[str, str]]:
    with hub.db.reading() as session:
        rows = session.execute(
            select(TrackingEventRow.stage, TrackingEventRow.notification).order_by(
                TrackingEventRow.id
            )
        )
        return [(stage, mark) for stage, mark in rows]


def test_a_stage_change_queues_one_delivery_per_interested_endpoint(hub: HubContext) -> None:
    tenant = make_tenant(hub)
    every = register(hub, tenant.id)
    transit = register(hub, tenant.id, stages=[T.IN_TRANSIT, T.DELIVERED])
    register(hub, tenant.id, stages=[T.DELIVERED])  # not told about transit
    register(hub, tenant.id, enabled=False)
    other = make_tenant(hub, "Other")
    register(hub, other.id)  # another tenant's endpoint hears nothing of ours
    shipment = labelled_shipment(hub, tenant.id)

    assert track(hub, shipment.id, T.IN_TRANSIT) == 1

    rows = queued(hub)
    assert sorted(r.endpoint_id for r in rows) == sorted([every, transit])
    assert {r.message_id for r in rows} == {rows[0].message_id}  # one event, one webhook-id
    assert rows[0].message_id.startswith("msg_")
    data = rows[0].payload["data"]
    assert rows[0].payload["type"] == "shipment.tracking_updated"
    assert data["order_id"] == shipment.order_id
    assert data["stage"] == "in_transit"
    assert data["tracking_number"] == "TNPARCEL-1"
    assert data["carrier"] == "click-and-drop"
    assert data["carrier_code"] == "IN_TRANSIT"
    assert data["status"] == "despatched"
    assert marks(hub) == [("in_transit", "queued")]


def test_no_news_no_delivery_when_the_stage_does_not_move(hub: HubContext) -> None:
    tenant = make_tenant(hub)
    register(hub, tenant.id)
    shipment = labelled_shipment(hub, tenant.id)
    track(hub, shipment.id, T.AT_DEPOT, hours_ago=1)
    track(hub, shipment.id, T.AT_DEPOT, hours_ago=0.5)  # another scan at the same stage
    track(hub, shipment.id, T.IN_TRANSIT, hours_ago=2)  # late news of an earlier stage
    assert len(queued(hub)) == 1
    assert marks(hub) == [("at_depot", "queued"), ("at_depot", "none"), ("in_transit", "none")]


def test_an_exception_is_news(hub: HubContext) -> None:
    tenant = make_tenant(hub)
    register(hub, tenant.id, stages=[T.EXCEPTION])
    shipment = labelled_shipment(hub, tenant.id)
    track(hub, shipment.id, T.EXCEPTION)
    [row] = queued(hub)
    assert row.payload["data"]["stage"] == "exception"


def test_an_event_older_than_a_day_is_stored_and_applied_but_not_sent(hub: HubContext) -> None:
    tenant = make_tenant(hub)
    register(hub, tenant.id)
    shipment = labelled_shipment(hub, tenant.id)
    assert track(hub, shipment.id, T.DELIVERED, hours_ago=25) == 1
    assert queued(hub) == []
    assert marks(hub) == [("delivered", "suppressed: older than 24h")]
    with hub.db.reading() as session:
        stored = session.scalars(select(TrackingEventRow)).one()
        assert stored.stage == "delivered"


def test_without_endpoints_the_event_says_so(hub: HubContext) -> None:
    tenant = make_tenant(hub)
    shipment = labelled_shipment(hub, tenant.id)
    track(hub, shipment.id, T.COLLECTED)
    assert marks(hub) == [("collected", "no endpoint")]


def test_a_deleted_endpoint_hears_nothing_and_its_queue_is_cancelled(hub: HubContext) -> None:
    tenant = make_tenant(hub)
    endpoint_id = register(hub, tenant.id)
    shipment = labelled_shipment(hub, tenant.id)
    track(hub, shipment.id, T.COLLECTED, hours_ago=2)
    endpoints.delete_endpoint(hub.db, tenant.id, endpoint_id)
    track(hub, shipment.id, T.IN_TRANSIT)
    [row] = queued(hub)
    assert row.state == "cancelled"
    assert deliveries.list_deliveries(hub.db, tenant.id, state="pending") == []


def test_the_secret_is_sealed_at_rest(hub: HubContext) -> None:
    tenant = make_tenant(hub)
    view = endpoints.create_endpoint(
        hub.db, hub.secret_box, tenant.id, EndpointSpec("https://shop.example/h")
    )
    assert view.secret is not None
    assert view.secret.startswith("whsec_")
    with hub.db.reading() as session:
        row = session.get(WebhookEndpointRow, view.id)
        assert row is not None
        assert view.secret not in row.secrets
        assert view.secret.removeprefix("whsec_") not in row.secrets
    assert endpoints.get_endpoint(hub.db, tenant.id, view.id).secret is None


@pytest.mark.parametrize(
    "url",
    ["ftp://shop.example/h", "shop.example/h", "https://", "https://u:p@shop.example/h"],
)
def test_bad_urls_are_refused_naming_the_field(hub: HubContext, url: str) -> None:
    tenant = make_tenant(hub)
    with pytest.raises(ValidationFailed) as caught:
        register(hub, tenant.id, url=url)
    assert [p.field for p in caught.value.problems] == ["url"]


def test_private_addresses_are_refused_unless_allowed(hub: HubContext) -> None:
    tenant = make_tenant(hub)
    with pytest.raises(ValidationFailed) as caught:
        register(hub, tenant.id, url="http://169.254.169.254/latest/meta-data/")
    [problem] = caught.value.problems
    assert (problem.field, problem.rule) == ("url", "public_address")
    assert "169.254.169.254 is link-local" in problem.message
    spec = EndpointSpec("http://127.0.0.1:8000/hooks")
    view = endpoints.create_endpoint(hub.db, hub.secret_box, tenant.id, spec, allow_private=True)
    with pytest.raises(ValidationFailed):
        endpoints.update_endpoint(hub.db, tenant.id, view.id, EndpointSpec("http://[::1]/h"))


def test_jitter_stays_within_ten_percent_and_spreads() -> None:
    rng = random.Random(2026)
    waits = [jittered(300.0, rng) for _ in range(2000)]
    low, high = 300.0 * (1 - RETRY_JITTER), 300.0 * (1 + RETRY_JITTER)
    assert all(low <= w <= high for w in waits)
    assert max(waits) - min(waits) > 50  # spread over most of the 60 s band
    assert min(waits) >= 300.0 / 2  # the documented floor, should the fraction grow


def test_deliveries_failing_together_come_due_spread_out(hub: HubContext) -> None:
    tenant = make_tenant(hub)
    for _ in range(8):
        register(hub, tenant.id)
    shipment = labelled_shipment(hub, tenant.id)
    track(hub, shipment.id, T.COLLECTED)
    claimed = claim_deliveries(hub.db, hub.secret_box, "w1", 100, 60)
    assert len(claimed) == 8

    before = datetime.now(UTC)
    rng = random.Random(7)
    for delivery in claimed:
        failed = TryResult(503, 1.0, "HTTP 503: down")
        assert record_try(hub.db, delivery, "w1", failed, [600.0], rng) == "pending"
    after = datetime.now(UTC)

    due = [d.next_attempt_at for d in deliveries.list_deliveries(hub.db, tenant.id)]
    assert all(d is not None for d in due)
    earliest = before + timedelta(seconds=600 * (1 - RETRY_JITTER))
    latest = after + timedelta(seconds=600 * (1 + RETRY_JITTER))
    assert all(d is not None and earliest <= d <= latest for d in due)
    assert len(set(due)) == len(due)  # not one burst at the same instant
