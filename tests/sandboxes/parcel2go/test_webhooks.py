"""Signed webhooks (seed "Webhooks", ADR 0006 §11), delivered to a live local receiver."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from shipmux.sandboxes.parcel2go.webhooks.signing import sign
from tests.sandboxes.parcel2go.factories import paid_order
from tests.support.live_server import serve

SECRET = "abcd-webhook-secret"
# Short steps keep five stages inside the token's two hours of sandbox time.
STEP = 60


@pytest.fixture(autouse=True)
def short_steps(control: httpx.Client) -> None:
    control.put("/settings", json={"tracking_step_seconds": STEP}).raise_for_status()


@dataclass
class Receiver:
    url: str
    received: list[dict[str, Any]] = field(default_factory=list)
    # Status codes to answer before answering 200.
    failures: list[int] = field(default_factory=list)


@pytest.fixture(scope="module")
def receiver_server() -> Iterator[Receiver]:
    receiver = Receiver(url="")

    async def hook(request: Request) -> Response:
        receiver.received.append(json.loads(await request.body()))
        if receiver.failures:
            return Response(status_code=receiver.failures.pop(0))
        return Response(status_code=200)

    with serve(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as url:
        receiver.url = f"{url}/hook"
        yield receiver


@pytest.fixture
def receiver(receiver_server: Receiver) -> Receiver:
    receiver_server.received.clear()
    receiver_server.failures.clear()
    return receiver_server


@pytest.fixture
def hooked(control: httpx.Client, client_id: str, receiver: Receiver) -> Receiver:
    """The test's account with its webhook URL and secret set."""
    body = {"webhook_url": receiver.url, "webhook_secret": SECRET}
    control.put(f"/accounts/{client_id}", json=body).raise_for_status()
    return receiver


def expected_signature(envelope: dict[str, Any], secret: str) -> str:
    moment = datetime.fromisoformat(envelope["Timestamp"]).astimezone(UTC)
    text = f"{envelope['Id']}:{moment:%Y-%m-%d %H:%M:%S}:{envelope['Type']}"
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def flush(control: httpx.Client) -> dict[str, Any]:
    response = control.post("/webhooks/flush")
    response.raise_for_status()
    return dict(response.json())


def stages(receiver: Receiver) -> list[str]:
    return [e["Payload"]["TrackingStage"] for e in receiver.received if e["Type"] == "Tracking"]


def test_signer_reproduces_the_seeds_example() -> None:
    moment = datetime(2018, 1, 1)  # noqa: DTZ001 - the seed's own naive DateTime
    event_id = "33bb3c63-c2ec-4b69-8db3-301fa8cfe024"
    expected = hmac.new(
        b"abcd", f"{event_id}:2018-01-01 00:00:00:Case".encode(), hashlib.sha256
    ).hexdigest()
    assert sign(event_id, moment, "Case", "abcd") == expected
    assert sign(event_id, moment.replace(tzinfo=UTC), "Case", "abcd") == expected


def test_tracking_webhooks_for_every_stage_signed(
    api: httpx.Client, control: httpx.Client, hooked: Receiver
) -> None:
    order = paid_order(api)
    line_id = int(order["OrderlineIdMap"][0]["OrderLineId"])
    for _ in range(5):
        control.post("/clock/advance", json={"seconds": STEP}).raise_for_status()
        flush(control)
    assert stages(hooked) == ["Collected", "InTransit", "AtDepot", "DeliveryScheduled",
                              "Delivered"]  # fmt: skip
    for envelope in hooked.received:
        assert set(envelope) == {"Id", "Timestamp", "Signature", "Type", "Payload"}
        assert envelope["Signature"] == expected_signature(envelope, SECRET)
        payload = envelope["Payload"]
        assert payload["OrderLineId"] == line_id
        assert set(payload) == {"OrderLineId", "Timestamp", "StatusCode", "StatusDescription",
                                "TrackingStage"}  # fmt: skip
    log = control.get("/webhooks").json()
    assert log["pending"] == []
    assert len(log["delivered"]) == 5


