"""When a shipment is polled next: by stage, for carriers that push and those that do not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shipmux.domain.tracking_schedule import (
    FINAL,
    PUSH_BACKUP_INTERVAL,
    PUSH_QUIET,
    next_check_at,
)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("stage", "wait"),
    [
        (None, 6 * H),
        ("label_created", 6 * H),
        ("dropped_off", 2 * H),
        ("collected", 2 * H),
        ("in_transit", 2 * H),
        ("at_depot", 2 * H),
        ("exception", 2 * H),
        ("out_for_delivery", timedelta(minutes=30)),
        ("failed_attempt", timedelta(minutes=30)),
        ("something_new", 6 * H),  # a stage it does not know waits like "no scan yet"
    ],
)
def test_a_carrier_without_push_is_polled_by_stage(stage: str | None, wait: timedelta) -> None:
    assert next_check_at(stage, NOW, pushes=False) == NOW + wait


@pytest.mark.parametrize("stage", sorted(FINAL))
@pytest.mark.parametrize("pushes", [True, False])
def test_never_after_a_final_stage(stage: str, pushes: bool) -> None:
    assert next_check_at(stage, NOW, pushes=pushes, last_event_at=NOW - 100 * H) is None


def test_a_carrier_that_cannot_be_polled_never_is() -> None:
    assert next_check_at("in_transit", NOW, pushes=True, polls=False) is None


def test_a_pushing_carrier_is_asked_only_once_its_pushes_are_overdue() -> None:
    last = NOW - 3 * H
    assert next_check_at("out_for_delivery", NOW, pushes=True, last_event_at=last) == (
        last + PUSH_QUIET
    )
    # No event at all yet (just labelled): quiet counts from now.
    assert next_check_at(None, NOW, pushes=True) == NOW + PUSH_QUIET


@pytest.mark.parametrize("stage", [None, "in_transit", "out_for_delivery"])
def test_a_quiet_pushing_carrier_is_polled_slowly(stage: str | None) -> None:
    quiet = NOW - PUSH_QUIET - H
    when = next_check_at(stage, NOW, pushes=True, last_event_at=quiet)
    assert when == NOW + PUSH_BACKUP_INTERVAL
    # ...never more often than a carrier without push at that stage.
    polled = next_check_at(stage, NOW, pushes=False)
    assert polled is not None
    assert when >= polled
