"""GET /orders/{ids}/label: real PDFs, status moves, OBA-only, parameter rules."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from tests.sandboxes.click_and_drop.factories import address, create, create_one, order

LABEL = {"documentType": "postageLabel", "includeReturnsLabel": "false"}


def pdf_pages(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]


def test_label_pdf_has_addresses_service_weight_and_tracking(
    api: httpx.Client, control: httpx.Client
) -> None:
    created = create_one(api)
    # The reference client asks with Accept: application/json and still gets the PDF.
    response = api.get("/orders/1001/label", params=LABEL, headers={"Accept": "application/json"})
    [text] = pdf_pages(response)
    for expected in (created["trackingNumber"], "Jane Doe", "SW1A 1AA", "TPN24", "500 g",
                     "Acme Ltd"):  # fmt: skip
        assert expected in text
    info = api.get("/orders/1001").json()[0]
    assert info["printedOn"] is not None
    assert control.get("/orders").json()["orders"][0]["status"] == "labelGenerated"


def test_one_pdf_for_several_orders(api: httpx.Client) -> None:
    first, second = create(api, order("L-1"), order("L-2"))["createdOrders"]
    pages = pdf_pages(api.get('/orders/"L-1";1002/label', params=LABEL))
    assert len(pages) == 2
    assert first["trackingNumber"] in pages[0]
    assert second["trackingNumber"] in pages[1]


def test_returns_label_and_customs_pages(api: httpx.Client) -> None:
    international = order(recipient={"address": address(countryCode="US", postcode="10001")})
    create_one(api, international)
    params = {"documentType": "postageLabel", "includeReturnsLabel": "true", "includeCN": "true"}
    pages = pdf_pages(api.get("/orders/1001/label", params=params))
    assert len(pages) == 3
    assert "Returns" in pages[1]
    assert "CN 22" in pages[2]


def test_include_cn_is_ignored_for_domestic_orders(api: httpx.Client) -> None:
    create_one(api)
    params = {**LABEL, "includeCN": "true"}
    assert len(pdf_pages(api.get("/orders/1001/label", params=params))) == 1


@pytest.mark.parametrize(
    ("document_type", "marker"),
    [("despatchNote", "Despatch note"), ("CN22", "CN 22"), ("CN23", "CN 23")],
)
def test_other_document_types(api: httpx.Client, document_type: str, marker: str) -> None:
    create_one(api)
    [text] = pdf_pages(api.get("/orders/1001/label", params={"documentType": document_type}))
    assert marker in text


def test_label_needs_postage_applied(api: httpx.Client) -> None:
    create_one(api, order(service_code=None))
    response = api.get("/orders/1001/label", params=LABEL)
    assert response.status_code == 400
    assert response.json()[0]["message"] == (
        "Label generation only available for orders with postage applied status"
    )
    assert response.json()[0]["accountOrderNumber"] == 1001


def test_labels_are_oba_only(olp_api: httpx.Client) -> None:
    create_one(olp_api, order(service_code="OLP1"))
    response = olp_api.get("/orders/1001/label", params=LABEL)
    assert response.status_code == 403
    assert response.json()["message"] == "Feature available for OBA accounts only"


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"documentType": "shippingLabel"},
        {"documentType": "postageLabel"},
        {"documentType": "postageLabel", "includeReturnsLabel": "maybe"},
    ],
)
def test_parameter_errors(api: httpx.Client, params: dict[str, Any]) -> None:
    create_one(api)
    response = api.get("/orders/1001/label", params=params)
    assert response.status_code == 400
    assert response.json()[0]["code"] == "InvalidParameter"


def test_unknown_orders(api: httpx.Client) -> None:
    create_one(api)
    assert api.get("/orders/9999/label", params=LABEL).status_code == 404
    partly = api.get("/orders/1001;9999/label", params=LABEL)
    assert partly.status_code == 400
    assert partly.json()[0]["accountOrderNumber"] == 9999


def test_large_batch_renders_off_the_event_loop(api: httpx.Client) -> None:
    create(api, *(order() for _ in range(8)))
    ids = ";".join(str(1001 + i) for i in range(8))
    assert len(pdf_pages(api.get(f"/orders/{ids}/label", params=LABEL))) == 8
