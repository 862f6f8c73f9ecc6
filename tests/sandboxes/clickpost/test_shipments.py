"""Cancel, label PDF, track-order polling over the sandbox clock, faults, mounting."""

from __future__ import annotations

import httpx
import pytest

from shipmux.sandboxes import create_sandboxes_app
from tests.sandboxes.clickpost.conftest import Account, advance, create, new_reference, v3_body
from tests.support.live_server import serve


def _track(api: httpx.Client, account: Account, waybills: str, cp_id: int = 3) -> httpx.Response:
    return api.get(
        "/v2/track-order/", params={**account.params, "waybill": waybills, "cp_id": cp_id}
    )


def test_cancel_then_600_and_tracking_shows_cancelled(api: httpx.Client, account: Account) -> None:
    waybill = create(api, account, v3_body(new_reference()))["result"]["waybill"]
    params = {**account.params, "waybill": waybill, "cp_id": 3}
    first = api.get("/v1/cancel-order/", params=params).json()
    assert first["meta"] == {"status": 200, "message": "SUCCESS", "success": True}
    assert api.get("/v1/cancel-order/", params=params).json()["meta"]["status"] == 600
    latest = _track(api, account, waybill).json()["result"][waybill]["latest_status"]
    assert latest["clickpost_status_code"] == 10
    unknown = api.get("/v1/cancel-order/", params={**params, "waybill": "000"}).json()
    assert unknown["meta"]["status"] == 330


def test_a_delivered_shipment_cannot_be_cancelled(
    api: httpx.Client, control: httpx.Client, account: Account
) -> None:
    waybill = create(api, account, v3_body(new_reference()))["result"]["waybill"]
    advance(control, 5 * 3600)
    params = {**account.params, "waybill": waybill, "cp_id": 3}
    assert api.get("/v1/cancel-order/", params=params).json()["meta"]["status"] == 350


def test_label_is_a_real_pdf_with_the_waybill(api: httpx.Client, account: Account) -> None:
    result = create(api, account, v3_body(new_reference()))["result"]
    waybill = result["waybill"]
    fetched = api.get(
        "/v1/fetch/shippinglabel/", params={"key": account.key, "waybill": waybill, "cp_id": 3}
    ).json()
    assert fetched["meta"]["status"] == 200
    assert fetched["result"]["shipping_label"] == result["label"]
    pdf = httpx.get(result["label"])
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert f"AWB {waybill}".encode() in pdf.content
    again = api.get(
        "/v1/fetch/shippinglabel/",
        params={"key": account.key, "waybill": waybill, "regenerate": "true"},
    ).json()
    assert again["result"]["shipping_label"].endswith("?v=2")


EXPECTED_JOURNEY = [
    (1, "OrderPlaced", 1),
    (2, "PickupPending", 1),
    (4, "PickedUp", 2),
    (5, "InTransit", 3),
    (6, "OutForDelivery", 4),
    (8, "Delivered", 6),
]


def test_tracking_advances_through_the_codes_over_the_clock(
    api: httpx.Client, control: httpx.Client, account: Account
) -> None:
    control.put("/settings", json={"tracking_step_seconds": 600}).raise_for_status()
    waybill = create(api, account, v3_body(new_reference()))["result"]["waybill"]
    for index, (code, description, bucket) in enumerate(EXPECTED_JOURNEY):
        if index:
            advance(control, 600)
        body = _track(api, account, waybill).json()
        assert body["meta"]["status"] == 200
        record = body["result"][waybill]
        assert record["valid"] is True
        latest = record["latest_status"]
        assert (
            latest["clickpost_status_code"],
            latest["clickpost_status_description"],
            latest["clickpost_status_bucket"],
        ) == (code, description, bucket)
        assert set(latest) >= {"status", "remark", "location", "timestamp"}
        assert len(record["scans"]) == index + 1
        assert record["scans"][0]["clickpost_status_code"] == code  # newest first
    advance(control, 6000)
    latest = _track(api, account, waybill).json()["result"][waybill]["latest_status"]
    assert latest["clickpost_status_code"] == 8


def test_tracking_unknown_waybills_and_limits(api: httpx.Client, account: Account) -> None:
    waybill = create(api, account, v3_body(new_reference()))["result"]["waybill"]
    body = _track(api, account, f"{waybill},NOPE").json()
    assert body["result"]["NOPE"] == {"valid": False}
    assert _track(api, account, waybill, cp_id=4).json()["result"][waybill] == {"valid": False}
    too_many = _track(api, account, ",".join(str(n) for n in range(6))).json()
    assert too_many["meta"]["status"] == 400


def test_faults_are_rendered_in_the_envelope(
    api: httpx.Client, control: httpx.Client, account: Account
) -> None:
    control.put("/faults", json={"burst_429": 1}).raise_for_status()
    limited = api.post("/v3/create-order/", params=account.params, json=v3_body("F1"))
    assert limited.status_code == 429
    assert limited.json()["meta"] == {
        "status": 429,
        "message": "Too Many Requests",
        "success": False,
    }
    assert "retry-after" in limited.headers
    control.put("/faults", json={"error_rate": 1.0}).raise_for_status()
    failed = api.get("/v2/track-order/", params={**account.params, "waybill": "1", "cp_id": 3})
    assert failed.status_code == 500
    assert failed.json()["meta"]["status"] == 500


def test_commit_then_timeout_stores_the_order(
    api: httpx.Client, control: httpx.Client, account: Account
) -> None:
    control.put("/faults", json={"commit_then_timeout_rate": 1.0, "hang_seconds": 1.0})
    reference = new_reference()
    with pytest.raises(httpx.TimeoutException):
        api.post("/v3/create-order/", params=account.params, json=v3_body(reference), timeout=0.3)
    control.put("/faults", json={}).raise_for_status()
    assert create(api, account, v3_body(reference))["meta"]["status"] == 323


def test_mounted_in_the_sandboxes_app() -> None:
    account = Account()
    with serve(create_sandboxes_app()) as url:
        response = httpx.post(
            f"{url}/clickpost/api/v3/create-order/",
            params=account.params,
            json=v3_body(new_reference()),
        )
        result = response.json()["result"]
        assert result["label"].startswith(f"{url}/clickpost/labels/")
        assert httpx.get(result["label"]).content.startswith(b"%PDF-")
