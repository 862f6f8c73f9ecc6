"""Service codes and S10 tracking numbers."""

from __future__ import annotations

import pytest

from shipmux.sandboxes.click_and_drop.services import (
    TrackingNumbers,
    is_tracked,
    is_valid_s10,
    rejected_for_account,
    s10_check_digit,
)


@pytest.mark.parametrize(
    ("serial", "check"),
    # UPU S10 examples: RR473124829GB -> 47312482 has check digit 9.
    [("47312482", 9), ("00000000", 5), ("12345678", 5)],
)
def test_s10_check_digit(serial: str, check: int) -> None:
    assert s10_check_digit(serial) == check


def test_issued_numbers_are_valid_and_unique() -> None:
    numbers = TrackingNumbers()
    issued = [numbers.issue("TPN24") for _ in range(50)]
    assert len(set(issued)) == 50
    assert all(is_valid_s10(n) and n.startswith("TT") and n.endswith("GB") for n in issued)
    assert numbers.issue("SD1").startswith("SD")
    assert not is_valid_s10("TT100000010GB")


@pytest.mark.parametrize(
    ("code", "tracked"),
    [("TPN24", True), ("TPS48", True), ("TRN24", True), ("SD1", True), ("OLP1SF", True),
     ("TOLP24", True), ("OLP1", False), ("BPL2", False), ("STL1", False), (None, False)],
)  # fmt: skip
def test_tracked_services(code: str | None, tracked: bool) -> None:
    assert is_tracked(code) is tracked


def test_account_types_reject_each_others_codes() -> None:
    assert rejected_for_account("OLP1", is_oba=True)
    assert not rejected_for_account("TPN24", is_oba=True)
    assert rejected_for_account("TPN24", is_oba=False)
    assert not rejected_for_account("CUSTOM9", is_oba=False)
