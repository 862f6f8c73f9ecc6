"""Writing many alike successes at once: one statement per table, not one per job.

Most jobs end the same way (created, labelled, despatched). Their outcomes are
collected across the runs of one group commit and written set-based; a job whose
shipment moved on meanwhile (cancelled while its create was in flight, say) is
handed back for the careful one-at-a-time path.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from shipmux.domain.shipments import ShipmentStatus, transition
from shipmux.services.outbox import JobKind, job_values
from shipmux.services.shipments import STAMPS
from shipmux.storage.tables import AttemptRow, JobRow, ShipmentRow, TransitionRow
from shipmux.worker.outbox import ClaimedJob

__all__ = ["Progress", "apply_progress"]


@dataclass(frozen=True, slots=True)
class Progress:
    """A job that succeeded: move its shipment from ``expect`` to ``target``."""

    job: ClaimedJob
    shipment_id: str
    expect: ShipmentStatus
    target: ShipmentStatus
    reason: str
    values: dict[str, Any] = field(default_factory=dict)  # other shipment columns to set
    follow_up: JobKind | None = None
    outcome: str = "ok"
    exchange_ids: tuple[int, ...] = ()
    # A second step taken in the same run: expect -> via -> target (created, then labelled).
    via: ShipmentStatus | None = None
    via_reason: str | None = None
    via_operation: str | None = None
    # Called instead when the shipment is no longer in ``expect``.
    otherwise: Callable[[Session, list[int]], None] | None = None


def apply_progress(
    session: Session, worker_id: str, items: Sequence[Progress], max_attempts: int
) -> None:
    if not items:
        return
    now = datetime.now(UTC)
    ids = [p.shipment_id for p in items]
    current: dict[str, str] = dict(
        session.execute(
            select(ShipmentRow.id, ShipmentRow.status)
            .where(ShipmentRow.id.in_(ids))
            .with_for_update()
        ).all()
    )
    ready = [p for p in items if current.get(p.shipment_id) == p.expect.value]
    for p in items:
        if current.get(p.shipment_id) != p.expect.value and p.otherwise is not None:
            p.otherwise(session, list(p.exchange_ids))
    owned = _finish_owned(session, worker_id, [p.job.id for p in ready], now)
    ready = [p for p in ready if p.job.id in owned]  # a lost lease: the new holder decides
    groups: dict[tuple[str, ...], list[Progress]] = defaultdict(list)
    for p in ready:
        groups[tuple(sorted(p.values))].append(p)  # one executemany per shape of update
    for batch in groups.values():
        _move_shipments(session, batch, now)
    _record(session, worker_id, ready, now, max_attempts)


def _finish_owned(session: Session, worker_id: str, job_ids: list[int], now: datetime) -> set[int]:
    if not job_ids:
        return set()
    rows = session.execute(
        update(JobRow)
        .where(JobRow.id.in_(job_ids), JobRow.locked_by == worker_id, JobRow.state == "running")
        .values(
            state="done",
            attempts=JobRow.attempts + 1,
            locked_by=None,
            locked_until=None,
            last_error=None,
            updated_at=now,
        )
        .returning(JobRow.id)
        .execution_options(synchronize_session=False)
    )
    return {row[0] for row in rows}


def _move_shipments(session: Session, batch: list[Progress], now: datetime) -> None:
    rows = []
    for p in batch:
        steps = [p.expect, p.via, p.target] if p.via is not None else [p.expect, p.target]
        row = {"id": p.shipment_id, "status": p.target.value, "updated_at": now, **p.values}
        for before, after in itertools.pairwise(steps):
            transition(before, after)  # the table still rules: raises if illegal
            stamp = STAMPS.get(after)
            if stamp is not None:
                row[stamp] = now
        rows.append(row)
    session.execute(update(ShipmentRow), rows)  # ORM bulk UPDATE by primary key


def _transitions(p: Progress, now: datetime) -> list[dict[str, Any]]:
    steps: list[tuple[ShipmentStatus, ShipmentStatus, str | None]] = [
        (p.expect, p.target, p.reason)
    ]
    if p.via is not None:
        steps = [(p.expect, p.via, p.via_reason), (p.via, p.target, p.reason)]
    return [
        {
            "tenant_id": p.job.tenant_id,
            "shipment_id": p.shipment_id,
            "from_status": before.value,
            "to_status": after.value,
            "reason": reason,
            "at": now,
        }
        for before, after, reason in steps
    ]


def _attempts(p: Progress, worker_id: str, now: datetime) -> list[dict[str, Any]]:
    operations = [p.job.kind] + ([p.via_operation] if p.via_operation else [])
    return [
        {
            "tenant_id": p.job.tenant_id,
            "shipment_id": p.shipment_id,
            "job_id": p.job.id,
            "operation": operation,
            "worker_id": worker_id,
            "outcome": p.outcome,
            "error_code": None,
            "message": None,
            "exchange_ids": list(p.exchange_ids) or None,
            "at": now,
        }
        for operation in operations
    ]


def _record(
    session: Session, worker_id: str, ready: list[Progress], now: datetime, max_attempts: int
) -> None:
    if not ready:
        return
    session.execute(insert(TransitionRow), [t for p in ready for t in _transitions(p, now)])
    session.execute(insert(AttemptRow), [a for p in ready for a in _attempts(p, worker_id, now)])
    follow_ups = [
        job_values(
            tenant_id=p.job.tenant_id,
            kind=p.follow_up,
            shipment_id=p.shipment_id,
            account_id=p.job.account_id,
            max_attempts=max_attempts,
            now=now,
        )
        for p in ready
        if p.follow_up is not None
    ]
    if follow_ups:
        session.execute(insert(JobRow), follow_ups)
