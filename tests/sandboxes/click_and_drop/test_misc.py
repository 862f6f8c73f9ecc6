"""GET /carriers and the returns endpoints (OBA only)."""

from __future__ import annotations

import base64
import io
from typing import Any

import httpx
from pypdf import PdfReader

from shipmux.sandboxes.click_and_drop.services import is_valid_s10


def _return_address(**overrides: Any) -> dict[str, Any]:
    return {
        "firstName": "Jane",
        "lastName": "Doe",
        "addressLine1": "1 High Street",
        "city": "London",
        "postcode": "SW1A 1AA",
        "country": "United Kingdom",
        "countryIsoCode": "GBR",
        **overrides,
    }


def _return_request(**overrides: Any) -> dict[str, Any]:
    return {
        "service": {"serviceCode": "TSN"},
        "shipment": {
            "shippingAddress": _return_address(),
            "returnAddress": _return_address(firstName="Acme", lastName="Returns"),
            "customerReference": {"reference": "RMA-1"},
        },
        **overrides,
    }


def test_carriers(api: httpx.Client, olp_api: httpx.Client) -> None:
    [carrier] = api.get("/carriers").json()
    assert carrier["carrierName"] == "Royal Mail OBA"
    assert len(carrier["carrierGuid"]) == 36
    assert olp_api.get("/carriers").json()[0]["carrierName"] == "Royal Mail OLP"


def test_return_services(api: httpx.Client) -> None:
    services = api.get("/returns/services").json()["services"]
    assert [s["serviceCode"] for s in services] == ["TSN", "TSS"]


def test_create_return(api: httpx.Client) -> None:
    response = api.post("/returns", json=_return_request())
    assert response.status_code == 200, response.text
    body = response.json()
    tracking = body["shipment"]["trackingNumber"]
    assert is_valid_s10(tracking)
    assert base64.b64decode(body["qrCode"]).startswith(b"\x89PNG")
    label = PdfReader(io.BytesIO(base64.b64decode(body["label"])))
    assert tracking in label.pages[0].extract_text()


def test_create_return_validation(api: httpx.Client) -> None:
    bad = _return_request()
    del bad["shipment"]["returnAddress"]["postcode"]
    response = api.post("/returns", json=bad)
    assert response.status_code == 400
    assert "shipment.returnAddress.postcode" in response.json()["message"]
    unknown = api.post("/returns", json=_return_request(service={"serviceCode": "XYZ"}))
    assert unknown.status_code == 400


def test_returns_are_oba_only(olp_api: httpx.Client) -> None:
    assert olp_api.get("/returns/services").status_code == 403
    assert olp_api.post("/returns", json=_return_request()).status_code == 403
