"""What carriers tell us after the label: tracking events and cases, applied once each.

Webhooks and polls end here. An event is stored once (duplicates are dropped by a
unique key), and the shipment only ever moves forward: an event that arrives late
(out of order) is kept in the history but cannot pull the stage back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from shipmux import carriers
from shipmux.carriers.base import (
    Capability,
    CarrierWebhook,
    CaseUpdate,
    TrackingEvent,
    TrackingStage,
)
from shipmux.domain import tracking_schedule
from shipmux.domain.shipments import ShipmentStatus, can_transition
from shipmux.services.notifications.events import StageNotices
from shipmux.services.shipments import move
from shipmux.storage import webhook_receipts
from shipmux.storage.tables import (
    CarrierAccountRow,
    CaseRow,
    ShipmentRow,
    TrackingEventRow,
)

__all__ = [
    "FINAL_STAGES",
    "FINAL_VALUES",
    "POLLED_STATUSES",
    "STAGE_ORDER",
    "WebhookOutcome",
    "apply_events",
    "flag_if_stuck",
    "record_webhooks_in",
]

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
FINAL_VALUES = frozenset(stage.value for stage in FINAL_STAGES)

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


# Shipments a batch of webhooks moves, locked in one order by every writer.
_SHIPMENTS_BY_ID = (
    select(ShipmentRow)
    .where(ShipmentRow.id.in_(bindparam("ids", expanding=True)))
    .order_by(ShipmentRow.id)
    .with_for_update()
)


def record_webhooks_in(
    session: Session,
    items: Sequence[tuple[CarrierAccountRow, CarrierWebhook, dict[str, Any], str | None, Any]],
) -> list[WebhookOutcome]:
    """Many webhooks (account, webhook, body, raw body, headers) in the caller's transaction.

    Set-based for the group commit: one lookup of the ids already taken and one of the
    shipments per account, one insert of every new receipt, then each webhook applied
    in arrival order. A repeat (stored before, or earlier in ``items``) is a
    ``duplicate``; a race with another process surfaces as ``IntegrityError``.
    """
    by_account: dict[str, CarrierAccountRow] = {}
    ids: dict[str, set[str]] = {}
    refs: dict[str, set[str]] = {}
    for account, webhook, _, _, _ in items:
        by_account[account.id] = account
        ids.setdefault(account.id, set()).add(webhook.event_id)
        ref = _shipment_ref(webhook)
        if ref:
            refs.setdefault(account.id, set()).add(ref)
    seen: set[tuple[str, str]] = set()
    for account_id, event_ids in ids.items():
        known = webhook_receipts.known_event_ids(session, account_id, event_ids)
        seen.update((account_id, event_id) for event_id in known)
    shipments = _shipments_named(session, by_account, refs)
    now = datetime.now(UTC)
    outcomes: list[WebhookOutcome] = []
    rows: list[dict[str, Any]] = []
    effects: list[tuple[ShipmentRow, CarrierWebhook]] = []
    for account, webhook, body, raw_body, headers in items:
        key = (account.id, webhook.event_id)
        if key in seen:
            outcomes.append(WebhookOutcome("duplicate"))
            continue
        seen.add(key)
        ref = _shipment_ref(webhook)
        shipment = shipments.get((account.id, ref)) if ref else None
        outcome = "applied" if shipment is not None else "unknown_shipment"
        rows.append(
            {
                "tenant_id": account.tenant_id,
                "carrier_account_id": account.id,
                "event_id": webhook.event_id,
                "event_type": webhook.event_type,
                "shipment_id": shipment.id if shipment else None,
                "outcome": outcome,
                "body": body,
                "raw_body": raw_body,
                "headers": headers,
                "received_at": now,
            }
        )
        outcomes.append(WebhookOutcome(outcome, shipment.id if shipment else None))
        if shipment is not None:
            effects.append((shipment, webhook))
    if rows:  # the unique key is checked here, before any effect
        webhook_receipts.insert_receipts(session, rows)
    # Read once for the batch what applying each event would read again: the shipments'
    # timelines and orders, and (as the notices go) the tenants' endpoints.
    timelines = timelines_of(session, list({shipment.id for shipment, _ in effects}))
    notices = StageNotices(session)
    notices.read_orders({shipment.order_id for shipment, _ in effects})
    for shipment, webhook in effects:
        if webhook.tracking is not None:
            apply_events(
                session,
                shipment,
                [webhook.tracking],
                "webhook",
                now,
                timeline=timelines[shipment.id],
                notices=notices,
            )
        if webhook.case is not None:
            _apply_case(session, shipment, webhook.case, now)
    return outcomes


def _shipments_named(
    session: Session, by_account: dict[str, CarrierAccountRow], refs: dict[str, set[str]]
) -> dict[tuple[str, str], ShipmentRow]:
    """(account, ref) → the shipment, locked; loaded as ORM rows only when one is named."""
    found: dict[str, tuple[str, str]] = {}
    for account_id, wanted in refs.items():
        tenant_id = by_account[account_id].tenant_id
        named = webhook_receipts.shipment_ids_by_ref(session, tenant_id, account_id, wanted)
        found.update((shipment_id, (account_id, ref)) for ref, shipment_id in named.items())
    if not found:
        return {}
    rows = session.scalars(_SHIPMENTS_BY_ID, {"ids": list(found)})
    return {found[row.id]: row for row in rows}


def _shipment_ref(webhook: CarrierWebhook) -> str | None:
    if webhook.tracking is not None:
        return webhook.tracking.carrier_shipment_ref
    if webhook.case is not None:
        return webhook.case.carrier_shipment_ref
    return None


# An event as the shipment's timeline knows it: (carrier time, stage, carrier code).
TimelineKey = tuple[datetime, str, str]


def apply_events(
    session: Session,
    shipment: ShipmentRow,
    events: Sequence[TrackingEvent],
    source: str,
    now: datetime,
    *,
    timeline: set[TimelineKey] | None = None,
    notices: StageNotices | None = None,
) -> int:
    """Store the events the shipment does not have yet and move it on; how many were new.

    The stage is keyed on the carrier's event time: an event older than the latest one
    the shipment has is kept in the timeline but moves nothing, and a final stage sticks.
    The shipment's bookkeeping follows: the latest carrier time, where the news came
    from (push or poll), no longer stuck, and when to poll next.

    A caller applying many events in one transaction passes what it read once: the
    shipment's ``timeline`` (taken up to date here) and its ``notices``.
    """
    known = timeline if timeline is not None else timelines_of(session, [shipment.id])[shipment.id]
    fresh = [e for e in events if (e.occurred_at, e.stage.value, e.carrier_code) not in known]
    known.update((e.occurred_at, e.stage.value, e.carrier_code) for e in fresh)
    notices = notices or StageNotices(session)
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
    # In the carrier's order of time (a stage ahead first when two share a time).
    for event, row in sorted(stored, key=lambda pair: _time_order(pair[0])):
        if _advance(session, shipment, event, now):
            notices.notify(shipment, row, now)
        if shipment.last_event_at is None or event.occurred_at > shipment.last_event_at:
            shipment.last_event_at = event.occurred_at
    if fresh:
        shipment.last_update_source = UPDATE_SOURCES.get(source, source)
        shipment.stuck_since = None  # news: whatever it says, the parcel is not silent
        shipment.updated_at = now
    schedule_next_check(shipment, now)
    return len(fresh)


def timelines_of(session: Session, shipment_ids: Sequence[str]) -> dict[str, set[TimelineKey]]:
    """Each shipment's timeline, for ``apply_events``: one read for many shipments."""
    timelines: dict[str, set[TimelineKey]] = {shipment_id: set() for shipment_id in shipment_ids}
    if not timelines:
        return timelines
    rows = session.execute(
        select(
            TrackingEventRow.shipment_id,
            TrackingEventRow.occurred_at,
            TrackingEventRow.stage,
            TrackingEventRow.carrier_code,
        ).where(TrackingEventRow.shipment_id.in_(shipment_ids))
    )
    for shipment_id, at, stage, code in rows:
        timelines[shipment_id].add((at, stage, code))
    return timelines


