"""Statuses over time, signed parcel_status_changed webhooks, retries, faults, 429s."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from shipmux.sandboxes.sendcloud.webhooks.signing import signature
from tests.sandboxes.sendcloud.conftest import (
    SECRET,
    integration_id,
    new_key,
    public_key_of,
    saved_order,
)
from tests.support.live_server import serve

SPEC_VECTOR = "1eed4b3d41f4653ac64fd56f1bf1cbfd349e4482cbc11dff7134bd93e5da4b0a"


@dataclass
class Receiver:
    url: str
    received: list[tuple[bytes, dict[str, str]]] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)

    def payloads(self) -> list[dict[str, object]]:
        return [json.loads(body) for body, _ in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    box = Receiver(url="")

    async def hook(request: Request) -> Response:
        box.received.append((await request.body(), dict(request.headers)))
        return Response(status_code=box.answers.pop(0) if box.answers else 200)

    with serve(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as url:
        box.url = f"{url}/hook"
        yield box


def test_spec_signature_vector() -> None:
    body = b'{"key": "value"}'
    independent = hmac.new(b"secretkey", body, hashlib.sha256).hexdigest()
    assert independent == SPEC_VECTOR
    assert signature("secretkey", body) == SPEC_VECTOR


def _ship_with_webhooks(
    api: httpx.Client, control: httpx.Client, receiver: Receiver
) -> dict[str, object]:
    saved_order(api, control)  # provisions the account on first use
    hook = {"webhook_url": receiver.url}
    control.put(f"/accounts/{public_key_of(api)}", json=hook).raise_for_status()
    response = api.post(
        "/orders/create-label-sync",
        json={"integration_id": integration_id(api), "order": {"order_id": "555413"}},
    )
    assert response.status_code == 201
    return dict(response.json()["data"])


def test_statuses_advance_and_signed_webhooks(
    api: httpx.Client, control: httpx.Client, receiver: Receiver
) -> None:
    control.put("/settings", json={"tracking_step_seconds": 60}).raise_for_status()
    label = _ship_with_webhooks(api, control, receiver)
    control.post("/webhooks/flush").raise_for_status()
    control.put("/clock", json={"seconds": 60 * 3}).raise_for_status()
    control.post("/webhooks/flush").raise_for_status()
    shipment = api.get(f"/shipments/{label['shipment_id']}").json()["data"]
    assert shipment["parcels"][0]["status"]["code"] == "BEING_SORTED"
    control.put("/clock", json={"seconds": 60 * 10}).raise_for_status()
    control.post("/webhooks/flush").raise_for_status()
    shipment = api.get(f"/shipments/{label['shipment_id']}").json()["data"]
    assert shipment["parcels"][0]["status"]["code"] == "DELIVERED"
    payloads = receiver.payloads()
    ids = [p["parcel"]["status"]["id"] for p in payloads]  # type: ignore[index]
    assert ids == [1000, 1, 3, 7, 5, 92, 8, 92, 11]
    first = payloads[0]
    assert first["action"] == "parcel_status_changed"
    assert first["parcel"]["tracking_number"] == label["tracking_number"]  # type: ignore[index]
    assert first["parcel"]["order_number"] == "OXSDFGHTD-555413"  # type: ignore[index]
    assert first["parcel"]["external_order_id"] == "555413"  # type: ignore[index]
    assert isinstance(first["timestamp"], int)
    for body, headers in receiver.received:
        expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert headers["sendcloud-signature"] == expected


def test_retries_follow_sendcloud_schedule(
    api: httpx.Client, control: httpx.Client, receiver: Receiver
) -> None:
    receiver.answers = [500, 503]
    _ship_with_webhooks(api, control, receiver)
    control.post("/webhooks/flush").raise_for_status()
    assert len(receiver.received) == 1
    control.put("/clock", json={"seconds": 299}).raise_for_status()
    control.post("/webhooks/flush").raise_for_status()
    assert len(receiver.received) == 1  # first retry after 5 minutes
    control.put("/clock", json={"seconds": 2}).raise_for_status()
    control.post("/webhooks/flush").raise_for_status()
    assert len(receiver.received) >= 2
    control.put("/clock", json={"seconds": 600}).raise_for_status()  # then 10 minutes
    control.post("/webhooks/flush").raise_for_status()
    log = control.get("/webhooks").json()
    first_attempts = [a for a in log["attempts"] if a["sequence"] == 1]
    assert [a["status_code"] for a in first_attempts] == [500, 503, 200]


def test_retries_are_capped(api: httpx.Client, control: httpx.Client, receiver: Receiver) -> None:
    control.put("/settings", json={"webhooks": {"max_retries": 2}}).raise_for_status()
    receiver.answers = [500] * 10
    _ship_with_webhooks(api, control, receiver)
    for _ in range(4):
        control.post("/webhooks/flush").raise_for_status()
        control.put("/clock", json={"seconds": 3600}).raise_for_status()
    log = control.get("/webhooks").json()
    assert len([a for a in log["attempts"] if a["sequence"] == 1]) == 3
    assert len(log["abandoned"]) >= 1


def test_duplicate_and_out_of_order_faults(
    api: httpx.Client, control: httpx.Client, receiver: Receiver
) -> None:
    # No background pass between the ones this test makes: a pass of its own, on a slow
    # machine, would send the held first webhook alone before the next one overtakes it.
    faults = {"duplicate": True, "out_of_order": True, "poll_interval_seconds": 60}
    control.put(
        "/settings", json={"tracking_step_seconds": 60, "webhooks": faults}
    ).raise_for_status()
    _ship_with_webhooks(api, control, receiver)
    control.put("/clock", json={"seconds": 60}).raise_for_status()
    control.post("/webhooks/flush").raise_for_status()
    ids = [p["parcel"]["status"]["id"] for p in receiver.payloads()]  # type: ignore[index]
    assert ids == [1, 1, 1000, 1000]
    bodies = [body for body, _ in receiver.received]
    assert bodies[0] == bodies[1]


def test_429_empty_body_shared_by_keys_of_one_account(root: str, control: httpx.Client) -> None:
    limits = {"unsafe_per_minute": 100, "unsafe_burst_per_second": 3, "safe_per_minute": 1000}
    control.put("/settings", json={"rate_limits": limits}).raise_for_status()
    first_key, second_key = new_key(), new_key()
    httpx.get(f"{root}/api/v3/user/auth/metadata", auth=(first_key, SECRET)).raise_for_status()
    added = control.post(
        f"/accounts/{first_key}/keys", json={"public_key": second_key, "secret_key": SECRET}
    )
    assert added.status_code == 201
    statuses = []
    for key in (first_key, second_key, first_key, second_key):
        response = httpx.post(f"{root}/api/v3/shipping-options", json={}, auth=(key, SECRET))
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert response.content == b""
    assert statuses == [200, 200, 200, 429]
    other = httpx.post(f"{root}/api/v3/shipping-options", json={}, auth=(new_key(), SECRET))
    assert other.status_code == 200


def test_kit_faults_render_in_sendcloud_shape(api: httpx.Client, control: httpx.Client) -> None:
    control.put("/faults", json={"error_rate": 1.0}).raise_for_status()
    response = api.get("/user/auth/metadata")
    assert response.status_code == 500
    assert response.json()["errors"][0]["status"] == "500"
    control.put("/faults", json={"burst_429": 1}).raise_for_status()
    burst = api.get("/user/auth/metadata")
    assert burst.status_code == 429
    assert burst.content == b""
