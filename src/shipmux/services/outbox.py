"""Writing outbox jobs inside the caller's transaction.

Job kinds name the work a worker does for a shipment. They are written with the
change that caused them, so the work exists if and only if the change does.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from shipmux.storage.tables import JobRow

__all__ = ["JobKind", "enqueue_many", "job_values"]


class JobKind(enum.StrEnum):
    ROUTE = "route"  # pick the carrier account by quotes (cheapest, fastest)
    SUBMIT = "submit"  # create the order at the carrier
    PAY = "pay"  # pay for it, where the carrier charges per order (Parcel2Go)
    LABEL = "label"  # fetch and store its label
    CANCEL = "cancel"  # withdraw it at the carrier
    DESPATCH = "despatch"  # tell the carrier it left
    TRACK = "track"  # poll the carrier for tracking events (worker.polling queues these)


def job_values(
    *,
    tenant_id: str,
    kind: JobKind,
    shipment_id: str,
    account_id: str | None,
    max_attempts: int,
    now: datetime | None = None,
    run_after: datetime | None = None,
) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    return {
        "tenant_id": tenant_id,
        "kind": kind.value,
        "shipment_id": shipment_id,
        "carrier_account_id": account_id,
        "state": "queued",
        "attempts": 0,
        "max_attempts": max_attempts,
        "run_after": run_after or now,
        "created_at": now,
        "updated_at": now,
    }


def enqueue_many(session: Session, jobs: list[dict[str, Any]]) -> None:
    if jobs:
        session.execute(insert(JobRow), jobs)
