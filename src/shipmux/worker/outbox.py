"""Claiming outbox jobs and settling them.

On PostgreSQL jobs are claimed with ``FOR UPDATE SKIP LOCKED``, so any number
of workers take disjoint jobs. On SQLite the claim runs under ``BEGIN
IMMEDIATE`` (the database's single write lock), so one claimer runs at a time.
A claimed job carries a lease; a worker that dies leaves it to be claimed again
when the lease ends. Settling checks the lease holder, so a worker that lost its
lease cannot overwrite the new holder's result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from shipmux.storage.db import Database
from shipmux.storage.tables import CarrierAccountRow, JobRow

__all__ = ["ClaimedJob", "claim", "finish", "release", "reschedule"]


@dataclass(frozen=True, slots=True)
class ClaimedJob:
    id: int
    tenant_id: str
    kind: str
    shipment_id: str | None
    account_id: str | None
    attempts: int  # tries made before this one
    max_attempts: int


def claim(db: Database, worker_id: str, limit: int, lease_seconds: float) -> list[ClaimedJob]:
    now = datetime.now(UTC)
    due = or_(
        and_(JobRow.state == "queued", JobRow.run_after <= now),
        and_(JobRow.state == "running", JobRow.locked_until < now),
    )
    query = (
        select(JobRow)
        .outerjoin(CarrierAccountRow, CarrierAccountRow.id == JobRow.carrier_account_id)
        .where(due)
        # Jobs of a paused account wait until an operator resumes it.
        .where(CarrierAccountRow.paused_reason.is_(None))
        .order_by(JobRow.run_after, JobRow.id)
        .limit(limit)
    )
    if db.dialect == "postgresql":
        query = query.with_for_update(skip_locked=True, of=JobRow)
    with db.transaction() as session:
        rows = list(session.scalars(query))
        if not rows:
            return []
        session.execute(
            update(JobRow)
            .where(JobRow.id.in_([r.id for r in rows]))
            .values(
                state="running",
                locked_by=worker_id,
                locked_until=now + timedelta(seconds=lease_seconds),
                updated_at=now,
            )
        )
        return [
            ClaimedJob(
                r.id,
                r.tenant_id,
                r.kind,
                r.shipment_id,
                r.carrier_account_id,
                r.attempts,
                r.max_attempts,
            )
            for r in rows
        ]


def _settle(session: Session, job: ClaimedJob, worker_id: str, **values: object) -> bool:
    result = session.execute(
        update(JobRow)
        .where(JobRow.id == job.id, JobRow.locked_by == worker_id, JobRow.state == "running")
        .values(locked_by=None, locked_until=None, updated_at=datetime.now(UTC), **values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def finish(
    session: Session,
    job: ClaimedJob,
    worker_id: str,
    *,
    dead: bool = False,
    error: str | None = None,
) -> bool:
    """The job is over: done, or dead (retries exhausted, or a person must act)."""
    return _settle(
        session,
        job,
        worker_id,
        state="dead" if dead else "done",
        attempts=job.attempts + 1,
        last_error=error,
    )


def reschedule(session: Session, job: ClaimedJob, worker_id: str, delay: float, error: str) -> bool:
    """Try again after ``delay`` seconds; this try counts."""
    return _settle(
        session,
        job,
        worker_id,
        state="queued",
        attempts=job.attempts + 1,
        run_after=datetime.now(UTC) + timedelta(seconds=delay),
        last_error=error,
    )


def release(session: Session, job: ClaimedJob, worker_id: str, delay: float) -> bool:
    """Put the job back untried (circuit open): this does not count as an attempt."""
    return _settle(
        session,
        job,
        worker_id,
        state="queued",
        run_after=datetime.now(UTC) + timedelta(seconds=delay),
    )