def test_retries_with_backoff_until_a_200(
    api: httpx.Client, control: httpx.Client, hooked: Receiver
) -> None:
    control.put("/settings", json={"webhooks": {"retry_base_seconds": 10}}).raise_for_status()
    hooked.failures[:] = [500, 503]
    paid_order(api)
    control.post("/clock/advance", json={"seconds": STEP}).raise_for_status()
    first = flush(control)
    assert len(hooked.received) == 1
    assert first["pending"] == 1
    assert flush(control)["attempts"] == []  # not due for 10 s
    control.post("/clock/advance", json={"seconds": 10}).raise_for_status()
    flush(control)
    assert len(hooked.received) == 2
    control.post("/clock/advance", json={"seconds": 10}).raise_for_status()
    assert flush(control)["attempts"] == []  # the second retry waits 20 s
    control.post("/clock/advance", json={"seconds": 10}).raise_for_status()
    flush(control)
    assert len(hooked.received) == 3
    assert len({e["Id"] for e in hooked.received}) == 1  # the same webhook each time
    attempts = [a["statusCode"] for a in control.get("/webhooks").json()["attempts"]]
    assert attempts == [500, 503, 200]


def test_gives_up_after_max_attempts(
    api: httpx.Client, control: httpx.Client, hooked: Receiver
) -> None:
    settings = {"webhooks": {"retry_base_seconds": 0, "max_attempts": 3}}
    control.put("/settings", json=settings).raise_for_status()
    hooked.failures[:] = [500] * 10
    paid_order(api)
    control.post("/clock/advance", json={"seconds": STEP}).raise_for_status()
    for _ in range(5):
        flush(control)
    log = control.get("/webhooks").json()
    assert len(log["abandoned"]) == 1
    assert len(hooked.received) == 3


def test_duplicate_fault_delivers_each_twice(
    api: httpx.Client, control: httpx.Client, hooked: Receiver
) -> None:
    control.put("/settings", json={"webhooks": {"duplicate": True}}).raise_for_status()
    paid_order(api)
    control.post("/clock/advance", json={"seconds": STEP}).raise_for_status()
    flush(control)
    assert len(hooked.received) == 2
    assert hooked.received[0] == hooked.received[1]


def test_out_of_order_fault_swaps_neighbours(
    api: httpx.Client, control: httpx.Client, hooked: Receiver
) -> None:
    control.put("/settings", json={"webhooks": {"out_of_order": True}}).raise_for_status()
    paid_order(api)
    control.post("/clock/advance", json={"seconds": 2 * STEP}).raise_for_status()
    flush(control)
    assert stages(hooked) == ["InTransit", "Collected"]
    # A lone webhook is held back one pass, then sent.
    control.post("/clock/advance", json={"seconds": STEP}).raise_for_status()
    flush(control)
    flush(control)
    assert stages(hooked)[2:] == ["AtDepot"]


def test_case_webhook_carries_the_reference(
    api: httpx.Client, control: httpx.Client, hooked: Receiver
) -> None:
    order = paid_order(api, reference="SHIPMUX-CASE")
    line_id = int(order["OrderlineIdMap"][0]["OrderLineId"])
    raised = control.post("/cases", json={"OrderLineId": line_id, "CaseType": "Enquiry"})
    assert raised.status_code == 201
    flush(control)
    (envelope,) = [e for e in hooked.received if e["Type"] == "Case"]
    assert envelope["Signature"] == expected_signature(envelope, SECRET)
    payload = envelope["Payload"]
    assert payload["OrderLineId"] == line_id
    assert payload["CustomerReference"] == "SHIPMUX-CASE"
    assert payload["CaseType"] == "Enquiry"
    assert payload["Status"] == "Open"


def test_delivery_runs_in_the_background(
    api: httpx.Client, control: httpx.Client, hooked: Receiver
) -> None:
    import time

    paid_order(api)
    control.post("/clock/advance", json={"seconds": STEP}).raise_for_status()
    deadline = time.monotonic() + 5
    while not hooked.received and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stages(hooked) == ["Collected"]
