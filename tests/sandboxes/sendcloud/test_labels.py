"""Ship an order: labels as real PDF/PNG/ZPL files, multicollo, announcement failure."""

from __future__ import annotations

import base64
import io

import httpx
import pypdf

from tests.sandboxes.sendcloud.conftest import integration_id, saved_order


def _label_sync(api: httpx.Client, **extra: object) -> httpx.Response:
    body = {"integration_id": integration_id(api), "order": {"order_id": "555413"}, **extra}
    return api.post("/orders/create-label-sync", json=body)


def test_label_sync_pdf_png_zpl_are_real(api: httpx.Client, control: httpx.Client) -> None:
    saved_order(api, control)
    pdf = _label_sync(api)
    assert pdf.status_code == 201, pdf.text
    data = pdf.json()["data"]
    assert data["order_id"] == "555413"
    assert data["tracking_number"].startswith("3SSBX")
    assert data["ship_with"]["properties"]["shipping_option_code"] == "postnl:standard"
    assert data["label_details"]["mime_type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(base64.b64decode(data["label_details"]["file"])))
    assert data["tracking_number"] in reader.pages[0].extract_text()
    png = _label_sync(api, label_details={"mime_type": "image/png", "dpi": 150})
    png_bytes = base64.b64decode(png.json()["data"]["label_details"]["file"])
    assert png_bytes.startswith(b"\x89PNG\r\n\x1a\n")
    zpl = _label_sync(api, label_details={"mime_type": "application/zpl"})
    assert zpl.json()["data"]["label_details"]["dpi"] == 203
    assert base64.b64decode(zpl.json()["data"]["label_details"]["file"]).startswith(b"^XA")
    bad_dpi = _label_sync(api, label_details={"mime_type": "application/pdf", "dpi": 300})
    assert bad_dpi.status_code == 400
    assert bad_dpi.json()["errors"][0]["source"]["pointer"] == "/data/attributes/label_details/dpi"

    link = data["documents"][0]["link"]
    a4 = httpx.get(link, params={"paper_size": "A4"}, auth=api.auth)
    assert a4.headers["content-type"] == "application/pdf"
    width = float(pypdf.PdfReader(io.BytesIO(a4.content)).pages[0].mediabox.width)
    assert round(width) == 595  # A4 in points
    png_300 = httpx.get(link, params={"dpi": 300}, headers={"Accept": "image/png"}, auth=api.auth)
    assert png_300.content.startswith(b"\x89PNG")
    assert httpx.get(link).status_code == 401


def test_unknown_order_is_404(api: httpx.Client, control: httpx.Client) -> None:
    response = _label_sync(api)
    assert response.status_code == 404
    assert response.json()["errors"][0]["source"]["pointer"] == "/data/attributes/order"


def test_announcement_failed_is_a_201(api: httpx.Client, control: httpx.Client) -> None:
    saved_order(api, control)
    ship_with = {
        "type": "shipping_option_code",
        "properties": {"shipping_option_code": "sandbox:announcement-failure"},
    }
    response = _label_sync(api, ship_with=ship_with)
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["status"]["code"] == "ANNOUNCEMENT_FAILED"
    assert data["errors"][0]["code"] == "parcel_announcement_error"
    assert data["label_details"] is None
    shipment = api.get(f"/shipments/{data['shipment_id']}").json()["data"]
    assert shipment["parcels"][0]["status"]["code"] == "ANNOUNCEMENT_FAILED"
    control.put("/settings", json={"announcement_failure_rate": 1.0}).raise_for_status()
    again = _label_sync(api)
    assert again.json()["data"]["errors"][0]["code"] == "parcel_announcement_error"


def test_labels_async_mixes_results_and_multicollo(
    api: httpx.Client, control: httpx.Client
) -> None:
    saved_order(api, control)
    parcels = [{"weight": {"value": "1.2", "unit": "kg"}}, {"weight": {"value": "2", "unit": "kg"}}]
    response = api.post(
        "/orders/create-labels-async",
        json={
            "integration_id": integration_id(api),
            "orders": [{"order_id": "555413", "parcels": parcels}, {"order_id": "nope"}],
        },
    )
    assert response.status_code == 202
    body = response.json()
    assert len(body["data"][0]["parcels_ids"]) == 2
    assert body["errors"][0]["source"]["pointer"] == "/data/attributes/orders/[1]"
    shipment = api.get(f"/shipments/{body['data'][0]['shipment_id']}").json()["data"]
    assert [p["weight"]["value"] for p in shipment["parcels"]] == ["1.200", "2.000"]
    orders = control.get("/orders").json()["orders"]
    assert orders[0]["label_requests"][0]["kind"] == "async"


def test_shipping_options_catalogue(api: httpx.Client, control: httpx.Client) -> None:
    response = api.post(
        "/shipping-options",
        json={"from_country_code": "NL", "to_country_code": "NL", "calculate_quotes": True,
              "parcels": [{"weight": {"value": "3", "unit": "kg"}}]},
    )  # fmt: skip
    options = {option["code"]: option for option in response.json()["data"]}
    assert "postnl:standard" in options
    assert options["postnl:standard"]["quotes"][0]["price"]["total"] == {
        "value": "7.95",
        "currency": "EUR",
    }
    international = api.post("/shipping-options", json={"from_country_code": "NL",
                                                        "to_country_code": "DE"})  # fmt: skip
    codes = [option["code"] for option in international.json()["data"]]
    assert "postnl:standard" not in codes
    assert "dhl:parcel-connect" in codes
