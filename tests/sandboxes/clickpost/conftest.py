"""Fixtures: one live Clickpost sandbox per test module, reset before every test."""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from shipmux.sandboxes.clickpost import create_app
from tests.support.live_server import serve

V3_BODY: dict[str, Any] = {
    "pickup_info": {
        "pickup_name": "Deepanshu",
        "pickup_phone": "9816691388",
        "pickup_pincode": "110019",
        "pickup_address": "A-228 top floor kalkaji New Delhi",
        "pickup_time": "2017-05-20T12:00:00Z",
        "pickup_city": "DELHI",
        "pickup_state": "DELHI",
        "pickup_country": "IN",
        "email": "ops@example.com",
        "tin": "120349483",
    },
    "drop_info": {
        "drop_name": "Prashant",
        "drop_address": "F-68 third floor kalkaji New Delhi",
        "drop_phone": "9717732407",
        "drop_pincode": "110019",
        "drop_city": "Delhi",
        "drop_state": "DELHI",
        "drop_country": "IN",
        "drop_email": "customer@example.com",
    },
    "shipment_details": {
        "order_type": "COD",
        "cod_value": 200,
        "invoice_value": 200,
        "invoice_number": "INV123",
        "invoice_date": "2015-12-27",
        "reference_number": "set-per-test",
        "length": 10,
        "breadth": 10,
        "height": 12,
        "weight": 100,
        "items": [{"price": 200, "description": "item1", "quantity": 1, "sku": "XYZ1"}],
        "courier_partner": 3,
    },
    "gst_info": {"seller_gstin": "1234", "taxable_value": 100, "hsn_code": "1234"},
    "additional": {"label": True, "delivery_type": "FORWARD", "async": False},
}

V4_BODY: dict[str, Any] = {
    "pickup_info": {
        "name": "Warehouse One",
        "phone": "2071234567",
        "phone_code": "+44",
        "address": "1 Dock Road",
        "postal_code": "E16 1AA",
        "city": "London",
        "state": "London",
        "country_code": "GB",
        "time": "2020-02-01T10:53:33",
    },
    "drop_info": {
        "name": "Ada Lovelace",
        "phone": "612345678",
        "phone_code": "+33",
        "address": "5 Rue de Rivoli",
        "postal_code": "75001",
        "city": "Paris",
        "state": "IDF",
        "country_code": "FR",
    },
    "shipment_details": {
        "items": [{"sku": "3007940106", "price": 35.00, "quantity": 1, "description": "Shirt"}],
        "length": 10,
        "breadth": 10,
        "height": 10,
        "weight": 500,
        "cod_value": 0,
        "order_type": "PREPAID",
        "invoice_date": "2020-01-30",
        "currency_code": "GBP",
        "delivery_type": "FORWARD",
        "invoice_value": 35,
        "invoice_number": "3000020284",
        "reference_number": "set-per-test",
        "courier_partner": 1,
    },
    "tax_info": None,
    "additional": {"label": True, "async": False, "duty_fee_paid_by": "S"},
}


def v3_body(reference: str, **details: Any) -> dict[str, Any]:
    body = copy.deepcopy(V3_BODY)
    body["shipment_details"].update(reference_number=reference, **details)
    return body


def v4_body(reference: str, **details: Any) -> dict[str, Any]:
    body = copy.deepcopy(V4_BODY)
    body["shipment_details"].update(reference_number=reference, **details)
    return body


def new_reference() -> str:
    return f"REF-{uuid.uuid4().hex[:10].upper()}"


@dataclass
class Account:
    """Credentials of a fresh sandbox account (it is provisioned by its first call)."""

    username: str = field(default_factory=lambda: f"user-{uuid.uuid4().hex[:8]}")
    key: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def params(self) -> dict[str, str]:
        return {"username": self.username, "key": self.key}


@pytest.fixture(scope="module")
def root() -> Iterator[str]:
    with serve(create_app()) as url:
        yield url


@pytest.fixture
def control(root: str) -> Iterator[httpx.Client]:
    """Client for the ``/_sandbox`` control routes; the sandbox is reset first."""
    with httpx.Client(base_url=f"{root}/_sandbox", timeout=10) as client:
        client.post("/reset").raise_for_status()
        yield client


@pytest.fixture
def api(root: str, control: httpx.Client) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{root}/api", timeout=10) as client:
        yield client


@pytest.fixture
def account() -> Account:
    return Account()


def create(
    api: httpx.Client, account: Account, body: dict[str, Any], version: str = "v3"
) -> dict[str, Any]:
    response = api.post(f"/{version}/create-order/", params=account.params, json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())


def advance(control: httpx.Client, seconds: float) -> None:
    control.post("/clock/advance", json={"seconds": seconds}).raise_for_status()


@dataclass
class Receiver:
    """A webhook endpoint on loopback that records every POST."""

    url: str
    calls: list[tuple[dict[str, str], Any]] = field(default_factory=list)
    reply_status: int = 200

    def bodies(self) -> list[Any]:
        return [body for _, body in self.calls]

    def wait_for(self, predicate: Callable[[Receiver], bool], timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate(self):
            if time.monotonic() > deadline:
                raise AssertionError(f"receiver got {len(self.calls)} calls: {self.bodies()}")
            time.sleep(0.05)


@pytest.fixture(scope="module")
def receiver_server() -> Iterator[tuple[str, list[Receiver]]]:
    current: list[Receiver] = []

    async def hook(request: Request) -> Response:
        receiver = current[-1]
        receiver.calls.append((dict(request.headers), await request.json()))
        return JSONResponse({"ok": True}, status_code=receiver.reply_status)

    app = Starlette(routes=[Route("/hook", hook, methods=["POST"])])
    with serve(app) as url:
        yield f"{url}/hook", current


@pytest.fixture
def receiver(receiver_server: tuple[str, list[Receiver]]) -> Receiver:
    url, current = receiver_server
    fresh = Receiver(url)
    current.append(fresh)
    return fresh
