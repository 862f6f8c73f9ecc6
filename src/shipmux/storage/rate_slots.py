"""Carrier call slots shared by every process: an account's next free slot is a row.

Taking a call's turn is one atomic statement that moves the row on by one call's
spacing and returns the slot taken (``services.call_pacing`` sleeps until it); a
429 pushes the row past the carrier's ``Retry-After``. Slots are wall-clock epoch
seconds.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, update
from sqlalchemy.dialects import postgresql, sqlite

from shipmux.storage.db import Database
from shipmux.storage.tables import RateSlotRow

__all__ = ["push_slot", "take_slot"]


def take_slot(db: Database, key: str, spacing: float, now: float) -> float:
    """Take ``key``'s next call slot (not before ``now``); the time the call may go."""
    free = RateSlotRow.next_free
    statement = (
        update(RateSlotRow)
        .where(RateSlotRow.key == key)
        .values(next_free=case((free > now, free), else_=now) + spacing)
        .returning(RateSlotRow.next_free)
    )
    with db.transaction() as session:
        taken = session.execute(statement).scalar()
        if taken is None:  # the account's first call anywhere: make its row, then take
            session.execute(_insert(db).values(key=key, next_free=now).on_conflict_do_nothing())
            taken = session.execute(statement).scalar_one()
    return float(taken) - spacing


def push_slot(db: Database, key: str, until: float) -> None:
    """No slot of ``key`` before ``until`` (a carrier's Retry-After)."""
    free = RateSlotRow.next_free
    with db.transaction() as session:
        moved = session.execute(
            update(RateSlotRow)
            .where(RateSlotRow.key == key)
            .values(next_free=case((free > until, free), else_=until))
        )
        if moved.rowcount == 0:  # type: ignore[attr-defined]
            session.execute(_insert(db).values(key=key, next_free=until).on_conflict_do_nothing())


def _insert(db: Database) -> Any:
    return (postgresql.insert if db.dialect == "postgresql" else sqlite.insert)(RateSlotRow)
