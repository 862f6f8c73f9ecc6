"""The shipment state machine: every pair of states, legal or not, as the table says."""

from __future__ import annotations

import itertools

import pytest

from shipmux.domain.errors import IllegalTransition
from shipmux.domain.shipments import TERMINAL, TRANSITIONS, ShipmentStatus, transition

S = ShipmentStatus

# The table written out by hand, so a change to the code must be a change here too.
EXPECTED = {
    S.ACCEPTED: {S.SUBMITTED, S.FAILED, S.CANCELLED, S.NEEDS_ATTENTION},
    S.SUBMITTED: {S.LABEL_READY, S.DESPATCHED, S.FAILED, S.CANCELLED, S.NEEDS_ATTENTION},
    S.LABEL_READY: {
        S.SUBMITTED,
        S.DESPATCHED,
        S.MANIFESTED,
        S.DELIVERED,
        S.CANCELLED,
        S.NEEDS_ATTENTION,
    },
    S.DESPATCHED: {S.MANIFESTED, S.DELIVERED},
    S.MANIFESTED: {S.DELIVERED},
    S.DELIVERED: set(),
    S.FAILED: {S.ACCEPTED, S.CANCELLED},
    S.NEEDS_ATTENTION: {S.ACCEPTED, S.SUBMITTED, S.FAILED, S.CANCELLED},
    S.CANCELLED: set(),
}


def test_table_covers_every_status() -> None:
    assert set(TRANSITIONS) == set(ShipmentStatus)
    assert {k: set(v) for k, v in TRANSITIONS.items()} == EXPECTED


@pytest.mark.parametrize(("current", "target"), list(itertools.product(S, S)))
def test_transition_follows_table(current: ShipmentStatus, target: ShipmentStatus) -> None:
    if target in EXPECTED[current]:
        assert transition(current, target) is target
    else:
        with pytest.raises(IllegalTransition) as info:
            transition(current, target)
        assert current.value in info.value.message
        assert target.value in info.value.message


def test_delivered_and_cancelled_are_terminal() -> None:
    assert TERMINAL == {S.DELIVERED, S.CANCELLED}


def test_manifested_cannot_go_back() -> None:
    # Click & Drop: "Orders already in 'Manifested' status cannot have their statuses changed."
    with pytest.raises(IllegalTransition):
        transition(S.MANIFESTED, S.SUBMITTED)
