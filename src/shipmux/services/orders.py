"""Reading orders, and the merchant's actions on them (cancel, despatch, label)."""

from __future__ import annotations

import asyncio
import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shipmux import carriers
from shipmux.carriers.base import Capability, LabelRequest
from shipmux.carriers.errors import CarrierError, FeatureUnavailable
from shipmux.domain.errors import (
    CarrierCallFailed,
    Conflict,
    FieldProblem,
    NotFound,
    ValidationFailed,
)
from shipmux.domain.shipments import ShipmentStatus, can_transition
from shipmux.services.context import HubContext
from shipmux.services.outbox import JobKind, job_values
from shipmux.services.shipments import carrier_order_of, move
from shipmux.storage.label_pages import parse_pages
from shipmux.storage.tables import (
    AttemptRow,
    CarrierAccountRow,
    CaseRow,
    JobRow,
    OrderRow,
    ShipmentRow,
    TrackingEventRow,
    TransitionRow,
)

__all__ = [
    "LabelFile",
    "OrderFilter",
    "OrderPage",
    "OrderView",
    "cancel_order",
    "despatch_order",
    "get_order",
    "list_orders",
    "read_label",
]

S = ShipmentStatus


@dataclass(frozen=True, slots=True)
class OrderView:
    id: str
    reference: str
    status: str
    carrier: str | None
    carrier_account: str | None
    carrier_order_id: str | None
    tracking_number: str | None
    has_label: bool
    label_media_type: str | None
    problems: list[dict[str, Any]]
    last_error: str | None
    pending_action: str | None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    labelled_at: datetime | None
    despatched_at: datetime | None
    cancelled_at: datetime | None
    order: dict[str, Any]
    attempts: list[dict[str, Any]]
    history: list[dict[str, Any]]
    service_code: str | None = None
    routed_by: str | None = None
    charge: dict[str, Any] | None = None
    tracking_stage: str | None = None
    delivered_at: datetime | None = None
    tracking: list[dict[str, Any]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)
    last_event_at: datetime | None = None
    last_checked_at: datetime | None = None
    next_check_at: datetime | None = None
    last_update_source: str | None = None
    stuck_since: datetime | None = None


@dataclass(frozen=True, slots=True)
class OrderFilter:
    status: str | None = None
    carrier: str | None = None
    reference: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    stuck: bool | None = None  # True: only stuck shipments; False: only the others


@dataclass(frozen=True, slots=True)
class OrderPage:
    items: list[OrderView]
    next_cursor: str | None


def _load(session: Session, tenant_id: str, order_id: str) -> tuple[OrderRow, ShipmentRow]:
    row = session.execute(
        select(OrderRow, ShipmentRow)
        .join(ShipmentRow, ShipmentRow.order_id == OrderRow.id)
        .where(OrderRow.id == order_id, OrderRow.tenant_id == tenant_id)
    ).one_or_none()
    if row is None:
        # Another tenant's order is "not found" too: we never confirm it exists.
        raise NotFound(f"no order '{order_id}'")
    return row[0], row[1]


def _pending(session: Session, shipment_id: str) -> str | None:
    kinds = session.scalars(
        select(JobRow.kind)
        .where(JobRow.shipment_id == shipment_id, JobRow.state.in_(("queued", "running")))
        .where(JobRow.kind != JobKind.TRACK.value)  # polls are bookkeeping, not an action
        .order_by(JobRow.id)
    ).all()
    return kinds[-1] if kinds else None


def _view(
    session: Session,
    order: OrderRow,
    shipment: ShipmentRow,
    account_names: dict[str, str],
    detail: bool,
) -> OrderView:
    attempts: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    tracking: list[dict[str, Any]] = []
    cases: list[dict[str, Any]] = []
    if detail:
        attempts = [
            {
                "operation": a.operation,
                "outcome": a.outcome,
                "error_code": a.error_code,
                "message": a.message,
                "exchange_ids": a.exchange_ids or [],
                "at": a.at,
            }
            for a in session.scalars(
                select(AttemptRow)
                .where(AttemptRow.shipment_id == shipment.id)
                .order_by(AttemptRow.id)
            )
        ]
        history = [
            {"from": t.from_status, "to": t.to_status, "reason": t.reason, "at": t.at}
            for t in session.scalars(
                select(TransitionRow)
                .where(TransitionRow.shipment_id == shipment.id)
                .order_by(TransitionRow.id)
            )
        ]
        tracking, cases = _tracking(session, shipment.id), _cases(session, shipment.id)
    return OrderView(
        id=order.id,
        reference=order.reference,
        status=shipment.status,
        carrier=shipment.carrier,
        carrier_account=account_names.get(shipment.carrier_account_id or ""),
        carrier_order_id=shipment.carrier_order_id,
        tracking_number=shipment.tracking_number,
        has_label=shipment.label_path is not None,
        label_media_type=shipment.label_media_type,
        problems=list(shipment.problems or []),
        last_error=shipment.last_error,
        pending_action=_pending(session, shipment.id) if detail else None,
        created_at=order.created_at,
        updated_at=max(order.updated_at, shipment.updated_at),
        submitted_at=shipment.submitted_at,
        labelled_at=shipment.labelled_at,
        despatched_at=shipment.despatched_at,
        cancelled_at=shipment.cancelled_at,
        order=order.payload,
        attempts=attempts,
        history=history,
        service_code=shipment.service_code,
        routed_by=shipment.routed_by,
        charge=_charge(shipment),
        tracking_stage=shipment.tracking_stage,
        delivered_at=shipment.delivered_at,
        tracking=tracking,
        cases=cases,
        last_event_at=shipment.last_event_at,
        last_checked_at=shipment.last_checked_at,
        next_check_at=shipment.next_check_at,
        last_update_source=shipment.last_update_source,
        stuck_since=shipment.stuck_since,
    )


