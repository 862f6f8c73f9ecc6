"""A shipment's status and the table of moves it may make.

The table is the whole rule: a move not listed is illegal, and ``transition``
raises instead of guessing. Tests enumerate it.
"""

from __future__ import annotations

import enum
from types import MappingProxyType

from shipmux.domain.errors import IllegalTransition

__all__ = ["EDITABLE", "TERMINAL", "TRANSITIONS", "ShipmentStatus", "can_transition", "transition"]


class ShipmentStatus(enum.StrEnum):
    ACCEPTED = "accepted"  # stored, waiting to be sent to the carrier
    SUBMITTED = "submitted"  # the carrier holds the order
    LABEL_READY = "label_ready"  # the label is stored with us
    DESPATCHED = "despatched"  # handed over to the carrier
    MANIFESTED = "manifested"  # on a carrier manifest (end of day)
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up; a person must look
    CANCELLED = "cancelled"
    NEEDS_ATTENTION = "needs_attention"  # the carrier refused it, or its account is paused


S = ShipmentStatus

TRANSITIONS: MappingProxyType[ShipmentStatus, frozenset[ShipmentStatus]] = MappingProxyType(
    {
        S.ACCEPTED: frozenset({S.SUBMITTED, S.FAILED, S.CANCELLED, S.NEEDS_ATTENTION}),
        # A carrier can reset an order (Click & Drop's "New" voids its label): back to SUBMITTED.
        S.SUBMITTED: frozenset(
            {S.LABEL_READY, S.DESPATCHED, S.FAILED, S.CANCELLED, S.NEEDS_ATTENTION}
        ),
        S.LABEL_READY: frozenset(
            {S.SUBMITTED, S.DESPATCHED, S.MANIFESTED, S.DELIVERED, S.CANCELLED, S.NEEDS_ATTENTION}
        ),
        S.DESPATCHED: frozenset({S.MANIFESTED, S.DELIVERED}),
        S.MANIFESTED: frozenset({S.DELIVERED}),
        S.DELIVERED: frozenset(),
        # A failed or refused order can be fixed and sent again, or given up.
        S.FAILED: frozenset({S.ACCEPTED, S.CANCELLED}),
        S.NEEDS_ATTENTION: frozenset({S.ACCEPTED, S.SUBMITTED, S.FAILED, S.CANCELLED}),
        S.CANCELLED: frozenset(),
    }
)

TERMINAL = frozenset(s for s, targets in TRANSITIONS.items() if not targets)

# While nothing has reached the carrier, sending the same reference again edits the order.
EDITABLE = frozenset({S.ACCEPTED, S.NEEDS_ATTENTION, S.FAILED})


def can_transition(current: ShipmentStatus, target: ShipmentStatus) -> bool:
    return target in TRANSITIONS[current]


def transition(current: ShipmentStatus, target: ShipmentStatus) -> ShipmentStatus:
    """Return ``target`` if the move is legal; raise ``IllegalTransition`` if not."""
    if not can_transition(current, target):
        raise IllegalTransition(f"a shipment cannot go from '{current}' to '{target}'")
    return target
