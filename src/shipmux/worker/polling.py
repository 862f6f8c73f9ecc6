"""Polling as the backup to pushes: due shipments become ``track`` jobs; a daily sweep.

Every few seconds each worker turns shipments whose ``next_check_at`` has come into
``track`` outbox jobs, in one transaction that also moves their ``next_check_at`` on
by ``HOLD`` (so no other worker queues them again meanwhile). The dispatcher runs
those jobs like any other: claimed with SKIP LOCKED, grouped per account, each carrier
call inside the dispatcher's carrier slots and the account's rate limiter, the outcome
group-committed. The track run sets the real ``next_check_at`` (domain.tracking_schedule).

Once a day one worker, elected by a lease row (``leases``), makes every shipment that
was not checked for a day due now (seed: "hit for all AWB which are not yet delivered
... at least once a day") and flags the ones with no movement for the tenant's
``stuck_after_hours``.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import ColumnElement, and_, exists, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from shipmux import carriers
from shipmux.carriers.base import Capability
from shipmux.services import tracking
from shipmux.services.context import HubContext
from shipmux.services.outbox import JobKind, job_values
from shipmux.storage.db import Database
from shipmux.storage.tables import CarrierAccountRow, JobRow, LeaseRow, ShipmentRow, TenantRow

__all__ = [
    "HOLD",
    "SWEEP_LEASE",
    "Poller",
    "SweepResult",
    "acquire_lease",
    "enqueue_due",
    "flag_stuck",
    "sweep",
]

log = structlog.get_logger(__name__)

SWEEP_LEASE = "tracking-daily-sweep"
# How often the sweep runs (the lease is held this long), and how recently a shipment
# must have been checked to be left out of it.
SWEEP_EVERY = timedelta(days=1)
# A queued shipment is not queued again for this long (its track job sets the real time).
HOLD = timedelta(minutes=15)
# How often each worker flags stuck shipments between sweeps.
STUCK_EVERY = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class SweepResult:
    due: int  # shipments made due now
    stuck: int  # shipments newly flagged stuck


def pollable_carriers() -> list[str]:
    return sorted(
        slug
        for slug, entry in carriers.registry().items()
        if Capability.POLL_TRACKING in entry.connector.capabilities
    )


def _trackable() -> ColumnElement[bool]:
    """At the carrier, not over, with a carrier we can ask."""
    return and_(
        ShipmentRow.status.in_(tracking.POLLED_STATUSES),
        ShipmentRow.carrier.in_(pollable_carriers()),
        ShipmentRow.carrier_order_id.is_not(None),
        or_(
            ShipmentRow.tracking_stage.is_(None),
            ShipmentRow.tracking_stage.not_in(tracking.FINAL_VALUES),
        ),
    )


def enqueue_due(db: Database, now: datetime, limit: int, max_attempts: int = 1) -> int:
    """Queue a ``track`` job for up to ``limit`` due shipments; how many were queued.

    Shipments of a paused account wait; one with a track job still open is not queued
    twice. On PostgreSQL the rows are taken with SKIP LOCKED; on SQLite the write lock
    of the transaction keeps two workers from taking the same ones.
    """
    open_track = exists().where(
        JobRow.shipment_id == ShipmentRow.id,
        JobRow.kind == JobKind.TRACK.value,
        JobRow.state.in_(("queued", "running")),
    )
    query = (
        select(ShipmentRow.id, ShipmentRow.tenant_id, ShipmentRow.carrier_account_id)
        .join(CarrierAccountRow, CarrierAccountRow.id == ShipmentRow.carrier_account_id)
        .where(ShipmentRow.next_check_at <= now, _trackable())
        .where(CarrierAccountRow.paused_reason.is_(None), ~open_track)
        .order_by(ShipmentRow.next_check_at)
        .limit(limit)
    )
    if db.dialect == "postgresql":
        query = query.with_for_update(skip_locked=True, of=ShipmentRow)
    with db.transaction() as session:
        rows = session.execute(query).all()
        if not rows:
            return 0
        jobs = [
            job_values(
                tenant_id=tenant_id,
                kind=JobKind.TRACK,
                shipment_id=shipment_id,
                account_id=account_id,
                max_attempts=max_attempts,
            )  # due at once by the wall clock, whatever ``now`` the caller judged by
            for shipment_id, tenant_id, account_id in rows
        ]
        session.execute(insert(JobRow), jobs)
        session.execute(
            update(ShipmentRow)
            .where(ShipmentRow.id.in_([r[0] for r in rows]))
            .values(next_check_at=now + HOLD)
            .execution_options(synchronize_session=False)
        )
    return len(rows)


def acquire_lease(db: Database, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take the named lease until ``now + ttl`` if it is free (absent or expired).

    One atomic statement on both engines: INSERT ... ON CONFLICT DO UPDATE ... WHERE
    until < now, RETURNING the row only when this call took it.
    """
    dialect_insert: Any = postgresql.insert if db.dialect == "postgresql" else sqlite.insert
    statement = dialect_insert(LeaseRow).values(name=name, holder=holder, until=now + ttl)
    statement = statement.on_conflict_do_update(
        index_elements=[LeaseRow.name],
        set_={"holder": holder, "until": now + ttl},
        where=LeaseRow.until < now,
    ).returning(LeaseRow.holder)
    with db.transaction() as session:
        taken = session.execute(statement).first()
    return taken is not None