def _charge(shipment: ShipmentRow) -> dict[str, Any] | None:
    if shipment.quoted_price is None and shipment.price is None:
        return None
    return {
        "quoted": shipment.quoted_price,
        "price": shipment.price,
        "currency": shipment.currency,
        "paid_at": shipment.paid_at,
    }


def _tracking(session: Session, shipment_id: str) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(TrackingEventRow)
        .where(TrackingEventRow.shipment_id == shipment_id)
        .order_by(TrackingEventRow.occurred_at, TrackingEventRow.id)
    )
    return [
        {
            "stage": e.stage,
            "carrier_code": e.carrier_code or None,
            "description": e.description,
            "location": e.location,
            "source": e.source,
            "occurred_at": e.occurred_at,
            "notification": e.notification,
        }
        for e in rows
    ]


def _cases(session: Session, shipment_id: str) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(CaseRow).where(CaseRow.shipment_id == shipment_id).order_by(CaseRow.id)
    )
    return [
        {
            "case_id": c.case_id,
            "type": c.case_type,
            "status": c.status,
            "reference": c.reference,
            "updated_at": c.updated_at,
        }
        for c in rows
    ]


def _account_names(session: Session, tenant_id: str) -> dict[str, str]:
    rows = session.execute(
        select(CarrierAccountRow.id, CarrierAccountRow.name).where(
            CarrierAccountRow.tenant_id == tenant_id
        )
    ).all()
    return {row.id: row.name for row in rows}


def get_order(ctx: HubContext, tenant_id: str, order_id: str) -> OrderView:
    with ctx.db.reading() as session:
        order, shipment = _load(session, tenant_id, order_id)
        return _view(session, order, shipment, _account_names(session, tenant_id), detail=True)


