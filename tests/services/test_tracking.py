"""The per-shipment tracking bookkeeping and the state machine keyed on carrier time."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from shipmux.carriers.base import CarrierWebhook, TrackingEvent, TrackingStage
from shipmux.domain.tracking_schedule import INTERVALS
from shipmux.services.context import HubContext
from shipmux.services.notifications.endpoints import EndpointSpec, create_endpoint
from shipmux.services.tracking import apply_events, flag_if_stuck, record_webhooks_in
from shipmux.storage.tables import (
    CarrierAccountRow,
    ShipmentRow,
    TrackingEventRow,
    WebhookDeliveryRow,
)
from tests.api.conftest import make_tenant
from tests.support.merchant import labelled_shipment, track

T = TrackingStage


def shipment_of(hub: HubContext, shipment_id: str) -> ShipmentRow:
    with hub.db.reading() as session:
        row = session.get(ShipmentRow, shipment_id)
        assert row is not None
        return row


def timeline(hub: HubContext, shipment_id: str) -> list[str]:
    with hub.db.reading() as session:
        return list(
            session.scalars(
                select(TrackingEventRow.stage)
                .where(TrackingEventRow.shipment_id == shipment_id)
                .order_by(TrackingEventRow.occurred_at)
            )
        )


def apply(hub: HubContext, shipment_id: str, source: str, *events: TrackingEvent) -> int:
    with hub.db.transaction() as session:
        shipment = session.get(ShipmentRow, shipment_id, with_for_update=True)
        assert shipment is not None
        return apply_events(session, shipment, list(events), source, datetime.now(UTC))


def event(stage: TrackingStage, hours_ago: float) -> TrackingEvent:
    at = datetime.now(UTC) - timedelta(hours=hours_ago)
    return TrackingEvent("PARCEL-1", stage, at, stage.value.upper())


def test_a_late_older_event_is_kept_in_the_timeline_but_does_not_move_the_stage(
    hub: HubContext,
) -> None:
    tenant = make_tenant(hub)
    shipment = labelled_shipment(hub, tenant.id)
    track(hub, shipment.id, T.AT_DEPOT, hours_ago=1)
    # Older than what the shipment knows, and of an earlier stage.
    track(hub, shipment.id, T.IN_TRANSIT, hours_ago=3)
    # Older too, though it would look like progress: the carrier's time decides.
    track(hub, shipment.id, T.OUT_FOR_DELIVERY, hours_ago=2)
    row = shipment_of(hub, shipment.id)
    assert row.tracking_stage == "at_depot"
    assert timeline(hub, shipment.id) == ["in_transit", "out_for_delivery", "at_depot"]
    assert row.last_event_at is not None
    assert abs(row.last_event_at - (datetime.now(UTC) - timedelta(hours=1))) < timedelta(minutes=1)


def test_a_final_stage_sticks_even_against_newer_news(hub: HubContext) -> None:
    tenant = make_tenant(hub)
    shipment = labelled_shipment(hub, tenant.id)
    track(hub, shipment.id, T.DELIVERED, hours_ago=2)
    track(hub, shipment.id, T.IN_TRANSIT, hours_ago=1)  # newer, yet the journey is over
    row = shipment_of(hub, shipment.id)
    assert (row.tracking_stage, row.status) == ("delivered", "delivered")
    assert row.next_check_at is None  # never polled again
    assert timeline(hub, shipment.id) == ["delivered", "in_transit"]


def test_a_batch_is_applied_in_carrier_time_order(hub: HubContext) -> None:
    tenant = make_tenant(hub)
    shipment = labelled_shipment(hub, tenant.id)
    # A poll's answer, shuffled: the newest event decides.
    apply(
        hub,
        shipment.id,
        "poll",
        event(T.OUT_FOR_DELIVERY, 1),
        event(T.COLLECTED, 5),
        event(T.IN_TRANSIT, 3),
    )
    row = shipment_of(hub, shipment.id)
    assert row.tracking_stage == "out_for_delivery"
    assert row.status == "despatched"


def test_bookkeeping_names_the_source_the_latest_time_and_the_next_check(
    hub: HubContext,
) -> None:
    tenant = make_tenant(hub)
    shipment = labelled_shipment(hub, tenant.id)  # at Click & Drop: polled, never pushed
    before = datetime.now(UTC)
    assert apply(hub, shipment.id, "webhook", event(T.IN_TRANSIT, 2)) == 1
    row = shipment_of(hub, shipment.id)
    assert row.last_update_source == "push"
    assert row.next_check_at is not None
    assert row.next_check_at >= before + INTERVALS["in_transit"]

    out = event(T.OUT_FOR_DELIVERY, 1)
    assert apply(hub, shipment.id, "poll", out) == 1
    row = shipment_of(hub, shipment.id)
    assert row.last_update_source == "poll"
    assert row.next_check_at is not None
    assert row.next_check_at <= datetime.now(UTC) + INTERVALS["out_for_delivery"]

    # Nothing new (a duplicate): the source stays what brought the last news.
    assert apply(hub, shipment.id, "webhook", out) == 0
    assert shipment_of(hub, shipment.id).last_update_source == "poll"


def test_news_clears_stuck_and_silence_sets_it(hub: HubContext) -> None:
    tenant = make_tenant(hub)
    shipment = labelled_shipment(hub, tenant.id)
    track(hub, shipment.id, T.IN_TRANSIT, hours_ago=80)
    now = datetime.now(UTC)
    with hub.db.transaction() as session:
        row = session.get(ShipmentRow, shipment.id)
        assert row is not None
        assert flag_if_stuck(row, 72, now)
        assert row.stuck_since is not None
        assert abs(row.stuck_since - (now - timedelta(hours=8))) < timedelta(minutes=1)
    track(hub, shipment.id, T.AT_DEPOT, hours_ago=1)
    assert shipment_of(hub, shipment.id).stuck_since is None
    with hub.db.transaction() as session:
        row = session.get(ShipmentRow, shipment.id)
        assert row is not None
        assert not flag_if_stuck(row, 72, datetime.now(UTC))


def test_a_batch_of_webhooks_for_one_shipment_is_applied_as_if_one_by_one(
    hub: HubContext,
) -> None:
    """The batch path reads timelines, orders and endpoints once: events earlier in the
    same batch must still count as known, and each stage change is queued once."""
    tenant = make_tenant(hub)
    shipment = labelled_shipment(hub, tenant.id, ref="BATCHED")
    create_endpoint(
        hub.db, hub.secret_box, tenant.id, EndpointSpec("http://127.0.0.1:9/h"), allow_private=True
    )
    in_transit, out = event(T.IN_TRANSIT, hours_ago=3), event(T.OUT_FOR_DELIVERY, hours_ago=1)
    in_transit = dataclasses.replace(in_transit, carrier_shipment_ref="BATCHED")
    out = dataclasses.replace(out, carrier_shipment_ref="BATCHED")
    sent = datetime.now(UTC)
    webhooks = [
        CarrierWebhook("e1", "tracking", sent, tracking=in_transit),
        CarrierWebhook("e2", "tracking", sent, tracking=out),
        CarrierWebhook("e3", "tracking", sent, tracking=in_transit),  # same news, new id
    ]
    with hub.db.transaction() as session:
        account = session.get(CarrierAccountRow, shipment.carrier_account_id)
        assert account is not None
        outcomes = record_webhooks_in(
            session, [(account, webhook, {}, None, {}) for webhook in webhooks]
        )
    assert [o.outcome for o in outcomes] == ["applied"] * 3
    assert timeline(hub, shipment.id) == ["in_transit", "out_for_delivery"]
    assert shipment_of(hub, shipment.id).tracking_stage == "out_for_delivery"
    with hub.db.reading() as session:
        queued = session.scalars(
            select(WebhookDeliveryRow.payload).where(WebhookDeliveryRow.shipment_id == shipment.id)
        ).all()
    assert sorted(p["data"]["stage"] for p in queued) == ["in_transit", "out_for_delivery"]
