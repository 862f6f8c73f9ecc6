"""FaultInjector decisions, without HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from shipmux.sandboxes.kit.faults import FaultInjector, FaultKind, FaultSettings

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def test_defaults_never_interfere() -> None:
    injector = FaultInjector()
    plan = injector.plan(NOW, mutating=True)
    assert (plan.fault, plan.latency_seconds, plan.hang_seconds) == (None, 0.0, 0.0)


def test_downtime_wins_and_reports_time_left() -> None:
    window = {"start": NOW - timedelta(minutes=5), "end": NOW + timedelta(minutes=10)}
    injector = FaultInjector(FaultSettings.model_validate({"downtime": [window], "burst_429": 3}))
    fault = injector.plan(NOW, mutating=False).fault
    assert fault is not None
    assert fault.kind is FaultKind.DOWNTIME
    assert fault.status == 503
    assert fault.retry_after_seconds == pytest.approx(600)
    assert injector.settings.burst_429 == 3  # downtime did not consume the burst


def test_burst_then_errors_then_hangs_only_for_mutating_calls() -> None:
    injector = FaultInjector(FaultSettings(burst_429=1, commit_then_timeout_rate=1.0,
                                           hang_seconds=5))  # fmt: skip
    first = injector.plan(NOW, mutating=True)
    assert first.fault is not None
    assert first.fault.status == 429
    assert first.hang_seconds == 0  # a refused call never hangs
    assert injector.plan(NOW, mutating=False).hang_seconds == 0
    assert injector.plan(NOW, mutating=True).hang_seconds == 5


def test_seed_replays_the_same_sequence() -> None:
    settings = FaultSettings(error_rate=0.5, seed=7)
    runs = []
    for _ in range(2):
        injector = FaultInjector(settings)
        runs.append([injector.plan(NOW, mutating=False).fault is None for _ in range(50)])
    assert runs[0] == runs[1]
    assert 10 < sum(runs[0]) < 40


@pytest.mark.parametrize(
    "payload",
    [
        {"error_rate": 1.5},
        {"latency_ms": -1},
        {"downtime": [{"start": "2026-01-01T00:00:00", "end": "2026-01-02T00:00:00"}]},
        {"downtime": [{"start": "2026-01-02T00:00:00Z", "end": "2026-01-01T00:00:00Z"}]},
        {"unknown": True},
    ],
)
def test_invalid_settings(payload: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        FaultSettings.model_validate(payload)
