"""What carriers tell us after the label: tracking events and cases, applied once each.

Webhooks and polls end here. An event is stored once (duplicates are dropped by a
unique key), and the shipment only ever moves forward: an event that arrives late
(out of order) is kept in the history but cannot pull the stage back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shipmux.carriers.base import CarrierWebhook, CaseUpdate, TrackingEvent, TrackingStage
from shipmux.domain.shipments import ShipmentStatus, can_transition
from shipmux.services.context import HubContext
from shipmux.services.notifications.events import notify_stage_change
from shipmux.services.shipments import move
from shipmux.storage.tables import (
    CarrierAccountRow,
    CaseRow,
    ShipmentRow,
    TrackingEventRow,
    WebhookReceiptRow,
)

__all__ = ["FINAL_STAGES", "STAGE_ORDER", "WebhookOutcome", "apply_events", "record_webhook"]

S = ShipmentStatus

# How far along each stage is; an exception is news, not progress. A failed attempt
# ranks with "out for delivery" (the next attempt goes out again); the last three end
# the journey, and nothing moves a shipment out of them.
STAGE_ORDER = {
    TrackingStage.LABEL_CREATED: 0,
    TrackingStage.DROPPED_OFF: 1,
    TrackingStage.COLLECTED: 1,
    TrackingStage.IN_TRANSIT: 2,
    TrackingStage.AT_DEPOT: 3,
    TrackingStage.OUT_FOR_DELIVERY: 4,
    TrackingStage.FAILED_ATTEMPT: 4,
    TrackingStage.DELIVERED: 5,
    TrackingStage.RETURNED: 5,
    TrackingStage.CANCELLED: 5,
}
FINAL_STAGES = frozenset({TrackingStage.DELIVERED, TrackingStage.RETURNED, TrackingStage.CANCELLED})

# The shipment status a stage implies once the parcel has left us.
_STATUS_OF_STAGE = {
    TrackingStage.DROPPED_OFF: S.DESPATCHED,
    TrackingStage.COLLECTED: S.DESPATCHED,
    TrackingStage.IN_TRANSIT: S.DESPATCHED,
    TrackingStage.AT_DEPOT: S.DESPATCHED,
    TrackingStage.OUT_FOR_DELIVERY: S.DESPATCHED,
    TrackingStage.FAILED_ATTEMPT: S.DESPATCHED,
    TrackingStage.RETURNED: S.DESPATCHED,
    TrackingStage.DELIVERED: S.DELIVERED,
}


@dataclass(frozen=True, slots=True)
class WebhookOutcome:
    """What became of one authenticated webhook."""

    outcome: str  # applied | duplicate | unknown_shipment
    shipment_id: str | None = None


def record_webhook(
    ctx: HubContext, account: CarrierAccountRow, webhook: CarrierWebhook, body: dict[str, Any]
) -> WebhookOutcome:
    """Store the receipt and apply what it says, in one transaction; a replayed id is refused.

    Returns ``duplicate`` (and stores nothing) when this account already took the id.
    """
    try:
        with ctx.db.transaction() as session:
            return _record(session, account, webhook, body)
    except IntegrityError:
        # The unique (account, event id) key: another delivery of this id won the race.
        return WebhookOutcome("duplicate")


def _record(
    session: Session, account: CarrierAccountRow, webhook: CarrierWebhook, body: dict[str, Any]
) -> WebhookOutcome:
    seen = session.scalar(
        select(WebhookReceiptRow.id).where(
            WebhookReceiptRow.carrier_account_id == account.id,
            WebhookReceiptRow.event_id == webhook.event_id,
        )
    )
    if seen is not None:
        return WebhookOutcome("duplicate")
    ref = _shipment_ref(webhook)
    shipment = _find_shipment(session, account, ref) if ref else None
    outcome = "applied" if shipment is not None else "unknown_shipment"
    now = datetime.now(UTC)
    session.add(
        WebhookReceiptRow(
            tenant_id=account.tenant_id,
            carrier_account_id=account.id,
            event_id=webhook.event_id,
            event_type=webhook.event_type,
            shipment_id=shipment.id if shipment else None,
            outcome=outcome,
            body=body,
            received_at=now,
        )
    )
    session.flush()  # the unique key is checked here, before any effect
    if shipment is not None:
        if webhook.tracking is not None:
            apply_events(session, shipment, [webhook.tracking], "webhook", now)
        if webhook.case is not None:
            _apply_case(session, shipment, webhook.case, now)
    return WebhookOutcome(outcome, shipment.id if shipment else None)


def _shipment_ref(webhook: CarrierWebhook) -> str | None:
    if webhook.tracking is not None:
        return webhook.tracking.carrier_shipment_ref
    if webhook.case is not None:
        return webhook.case.carrier_shipment_ref
    return None


def _find_shipment(session: Session, account: CarrierAccountRow, ref: str) -> ShipmentRow | None:
    return session.scalar(
        select(ShipmentRow)
        .where(
            ShipmentRow.tenant_id == account.tenant_id,
            ShipmentRow.carrier_account_id == account.id,
            ShipmentRow.carrier_shipment_ref == ref,
        )
        .with_for_update()
    )


def apply_events(
    session: Session,
    shipment: ShipmentRow,
    events: Sequence[TrackingEvent],
    source: str,
    now: datetime,
) -> int:
    """Store the events the shipment does not have yet and move it on; how many were new."""
    rows = session.execute(
        select(
            TrackingEventRow.occurred_at, TrackingEventRow.stage, TrackingEventRow.carrier_code
        ).where(TrackingEventRow.shipment_id == shipment.id)
    )
    known = {(at, stage, code) for at, stage, code in rows}
    fresh = [e for e in events if (e.occurred_at, e.stage.value, e.carrier_code) not in known]
    stored = []
    for event in fresh:
        row = TrackingEventRow(
            tenant_id=shipment.tenant_id,
            shipment_id=shipment.id,
            stage=event.stage.value,
            carrier_code=event.carrier_code,
            description=event.description,
            location=event.location,
            source=source,
            occurred_at=event.occurred_at,
            recorded_at=now,
        )
        session.add(row)
        stored.append((event, row))
    for event, row in sorted(stored, key=lambda pair: STAGE_ORDER.get(pair[0].stage, -1)):
        if _advance(session, shipment, event, now):
            notify_stage_change(session, shipment, row, now)
    return len(fresh)


def _advance(session: Session, shipment: ShipmentRow, event: TrackingEvent, now: datetime) -> bool:
    """Apply one event; whether it is news for the merchant (a new stage, or a problem)."""
    known = TrackingStage(shipment.tracking_stage) if shipment.tracking_stage else None
    current = STAGE_ORDER.get(known, 0) if known else 0
    rank = STAGE_ORDER.get(event.stage)
    if known in FINAL_STAGES:
        return False  # the journey is over: later news is history, not a change
    if rank is None:  # an exception: note it, do not move
        shipment.last_error = (
            f"carrier reports a problem: {event.description or event.carrier_code}"
        )
        shipment.updated_at = now
        return True
    if rank < current and shipment.tracking_stage is not None:
        return False  # late news of an earlier stage
    moved = shipment.tracking_stage != event.stage.value  # another scan at a stage is no news
    shipment.tracking_stage = event.stage.value
    shipment.updated_at = now
    target = _STATUS_OF_STAGE.get(event.stage)
    if target is None:
        return moved
    reason = f"tracking: {event.description or event.stage.value}"
    for step in (S.DESPATCHED, target):
        status = S(shipment.status)
        if status != step and can_transition(status, step):
            move(session, shipment, step, now, reason)
    if target is S.DELIVERED:
        shipment.delivered_at = event.occurred_at  # when the carrier saw it, not when we heard
    return moved


def _apply_case(session: Session, shipment: ShipmentRow, case: CaseUpdate, now: datetime) -> None:
    row = session.scalar(
        select(CaseRow).where(CaseRow.shipment_id == shipment.id, CaseRow.case_id == case.case_id)
    )
    if row is None:
        row = CaseRow(tenant_id=shipment.tenant_id, shipment_id=shipment.id, case_id=case.case_id)
        session.add(row)
    row.case_type = case.case_type or "unknown"
    row.status = case.status or "unknown"
    row.reference = case.reference
    row.updated_at = now
