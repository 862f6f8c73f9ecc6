"""Every documented ``clickpost_status_code`` has one of our stages."""

from __future__ import annotations

import pytest

from shipmux.carriers.base import TrackingStage
from shipmux.carriers.clickpost.statuses import STAGES, stage_of

# Research §2.7: specs/clickpost/slate-master/_status.md, plus 23 and 1004 from the
# current docs (docs.clickpost.ai/docs/tracking-status-codes).
DOCUMENTED_CODES = (
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
    23, 25, 26, 27, 28, 30, 31, 32, 101, 1004,
)  # fmt: skip


@pytest.mark.parametrize("code", DOCUMENTED_CODES)
def test_every_documented_code_is_mapped(code: int) -> None:
    assert isinstance(stage_of(code), TrackingStage)


def test_the_map_holds_only_documented_codes() -> None:
    assert set(STAGES) == set(DOCUMENTED_CODES)


@pytest.mark.parametrize(
    ("code", "stage"),
    [
        (1, TrackingStage.LABEL_CREATED),
        (4, TrackingStage.COLLECTED),
        (5, TrackingStage.IN_TRANSIT),
        (6, TrackingStage.OUT_FOR_DELIVERY),
        (8, TrackingStage.DELIVERED),
        (9, TrackingStage.FAILED_ATTEMPT),
        (14, TrackingStage.RETURNED),  # RTO delivered: back at the sender, not delivered
        (16, TrackingStage.EXCEPTION),
        (1004, TrackingStage.AT_DEPOT),
    ],
)
def test_key_stages(code: int, stage: TrackingStage) -> None:
    assert stage_of(code) is stage


@pytest.mark.parametrize("code", [None, 0, 22, 999, "abc", ""])
def test_unknown_codes_map_to_nothing(code: int | str | None) -> None:
    assert stage_of(code) is None


def test_codes_as_digits_are_read() -> None:
    assert stage_of("8") is TrackingStage.DELIVERED
