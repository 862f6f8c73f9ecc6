"""Manifests: eligible orders, PDF, delayed PDF over simulated time, retry, errors."""

from __future__ import annotations

import base64
import io

import httpx
from pypdf import PdfReader

from tests.sandboxes.click_and_drop.factories import create, create_one, order

LABEL = {"documentType": "postageLabel", "includeReturnsLabel": "false"}


def _labelled(client: httpx.Client, count: int) -> None:
    create(client, *(order() for _ in range(count)))
    ids = ";".join(str(1001 + i) for i in range(count))
    assert client.get(f"/orders/{ids}/label", params=LABEL).status_code == 200


def test_manifest_eligible_orders(api: httpx.Client) -> None:
    _labelled(api, 2)
    create_one(api)  # postage applied but no label: not eligible
    response = api.post("/manifests", json={"carrierName": "Royal Mail OBA"})
    assert response.status_code == 201
    body = response.json()
    assert body["manifestNumber"] == 1001
    pdf = PdfReader(io.BytesIO(base64.b64decode(body["documentPdf"])))
    text = pdf.pages[0].extract_text()
    assert "Manifest 1001" in text
    assert "Items: 2" in text
    infos = api.get("/orders/1001;1002;1003").json()
    assert all(i["manifestedOn"] and i["shippedOn"] == i["manifestedOn"] for i in infos[:2])
    assert infos[2]["manifestedOn"] is None


def test_despatched_orders_are_eligible_and_keep_shipped_on(api: httpx.Client) -> None:
    create_one(api)
    api.put("/orders/status", json={"items": [
        {"orderIdentifier": 1001, "status": "despatched", "despatchDate": "2026-03-02T00:00:00Z"}
    ]})  # fmt: skip
    assert api.post("/manifests").status_code == 201
    info = api.get("/orders/1001").json()[0]
    assert info["shippedOn"] == "2026-03-02T00:00:00.000000Z"
    assert info["manifestedOn"] is not None


def test_no_eligible_orders_is_400_manifest_errors(api: httpx.Client) -> None:
    create_one(api)
    response = api.post("/manifests")
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {"code": "NoEligibleOrders",
             "description": "There are no orders eligible for manifesting."}
        ]
    }  # fmt: skip


def test_unknown_carrier_name(api: httpx.Client) -> None:
    _labelled(api, 1)
    response = api.post("/manifests", json={"carrierName": "Parcelforce"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "InvalidCarrierName"


def test_get_and_retry_manifest(api: httpx.Client) -> None:
    _labelled(api, 1)
    number = api.post("/manifests").json()["manifestNumber"]
    got = api.get(f"/manifests/{number}").json()
    assert got["status"] == "Completed"
    assert got["documentPdf"]
    retried = api.post(f"/manifests/retry/{number}")
    assert retried.status_code == 201
    assert retried.json()["manifestNumber"] == number
    assert api.get("/manifests/4242").status_code == 404
    assert api.get("/manifests/abc").status_code == 400
    assert "errors" in api.get("/manifests/abc").json()


def test_delayed_manifest_pdf(api: httpx.Client, control: httpx.Client) -> None:
    control.put("/settings", json={"manifest_pdf_delay_seconds": 600}).raise_for_status()
    _labelled(api, 1)
    created = api.post("/manifests")
    assert created.status_code == 202
    assert created.json()["documentPdf"] is None
    pending = api.get("/manifests/1001").json()
    assert pending["status"] == "In Progress"
    assert pending["documentPdf"] is None
    control.post("/clock/advance", json={"seconds": 601})
    done = api.get("/manifests/1001").json()
    assert done["status"] == "Completed"
    assert done["documentPdf"]
