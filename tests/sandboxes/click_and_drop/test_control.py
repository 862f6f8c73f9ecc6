"""The ``/_sandbox`` control routes specific to Click & Drop."""

from __future__ import annotations

import hashlib

import httpx

from tests.sandboxes.click_and_drop.factories import create_one, order


def test_orders_of_every_account(
    api: httpx.Client, olp_api: httpx.Client, control: httpx.Client
) -> None:
    create_one(api, order("A-1"))
    create_one(olp_api, order("B-1", service_code=None))
    rows = control.get("/orders").json()["orders"]
    key = api.headers["Authorization"]
    assert {(r["orderReference"], r["accountType"]) for r in rows} == {
        ("A-1", "OBA"),
        ("B-1", "OLP"),
    }
    first = next(r for r in rows if r["orderReference"] == "A-1")
    assert first["account"] == hashlib.sha256(key.encode()).hexdigest()[:16]
    assert first["orderIdentifier"] == 1001
    assert first["createdOn"].endswith("Z")


def test_account_type_can_be_changed(api: httpx.Client, control: httpx.Client) -> None:
    key = api.headers["Authorization"]
    response = control.put(f"/accounts/{key}", json={"type": "OLP"})
    assert response.json()["type"] == "OLP"
    create_one(api, order(service_code=None))
    label = api.get("/orders/1001/label", params={"documentType": "despatchNote"})
    assert label.status_code == 403
    control.put(f"/accounts/{key}", json={"type": "OBA", "channelShipper": True})
    assert api.get("/orders/full").status_code == 200
    assert control.put(f"/accounts/{key}", json={"type": "XYZ"}).status_code == 422


def test_settings_can_be_read_and_changed(control: httpx.Client) -> None:
    assert control.get("/settings").json()["rate_limit_per_second"] == 0
    changed = control.put("/settings", json={"rate_limit_per_second": 7})
    assert changed.json()["rate_limit_per_second"] == 7
    assert control.put("/settings", json={"rate_limit_per_second": -1}).status_code == 422
    assert control.put("/settings", json=[1]).status_code == 400


def test_clock(control: httpx.Client) -> None:
    before = control.get("/clock").json()
    after = control.post("/clock/advance", json={"seconds": 90}).json()
    assert after["offsetSeconds"] == before["offsetSeconds"] + 90
    assert control.post("/clock/advance", json={"seconds": -5}).status_code == 400
