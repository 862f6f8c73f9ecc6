"""Fixtures: one live Sendcloud sandbox per test module, reset before every test.

The module's sandbox starts with rate limits off so tests can call freely; the
rate-limit test turns small limits on through ``PUT /_sandbox/settings``.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from shipmux.sandboxes.sendcloud import create_app
from shipmux.sandboxes.sendcloud.settings import RateLimitSettings, SendcloudSandboxSettings
from tests.support.live_server import serve

SECRET = "correct-horse-battery-staple"


@pytest.fixture(scope="module")
def root() -> Iterator[str]:
    settings = SendcloudSandboxSettings(
        rate_limits=RateLimitSettings(
            unsafe_per_minute=0, unsafe_burst_per_second=0, safe_per_minute=0
        )
    )
    with serve(create_app(settings)) as url:
        yield url


@pytest.fixture
def control(root: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{root}/_sandbox", timeout=10) as client:
        client.post("/reset").raise_for_status()
        yield client


def new_key() -> str:
    return f"pk_{uuid.uuid4().hex[:16]}"


@pytest.fixture
def api(root: str, control: httpx.Client) -> Iterator[httpx.Client]:
    """An authenticated client for a fresh account, at ``{root}/api/v3``."""
    with httpx.Client(base_url=f"{root}/api/v3", auth=(new_key(), SECRET), timeout=10) as client:
        yield client


def integration_id(api: httpx.Client) -> int:
    response = api.get("/user/auth/metadata")
    assert response.status_code == 200, response.text
    return int(response.json()["data"]["integration_id"])


def order_payload(integration: int, order_id: str = "555413", **changes: Any) -> dict[str, Any]:
    """The spec's ``CreateBasicOrder`` example, for ``integration``."""
    order: dict[str, Any] = {
        "order_id": order_id,
        "order_number": f"OXSDFGHTD-{order_id}",
        "order_details": {
            "integration": {"id": integration},
            "status": {"code": "fulfilled", "message": "Fulfilled"},
            "order_created_at": "2018-02-27T10:00:00.556Z",
            "order_items": [
                {
                    "name": "Cylinder candle",
                    "quantity": 1,
                    "total_price": {"value": 3.5, "currency": "EUR"},
                }
            ],
        },
        "payment_details": {
            "total_price": {"value": 3.5, "currency": "EUR"},
            "status": {"code": "paid", "message": "Paid"},
        },
        "shipping_address": {
            "name": "John Doe",
            "address_line_1": "Lansdown Glade",
            "house_number": "15",
            "postal_code": "5341XT",
            "city": "Oss",
            "country_code": "NL",
        },
        "shipping_details": {"measurement": {"weight": {"value": 3, "unit": "kg"}}},
    }
    order.update(changes)
    return order


def let_orders_save(control: httpx.Client) -> None:
    """Move the sandbox clock past the asynchronous save delay."""
    control.put("/clock", json={"seconds": 5}).raise_for_status()


def saved_order(api: httpx.Client, control: httpx.Client, order_id: str = "555413") -> int:
    """Upload one order, wait for its save; return Sendcloud's id."""
    response = api.post("/orders", json=[order_payload(integration_id(api), order_id)])
    assert response.status_code == 201, response.text
    let_orders_save(control)
    return int(response.json()["data"][0]["id"])


def public_key_of(api: httpx.Client) -> str:
    """The public key the ``api`` fixture's client authenticates with."""
    assert isinstance(api.auth, httpx.BasicAuth)
    request = next(api.auth.sync_auth_flow(api.build_request("GET", "/")))
    return base64.b64decode(request.headers["authorization"].split()[1]).decode().split(":")[0]
