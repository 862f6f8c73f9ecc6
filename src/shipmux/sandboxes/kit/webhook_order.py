"""Which pending webhooks to send now, and in what order (with the out-of-order fault).

Shared by every sandbox that delivers webhooks from an outbox. Items are sent oldest
first; with ``out_of_order`` each pair of first deliveries is swapped, and a lone first
delivery is held back for one pass so it can be overtaken by the next one. Retries keep
their order and go last.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol, TypeVar


class OutboxItem(Protocol):
    sequence: int
    attempts: int
    held_once: bool
    next_attempt_at: datetime


T = TypeVar("T", bound=OutboxItem)


def due_in_sending_order(pending: Iterable[T], now: datetime, *, out_of_order: bool) -> list[T]:
    ready = sorted(
        (item for item in pending if item.next_attempt_at <= now),
        key=lambda item: item.sequence,
    )
    if not out_of_order:
        return ready
    first_tries = [item for item in ready if item.attempts == 0]
    retries = [item for item in ready if item.attempts > 0]
    swapped: list[T] = []
    for index in range(0, len(first_tries) - 1, 2):
        swapped.extend((first_tries[index + 1], first_tries[index]))
    if len(first_tries) % 2:
        lone = first_tries[-1]
        if lone.held_once:
            swapped.append(lone)
        else:
            lone.held_once = True
    return swapped + retries
