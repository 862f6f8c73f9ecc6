"""Rate limit and every fault setting, seen from a client over HTTP."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.sandboxes.click_and_drop.conftest import api_client, new_key
from tests.sandboxes.click_and_drop.factories import create_one, order


def set_faults(control: httpx.Client, **faults: Any) -> None:
    control.put("/faults", json=faults).raise_for_status()


def stored_references(control: httpx.Client) -> list[str]:
    return [row["orderReference"] for row in control.get("/orders").json()["orders"]]


def test_429_above_the_rate_limit_per_account(
    base_url: str, api: httpx.Client, control: httpx.Client
) -> None:
    control.put("/settings", json={"rate_limit_per_second": 5}).raise_for_status()
    statuses = [api.get("/orders").status_code for _ in range(7)]
    assert statuses[:5] == [200] * 5
    assert statuses[5:] == [429, 429]
    limited = api.get("/orders")
    assert limited.headers["Retry-After"] == "1"
    assert "5 calls per second" in limited.json()["message"]
    # Another key has its own budget, and /version is never limited.
    with api_client(base_url, new_key()) as other:
        assert other.get("/orders").status_code == 200
    assert api.get("/version").status_code == 200
    time.sleep(1.05)
    assert api.get("/orders").status_code == 200


def test_error_rate_gives_500_and_stores_nothing(api: httpx.Client, control: httpx.Client) -> None:
    set_faults(control, error_rate=1.0)
    response = api.post("/orders", json={"items": [order("E-1")]})
    assert response.status_code == 500
    assert response.json()["code"] == "InternalServerError"
    assert stored_references(control) == []
    assert api.get("/version").status_code == 200  # version is exempt from faults


def test_manifest_faults_use_manifest_errors_shape(
    api: httpx.Client, control: httpx.Client
) -> None:
    set_faults(control, error_rate=1.0)
    response = api.post("/manifests")
    assert response.status_code == 500
    assert response.json()["errors"][0]["code"] == "InternalServerError"


def test_seeded_error_rate_is_reproducible(api: httpx.Client, control: httpx.Client) -> None:
    def run() -> list[int]:
        set_faults(control, error_rate=0.5, seed=42)
        return [api.get("/orders").status_code for _ in range(12)]

    first = run()
    assert first == run()
    assert {200, 500} == set(first)


def test_downtime_window_follows_the_simulated_clock(
    api: httpx.Client, control: httpx.Client
) -> None:
    start = datetime.now(UTC) + timedelta(hours=1)
    window = {"start": start.isoformat(), "end": (start + timedelta(minutes=30)).isoformat()}
    set_faults(control, downtime=[window])
    assert api.get("/orders").status_code == 200
    control.post("/clock/advance", json={"seconds": 3660})
    down = api.get("/orders")
    assert down.status_code == 503
    assert 1500 <= int(down.headers["Retry-After"]) <= 1800
    control.post("/clock/advance", json={"seconds": 1800})
    assert api.get("/orders").status_code == 200


def test_burst_429_counts_down(api: httpx.Client, control: httpx.Client) -> None:
    set_faults(control, burst_429=2)
    assert [api.get("/orders").status_code for _ in range(3)] == [429, 429, 200]
    assert control.get("/faults").json()["burst_429"] == 0


def test_latency_is_added(api: httpx.Client, control: httpx.Client) -> None:
    set_faults(control, latency_ms=300)
    started = time.perf_counter()
    assert api.get("/orders").status_code == 200
    assert time.perf_counter() - started >= 0.3


def test_commit_then_timeout_stores_and_hangs(api: httpx.Client, control: httpx.Client) -> None:
    set_faults(control, commit_then_timeout_rate=1.0, hang_seconds=2)
    with pytest.raises(httpx.ReadTimeout):
        api.post("/orders", json={"items": [order("HANG-1")]}, timeout=0.5)
    assert stored_references(control) == ["HANG-1"]
    # Reads are not mutating calls: they answer at once.
    assert api.get('/orders/"HANG-1"', timeout=0.5).status_code == 200


def test_faults_reject_bad_settings(control: httpx.Client) -> None:
    assert control.put("/faults", json={"error_rate": 2}).status_code == 422
    assert control.put("/faults", json={"nonsense": 1}).status_code == 422
    window = {"start": "2026-01-01T10:00:00Z", "end": "2026-01-01T09:00:00Z"}
    assert control.put("/faults", json={"downtime": [window]}).status_code == 422
    naive = {"start": "2026-01-01T10:00:00", "end": "2026-01-01T11:00:00"}
    assert control.put("/faults", json={"downtime": [naive]}).status_code == 422


def test_reset_clears_faults_and_orders(api: httpx.Client, control: httpx.Client) -> None:
    create_one(api)
    set_faults(control, error_rate=1.0)
    control.post("/reset").raise_for_status()
    assert control.get("/faults").json()["error_rate"] == 0
    assert control.get("/orders").json() == {"orders": []}
