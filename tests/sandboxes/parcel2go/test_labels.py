"""Labels (ADR 0006 §9) and the public document links: real PDFs and PNGs."""

from __future__ import annotations

import base64
import io

import httpx
import pytest
from PIL import Image
from pypdf import PdfReader

from tests.sandboxes.parcel2go.factories import US_DELIVERY, create_order, paid_order

A4 = (595.28, 841.89)
LABEL_4X6 = (288.0, 432.0)


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    reader = PdfReader(io.BytesIO(pdf))
    return [
        (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2))
        for page in reader.pages
    ]


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def labels(api: httpx.Client, order: dict[str, object], **params: str) -> httpx.Response:
    return api.get(f"/labels/{order['OrderId']}", params={"hash": order["Hash"], **params})


def test_unpaid_order_has_no_labels(api: httpx.Client) -> None:
    response = labels(api, create_order(api))
    assert response.status_code == 400
    assert response.json() == {"Message": "The order has not been paid for."}


@pytest.mark.parametrize(("media", "size"), [("A4", A4), ("Label4X6", LABEL_4X6)])
def test_pdf_labels(api: httpx.Client, media: str, size: tuple[float, float]) -> None:
    order = paid_order(api)
    response = labels(api, order, labelMedia=media, labelFormat="PDF", detailLevel="Labels")
    assert response.status_code == 200
    body = response.json()
    assert body["SuccessfulLabels"] == 1
    assert body["FailedLabels"] == 0
    pdf = base64.b64decode(body["Base64EncodedLabels"][0])
    assert pdf.startswith(b"%PDF")
    assert page_sizes(pdf) == [size]
    text = pdf_text(pdf)
    line_id = order["OrderlineIdMap"][0]["OrderLineId"]  # type: ignore[index]
    assert f"P2G{line_id}" in text
    assert "DPD Next Day" in text
    assert "Saville St" in text
    assert "Raleigh Street" in text


@pytest.mark.parametrize(("media", "pixels"), [("Label4X6", (787, 1181)), ("A4", (1654, 2339))])
def test_png_labels(api: httpx.Client, media: str, pixels: tuple[int, int]) -> None:
    order = paid_order(api)
    body = labels(api, order, labelMedia=media, labelFormat="PNG").json()
    png = base64.b64decode(body["Base64EncodedLabels"][0])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert Image.open(io.BytesIO(png)).size == pixels


def test_labels_by_order_line_with_the_line_hash(api: httpx.Client) -> None:
    order = paid_order(api)
    line = order["OrderlineIdMap"][0]
    response = api.get(f"/labels/{line['OrderLineId']}",
                       params={"referenceType": "OrderLineId", "hash": line["Hash"]})  # fmt: skip
    assert response.status_code == 200
    assert response.json()["SuccessfulLabels"] == 1


def test_detail_level_all_adds_a_commercial_invoice_for_international(api: httpx.Client) -> None:
    domestic = paid_order(api)
    assert labels(api, domestic, detailLevel="AdditionalDocuments").status_code == 404
    order = paid_order(api, service="parcelforce-global-priority", delivery=US_DELIVERY,
                       customs=True)  # fmt: skip
    body = labels(api, order, detailLevel="All", labelMedia="Label4X6").json()
    pdf = base64.b64decode(body["Base64EncodedLabels"][0])
    assert page_sizes(pdf) == [LABEL_4X6, A4]
    assert "Commercial Invoice" in pdf_text(pdf)


@pytest.mark.parametrize(
    ("kind", "sizes"),
    [("labels-a4", [A4]), ("labels-4x6", [LABEL_4X6]), ("labels-a4-4x6", [A4]),
     ("invoice", [A4])],
)  # fmt: skip
def test_public_document_links(
    api: httpx.Client, kind: str, sizes: list[tuple[float, float]]
) -> None:
    order = paid_order(api)
    links = api.get("/orders", params={"orderId": order["OrderId"], "hash": order["Hash"]})
    url = links.json()["Links"][kind]
    response = httpx.get(url)  # no Authorization: the links are public
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert page_sizes(response.content) == sizes


def test_document_link_needs_the_hash(root: str, api: httpx.Client) -> None:
    order = paid_order(api)
    response = httpx.get(f"{root}/api/documents/{order['OrderId']}/invoice?hash=wrong")
    assert response.status_code == 404