def sweep(db: Database, now: datetime) -> SweepResult:
    """Make every trackable shipment not checked for a day due now; flag the stuck."""
    unchecked = or_(
        ShipmentRow.last_checked_at.is_(None),
        ShipmentRow.last_checked_at < now - SWEEP_EVERY,
    )
    later = or_(ShipmentRow.next_check_at.is_(None), ShipmentRow.next_check_at > now)
    with db.transaction() as session:
        result = session.execute(
            update(ShipmentRow)
            .where(_trackable(), unchecked, later)
            .values(next_check_at=now)
            .execution_options(synchronize_session=False)
        )
        due = int(result.rowcount)  # type: ignore[attr-defined]
    return SweepResult(due, flag_stuck(db, now))


def flag_stuck(db: Database, now: datetime) -> int:
    """Set ``stuck_since`` on shipments with no movement for their tenant's hours."""
    last_move = func.coalesce(
        ShipmentRow.last_event_at, ShipmentRow.despatched_at, ShipmentRow.labelled_at
    )
    flagged = 0
    with db.transaction() as session:
        tenants = session.execute(select(TenantRow.id, TenantRow.stuck_after_hours)).all()
        for tenant_id, hours in tenants:
            rows = session.execute(
                select(ShipmentRow.id, last_move)
                .where(ShipmentRow.tenant_id == tenant_id, _trackable())
                .where(ShipmentRow.stuck_since.is_(None))
                .where(last_move < now - timedelta(hours=hours))
            ).all()
            if rows:
                values = [
                    {"id": shipment_id, "stuck_since": _aware(moved) + timedelta(hours=hours)}
                    for shipment_id, moved in rows
                ]
                session.execute(update(ShipmentRow), values)
                flagged += len(values)
    return flagged


def _aware(value: datetime) -> datetime:
    # coalesce() loses the column type: SQLite hands back a naive UTC time.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class Poller:
    """One worker's polling loop: the sweep when elected, due shipments into jobs."""

    def __init__(
        self,
        ctx: HubContext,
        worker_id: str,
        *,
        interval: float = 5.0,
        batch: int = 200,
    ) -> None:
        self.ctx = ctx
        self.worker_id = worker_id
        self.interval = interval
        self.batch = batch
        self._stuck_checked: datetime | None = None

    def sweep_if_elected(self, now: datetime | None = None) -> SweepResult | None:
        """Run the daily sweep if this worker takes the lease; ``None`` if another has it."""
        now = now or datetime.now(UTC)
        if not acquire_lease(self.ctx.db, SWEEP_LEASE, self.worker_id, now, SWEEP_EVERY):
            return None
        result = sweep(self.ctx.db, now)
        self._stuck_checked = now
        log.info("tracking.swept", worker=self.worker_id, due=result.due, stuck=result.stuck)
        return result

    def round(self, now: datetime | None = None) -> int:
        """One round: the sweep if due, stuck flags now and then, due shipments queued."""
        now = now or datetime.now(UTC)
        self.sweep_if_elected(now)
        if self._stuck_checked is None or now - self._stuck_checked >= STUCK_EVERY:
            flag_stuck(self.ctx.db, now)
            self._stuck_checked = now
        return enqueue_due(self.ctx.db, now, self.batch)

    async def run(self, stop: asyncio.Event) -> None:
        """Until ``stop``: a round every ``interval`` seconds (errors are logged, not fatal)."""
        while not stop.is_set():
            try:
                queued = await asyncio.to_thread(self.round)
                if queued:
                    log.info("tracking.polls_queued", worker=self.worker_id, queued=queued)
            except Exception:
                log.exception("tracking.poll_round_failed", worker=self.worker_id)
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.interval)
            except TimeoutError:
                pass