# What ``apply_events`` is told (the event's ``source``) -> ``last_update_source``.
UPDATE_SOURCES = {"webhook": "push", "push": "push", "poll": "poll"}


def _time_order(event: TrackingEvent) -> tuple[datetime, int]:
    return event.occurred_at, STAGE_ORDER.get(event.stage, -1)


def schedule_next_check(shipment: ShipmentRow, now: datetime) -> None:
    """Set when the shipment is polled next (``None``: never), from where it is now."""
    shipment.next_check_at = next_check_for(shipment, now)


def next_check_for(shipment: ShipmentRow, now: datetime) -> datetime | None:
    """When to poll this shipment next, by its stage and its carrier's ways."""
    if shipment.status not in POLLED_STATUSES or shipment.carrier is None:
        return None
    entry = carriers.registry().get(shipment.carrier)
    capabilities = entry.connector.capabilities if entry is not None else frozenset()
    return tracking_schedule.next_check_at(
        shipment.tracking_stage,
        now,
        pushes=Capability.PUSH_TRACKING in capabilities,
        polls=Capability.POLL_TRACKING in capabilities,
        last_event_at=shipment.last_event_at,
    )


# Shipment statuses whose parcel the carrier may be moving: labelled or handed over.
POLLED_STATUSES = frozenset({S.LABEL_READY.value, S.DESPATCHED.value, S.MANIFESTED.value})


def stuck_reference(shipment: ShipmentRow) -> datetime | None:
    """The last sign of movement: the carrier's latest event, else despatch, else label."""
    return shipment.last_event_at or shipment.despatched_at or shipment.labelled_at


def flag_if_stuck(shipment: ShipmentRow, stuck_after_hours: float, now: datetime) -> bool:
    """Mark the shipment stuck when nothing moved for ``stuck_after_hours``; whether it is.

    ``stuck_since`` is when it became stuck (the last movement plus the tenant's hours),
    not when we noticed; news clears it (``apply_events``).
    """
    if shipment.status not in POLLED_STATUSES or shipment.tracking_stage in FINAL_VALUES:
        return False
    if shipment.stuck_since is not None:
        return True
    since = stuck_reference(shipment)
    if since is None:
        return False
    stuck_at = since + timedelta(hours=stuck_after_hours)
    if stuck_at > now:
        return False
    shipment.stuck_since = stuck_at
    return True


def _advance(session: Session, shipment: ShipmentRow, event: TrackingEvent, now: datetime) -> bool:
    """Apply one event; whether it is news for the merchant (a new stage, or a problem).

    Called in the carrier's time order, before ``last_event_at`` takes the event in.
    """
    known = TrackingStage(shipment.tracking_stage) if shipment.tracking_stage else None
    current = STAGE_ORDER.get(known, 0) if known else 0
    rank = STAGE_ORDER.get(event.stage)
    if known in FINAL_STAGES:
        return False  # the journey is over: later news is history, not a change
    if shipment.last_event_at is not None and event.occurred_at < shipment.last_event_at:
        return False  # late news: the shipment already knows something newer
    if rank is None:  # an exception: note it, do not move
        shipment.last_error = (
            f"carrier reports a problem: {event.description or event.carrier_code}"
        )
        shipment.updated_at = now
        return True
    if rank < current and shipment.tracking_stage is not None:
        return False  # newer, but behind the stage reached: stages only move forward
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