def encode_cursor(order_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"after": order_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        after = json.loads(base64.urlsafe_b64decode(padded))["after"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ValidationFailed(
            [FieldProblem("cursor", "format", "not a cursor this API returned")]
        ) from exc
    if not isinstance(after, str):
        raise ValidationFailed([FieldProblem("cursor", "format", "not a cursor this API returned")])
    return after


def list_orders(
    ctx: HubContext, tenant_id: str, filters: OrderFilter, limit: int, cursor: str | None
) -> OrderPage:
    """Newest first; ``cursor`` continues after the last order of the previous page."""
    query = (
        select(OrderRow, ShipmentRow)
        .join(ShipmentRow, ShipmentRow.order_id == OrderRow.id)
        .where(OrderRow.tenant_id == tenant_id)
    )
    if filters.status:
        query = query.where(ShipmentRow.status == filters.status)
    if filters.carrier:
        query = query.where(ShipmentRow.carrier == filters.carrier)
    if filters.reference:
        query = query.where(OrderRow.reference == filters.reference)
    if filters.created_from:
        query = query.where(OrderRow.created_at >= filters.created_from)
    if filters.created_to:
        query = query.where(OrderRow.created_at < filters.created_to)
    if filters.stuck is not None:
        stuck = ShipmentRow.stuck_since
        query = query.where(stuck.is_not(None) if filters.stuck else stuck.is_(None))
    if cursor:
        query = query.where(OrderRow.id < decode_cursor(cursor))
    query = query.order_by(OrderRow.id.desc()).limit(limit + 1)
    with ctx.db.reading() as session:
        rows = session.execute(query).all()
        names = _account_names(session, tenant_id)
        items = [_view(session, o, s, names, detail=False) for o, s in rows[:limit]]
    next_cursor = encode_cursor(items[-1].id) if len(rows) > limit and items else None
    return OrderPage(items, next_cursor)


def _enqueue(session: Session, ctx: HubContext, shipment: ShipmentRow, kind: JobKind) -> None:
    session.add(
        JobRow(
            **job_values(
                tenant_id=shipment.tenant_id,
                kind=kind,
                shipment_id=shipment.id,
                account_id=shipment.carrier_account_id,
                max_attempts=ctx.settings.worker.max_attempts,
            )
        )
    )


def _already_pending(session: Session, shipment: ShipmentRow, kind: JobKind) -> bool:
    return (
        session.scalar(
            select(JobRow.id).where(
                JobRow.shipment_id == shipment.id,
                JobRow.kind == kind.value,
                JobRow.state.in_(("queued", "running")),
            )
        )
        is not None
    )


def _drop_queued(session: Session, shipment: ShipmentRow) -> None:
    """Queued work for a shipment cancelled before it reached the carrier is void.

    A job already running is left alone: the worker sees the cancellation when it
    writes its result and withdraws the order at the carrier if it got there.
    """
    session.execute(
        update(JobRow)
        .where(JobRow.shipment_id == shipment.id, JobRow.state == "queued")
        .values(state="done", last_error="cancelled before it ran", updated_at=datetime.now(UTC))
    )


def cancel_order(ctx: HubContext, tenant_id: str, order_id: str) -> OrderView:
    """Cancel at once if the carrier has nothing yet; otherwise withdraw it there first."""
    with ctx.db.transaction() as session:
        order, shipment = _load(session, tenant_id, order_id)
        status = S(shipment.status)
        if status == S.CANCELLED:
            pass
        elif _nothing_to_withdraw(shipment) and can_transition(status, S.CANCELLED):
            move(session, shipment, S.CANCELLED, datetime.now(UTC), "cancelled by merchant")
            _drop_queued(session, shipment)
        elif can_transition(status, S.CANCELLED) and not _can_withdraw(shipment):
            raise Conflict(
                f"{shipment.carrier} has no way to cancel an order it holds: ask the carrier"
                " (a refund, where it charged) and the order stays as it is"
            )
        elif can_transition(status, S.CANCELLED):
            if not _already_pending(session, shipment, JobKind.CANCEL):
                _enqueue(session, ctx, shipment, JobKind.CANCEL)
        else:
            raise Conflict(f"an order in status '{status}' can no longer be cancelled")
        return _view(session, order, shipment, _account_names(session, tenant_id), detail=True)


def _can_withdraw(shipment: ShipmentRow) -> bool:
    entry = carriers.registry().get(shipment.carrier or "")
    return entry is not None and Capability.CANCEL in entry.connector.capabilities


def _nothing_to_withdraw(shipment: ShipmentRow) -> bool:
    """Nothing reached the carrier, or only an unpaid order a carrier that charges per
    order lets lapse (Parcel2Go): cancelling is ours alone."""
    if shipment.carrier_order_id is None:
        return True
    entry = carriers.registry().get(shipment.carrier or "")
    charges = entry is not None and Capability.PAYMENT in entry.connector.capabilities
    return charges and shipment.paid_at is None and not shipment.payment_unknown


def despatch_order(ctx: HubContext, tenant_id: str, order_id: str) -> OrderView:
    """Mark the parcel as handed over; the carrier is told by the worker."""
    with ctx.db.transaction() as session:
        order, shipment = _load(session, tenant_id, order_id)
        status = S(shipment.status)
        if status not in (S.DESPATCHED, S.MANIFESTED, S.DELIVERED):
            if status not in (S.SUBMITTED, S.LABEL_READY):
                raise Conflict(
                    f"an order in status '{status}' cannot be despatched: "
                    "it must be at the carrier first"
                )
            if not _already_pending(session, shipment, JobKind.DESPATCH):
                _enqueue(session, ctx, shipment, JobKind.DESPATCH)
        return _view(session, order, shipment, _account_names(session, tenant_id), detail=True)


@dataclass(frozen=True, slots=True)
class LabelFile:
    content: bytes
    media_type: str
    reference: str


def read_label(ctx: HubContext, tenant_id: str, order_id: str) -> LabelFile:
    with ctx.db.reading() as session:
        order, shipment = _load(session, tenant_id, order_id)
    if shipment.label_path is None:
        raise NotFound(f"order '{order_id}' has no label yet (status '{shipment.status}')")
    # A batch's one document is stored once; this shipment's label is its pages of it.
    content = ctx.labels.read(shipment.label_path, parse_pages(shipment.label_pages))
    return LabelFile(content, shipment.label_media_type or "application/pdf", order.reference)


async def fetch_label_as(
    ctx: HubContext, tenant_id: str, order_id: str, request: LabelRequest
) -> LabelFile:
    """The label in another format or size than the stored one, fetched from the carrier.

    Only once the stored label exists (so the order is paid for where that matters);
    a format the carrier cannot make is a 422 naming the parameter.
    """

    def load() -> tuple[OrderRow, ShipmentRow, CarrierAccountRow | None]:
        with ctx.db.reading() as session:
            order, shipment = _load(session, tenant_id, order_id)
            account = session.get(CarrierAccountRow, shipment.carrier_account_id or "")
        return order, shipment, account

    order, shipment, account = await asyncio.to_thread(load)
    if shipment.label_path is None or account is None or shipment.carrier_order_id is None:
        raise NotFound(f"order '{order_id}' has no label yet (status '{shipment.status}')")
    try:
        document = await ctx.carriers.get(account).fetch_label(
            carrier_order_of(shipment, order.reference), request
        )
    except FeatureUnavailable as exc:
        problem = FieldProblem("format", "unsupported", exc.message)
        raise ValidationFailed([problem], "the carrier cannot make this label") from None
    except CarrierError as exc:
        raise CarrierCallFailed(f"the carrier did not give the label: {exc.message}") from None
    return LabelFile(document.content, document.media_type, order.reference)
