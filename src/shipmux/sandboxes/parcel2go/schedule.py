"""Collection, cut-off and delivery dates of a quote, from the sandbox clock.

CSTEST's quote (Collection Monday, CutOff the Friday before at 23:00): book before 23:00
to be collected on the next working day. Dates are written without an offset, as there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

CUT_OFF = time(23, 0)


@dataclass(frozen=True, slots=True)
class QuoteDates:
    collection: date
    cut_off: datetime
    estimated_delivery: date


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def add_working_days(day: date, count: int) -> date:
    for _ in range(count):
        day = next_working_day(day)
    return day


def quote_dates(now: datetime, transit_days: int) -> QuoteDates:
    booking_day = now.date() if now.time() < CUT_OFF else now.date() + timedelta(days=1)
    collection = next_working_day(booking_day)
    return QuoteDates(
        collection=collection,
        cut_off=datetime.combine(booking_day, CUT_OFF),
        estimated_delivery=add_working_days(collection, transit_days),
    )


def naive(moment: date | datetime) -> str:
    if isinstance(moment, datetime):
        return moment.replace(tzinfo=None).isoformat(timespec="seconds")
    return f"{moment.isoformat()}T00:00:00"
