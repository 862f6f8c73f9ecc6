"""When to ask a carrier about a shipment next: a pure function of where the parcel is.

Polling is the backup to pushes. A carrier that cannot push (Click & Drop) is asked on
a rhythm set by the stage: rarely before the first scan, every two hours on the way,
often on the delivery day, never once the journey is over. A carrier that pushes is
asked only when its pushes went quiet (no event for ``PUSH_QUIET``), and then slowly.
"""

from __future__ import annotations

from datetime import datetime, timedelta

__all__ = [
    "FINAL",
    "INTERVALS",
    "PUSH_BACKUP_INTERVAL",
    "PUSH_QUIET",
    "next_check_at",
]

# Stages by their values (``carriers.base.TrackingStage``; the domain imports no adapter).
FINAL = frozenset({"delivered", "returned", "cancelled"})

# How long to wait before asking again, by the stage the parcel is at. ``None`` (no
# scan yet) waits like "label created"; an exception is checked as often as a parcel
# on its way; a stage not listed waits like "no scan yet".
INTERVALS: dict[str | None, timedelta] = {
    None: timedelta(hours=6),
    "label_created": timedelta(hours=6),
    "dropped_off": timedelta(hours=2),
    "collected": timedelta(hours=2),
    "in_transit": timedelta(hours=2),
    "at_depot": timedelta(hours=2),
    "exception": timedelta(hours=2),
    "out_for_delivery": timedelta(minutes=30),
    "failed_attempt": timedelta(minutes=30),
}

# A pushing carrier is asked only once it has been silent this long...
PUSH_QUIET = timedelta(hours=12)
# ...and then at this pace (at least), until a push or a poll brings news.
PUSH_BACKUP_INTERVAL = timedelta(hours=6)


def next_check_at(
    stage: str | None,
    now: datetime,
    *,
    pushes: bool,
    last_event_at: datetime | None = None,
    polls: bool = True,
) -> datetime | None:
    """When to poll next; ``None`` for never (a final stage, or a carrier we cannot poll).

    ``last_event_at`` is the carrier's time of its latest event (or ``None`` before
    any): for a pushing carrier the backup poll waits until that is ``PUSH_QUIET`` old.
    """
    if not polls or stage in FINAL:
        return None
    interval = INTERVALS.get(stage, INTERVALS[None])
    if not pushes:
        return now + interval
    quiet_at = (last_event_at or now) + PUSH_QUIET
    if quiet_at > now:
        return quiet_at  # pushes may still come: look only once they are overdue
    return now + max(interval, PUSH_BACKUP_INTERVAL)
