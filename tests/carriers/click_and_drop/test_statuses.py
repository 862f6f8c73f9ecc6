"""The Click & Drop timestamp -> ShipmentStatus table, and its fit with the domain's moves."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from shipmux.carriers.base import CarrierOrder
from shipmux.carriers.click_and_drop import statuses
from shipmux.domain.shipments import ShipmentStatus, can_transition

T0 = datetime(2026, 2, 11, 17, 0, tzinfo=UTC)


def order(
    printed: datetime | None = None,
    shipped: datetime | None = None,
    manifested: datetime | None = None,
) -> CarrierOrder:
    return CarrierOrder(
        carrier_order_id="1001",
        reference="R-1",
        label_printed_at=printed,
        despatched_at=shipped,
        manifested_at=manifested,
    )


@pytest.mark.parametrize(
    ("stamps", "expected"),
    [
        # The UI lifecycle the research recorded from live orders (§5).
        ((None, None, None), ShipmentStatus.SUBMITTED),  # New / Postage applied
        ((T0, None, None), ShipmentStatus.LABEL_READY),  # Label Generated
        ((T0, T0 + timedelta(hours=2), None), ShipmentStatus.DESPATCHED),  # PUT despatched
        ((T0, T0 + timedelta(hours=3), T0 + timedelta(hours=3)), ShipmentStatus.MANIFESTED),
        # Despatched without a label through the API (label printed elsewhere).
        ((None, T0, None), ShipmentStatus.DESPATCHED),
    ],
)
def test_latest_stamp_decides_the_status(
    stamps: tuple[datetime | None, datetime | None, datetime | None], expected: ShipmentStatus
) -> None:
    assert statuses.status_of(order(*stamps)) == expected


def test_table_names_each_stamp_once_latest_first() -> None:
    assert list(statuses.STAMP_STATUS) == ["manifestedOn", "shippedOn", "printedOn"]


def test_every_status_of_the_table_is_reachable_from_submitted_by_legal_moves() -> None:
    # Replaying the stamps in time order must never need a move the domain forbids. Every
    # combination Click & Drop can produce: manifesting always sets shippedOn as well.
    for count in range(4):
        for chosen in itertools.combinations(("printed", "shipped", "manifested"), count):
            if "manifested" in chosen and "shipped" not in chosen:
                continue
            stamps = {name: T0 + timedelta(minutes=i) for i, name in enumerate(chosen)}
            current = ShipmentStatus.SUBMITTED
            for status, _ in statuses.progress(order(**stamps)):
                assert status == current or can_transition(current, status), (chosen, status)
                current = status


def test_reset_order_reads_submitted_again_and_the_domain_allows_it() -> None:
    assert statuses.status_of(order()) == ShipmentStatus.SUBMITTED
    assert can_transition(ShipmentStatus.LABEL_READY, ShipmentStatus.SUBMITTED)


def test_progress_lists_stages_oldest_first_with_manifest_after_despatch_on_a_tie() -> None:
    manifested = T0 + timedelta(days=1)
    assert statuses.progress(order(T0, manifested, manifested)) == [
        (ShipmentStatus.LABEL_READY, T0),
        (ShipmentStatus.DESPATCHED, manifested),
        (ShipmentStatus.MANIFESTED, manifested),
    ]
    assert statuses.progress(order()) == []
