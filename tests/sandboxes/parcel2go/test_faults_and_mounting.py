"""Faults in Parcel2Go's shapes, the rate limit, and mounting under the sandboxes app."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from shipmux.sandboxes import SANDBOXES, create_sandboxes_app
from tests.sandboxes.parcel2go.conftest import get_token
from tests.sandboxes.parcel2go.factories import create_order
from tests.support.live_server import serve


def test_injected_faults_use_the_message_shape(api: httpx.Client, control: httpx.Client) -> None:
    control.put("/faults", json={"burst_429": 1}).raise_for_status()
    limited = api.get("/services")
    assert limited.status_code == 429
    assert "Message" in limited.json()
    assert "retry-after" in limited.headers
    control.put("/faults", json={"error_rate": 1.0}).raise_for_status()
    failed = api.get("/services")
    assert failed.status_code == 500
    assert failed.json() == {"Message": "An error has occurred."}
    now = datetime.now(UTC)
    window = {"start": (now - timedelta(minutes=1)).isoformat(),
              "end": (now + timedelta(hours=1)).isoformat()}  # fmt: skip
    control.put("/faults", json={"downtime": [window]}).raise_for_status()
    down = api.get("/services")
    assert down.status_code == 503
    assert "Message" in down.json()
    control.put("/faults", json={}).raise_for_status()
    assert api.get("/services").status_code == 200


def test_rate_limit_per_client(api: httpx.Client, control: httpx.Client) -> None:
    control.put("/settings", json={"rate_limit_per_second": 2}).raise_for_status()
    statuses = [api.get("/services").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_unknown_api_path_and_method(api: httpx.Client) -> None:
    assert api.get("/nope").status_code == 404
    response = api.delete("/countries")
    assert response.status_code == 405
    assert "Message" in response.json()


def test_mounted_under_the_sandboxes_app() -> None:
    assert "parcel2go" in SANDBOXES
    with serve(create_sandboxes_app()) as url:
        root = f"{url}/parcel2go"
        token = get_token(root, "mounted-client")
        api = httpx.Client(base_url=f"{root}/api", headers={"Authorization": f"Bearer {token}"})
        with api:
            order = create_order(api)
            assert order["Links"]["PayWithPrePay"].startswith(f"{root}/api/orders/")
            paid = httpx.post(order["Links"]["PayWithPrePay"], headers=api.headers)
            assert paid.status_code == 200
        assert httpx.get(f"{root}/_sandbox/orders").json()["orders"][0]["paid"] is True
