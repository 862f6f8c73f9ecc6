"""Auth, metadata, order upsert, all-or-nothing validation, async save, paging."""

from __future__ import annotations

import base64
from urllib.parse import unquote

import httpx

from shipmux.sandboxes import create_sandboxes_app
from shipmux.sandboxes.sendcloud.errors import PROCESSING_PREVIOUS
from tests.sandboxes.sendcloud.conftest import (
    SECRET,
    integration_id,
    let_orders_save,
    new_key,
    order_payload,
)
from tests.support.live_server import serve


def test_basic_auth_provisions_and_metadata(root: str, control: httpx.Client) -> None:
    key = new_key()
    first = httpx.get(f"{root}/api/v3/user/auth/metadata", auth=(key, SECRET))
    assert first.status_code == 200
    data = first.json()["data"]
    assert isinstance(data["user_id"], int)
    assert isinstance(data["integration_id"], int)
    again = httpx.get(f"{root}/api/v3/user/auth/metadata", auth=(key, SECRET))
    assert again.json() == first.json()
    wrong = httpx.get(f"{root}/api/v3/user/auth/metadata", auth=(key, SECRET + "x"))
    assert wrong.status_code == 401
    assert wrong.json()["errors"][0]["code"] == "authentication_failed"
    missing = httpx.get(f"{root}/api/v3/user/auth/metadata")
    assert missing.status_code == 401
    assert missing.json()["errors"][0]["title"] == "No credentials"
    short_secret = httpx.get(f"{root}/api/v3/user/auth/metadata", auth=(new_key(), "short"))
    assert short_secret.status_code == 401


def test_same_order_twice_is_one_updated_order(api: httpx.Client, control: httpx.Client) -> None:
    integration = integration_id(api)
    created = api.post("/orders", json=[order_payload(integration)])
    assert created.status_code == 201
    row = created.json()["data"][0]
    assert isinstance(row["id"], int)
    assert row["order_id"] == "555413"
    moved = order_payload(integration)
    moved["shipping_address"]["city"] = "Eindhoven"
    updated = api.post("/orders", json=[moved])
    assert updated.status_code == 201
    assert updated.json()["data"][0]["id"] == row["id"]
    let_orders_save(control)
    listed = api.get("/orders").json()["data"]
    assert len(listed) == 1
    assert listed[0]["id"] == str(row["id"])
    assert listed[0]["shipping_address"]["city"] == "Eindhoven"


def test_one_bad_order_refuses_the_whole_batch(api: httpx.Client, control: httpx.Client) -> None:
    integration = integration_id(api)
    batch = [order_payload(integration, str(n)) for n in range(5)]
    del batch[3]["shipping_address"]["postal_code"]
    batch[1]["order_details"]["order_items"][0]["quantity"] = 0
    response = api.post("/orders", json=batch)
    assert response.status_code == 400
    errors = response.json()["errors"]
    pointers = {error["source"]["pointer"]: error["detail"] for error in errors}
    assert pointers == {
        "/data/attributes/[3]/shipping_address/postal_code": "Field required",
        "/data/attributes/[1]/order_details/order_items/0/quantity": (
            "Input should be greater than 0"
        ),
    }
    assert all(error["status"] == "400" and error["code"] == "invalid" for error in errors)
    let_orders_save(control)
    assert api.get("/orders").json()["data"] == []
    not_a_list = api.post("/orders", json=batch[0])
    assert not_a_list.json()["errors"][0]["code"] == "non_field_errors"
    foreign = api.post("/orders", json=[order_payload(99999)])
    assert foreign.json()["errors"][0]["detail"] == "Integration with id 99999 does not exist"
    too_many = api.post("/orders", json=[order_payload(integration, str(n)) for n in range(101)])
    assert too_many.json()["errors"][0]["detail"].startswith("Orders list should have at most 100")


def test_orders_are_saved_asynchronously(api: httpx.Client, control: httpx.Client) -> None:
    created = api.post("/orders", json=[order_payload(integration_id(api))])
    order_id = created.json()["data"][0]["id"]
    early = api.get(f"/orders/{order_id}")
    assert early.status_code == 404
    assert early.json()["errors"][0]["code"] == "not_found"
    assert api.get("/orders").json()["data"] == []
    let_orders_save(control)
    late = api.get(f"/orders/{order_id}")
    assert late.status_code == 200
    assert late.json()["data"]["order_number"] == "OXSDFGHTD-555413"


def test_processing_conflict_fault(api: httpx.Client, control: httpx.Client) -> None:
    control.put("/settings", json={"processing_conflict_rate": 1.0}).raise_for_status()
    integration = integration_id(api)
    assert api.post("/orders", json=[order_payload(integration, "a")]).status_code == 201
    busy = api.post("/orders", json=[order_payload(integration, "b")])
    assert busy.status_code == 400
    assert busy.json() == {
        "errors": [
            {
                "status": "400",
                "code": "invalid",
                "detail": PROCESSING_PREVIOUS,
                "source": {"pointer": "/data"},
            }
        ]
    }
    let_orders_save(control)
    assert api.post("/orders", json=[order_payload(integration, "b")]).status_code == 201


def test_cursor_paging_with_link_header(api: httpx.Client, control: httpx.Client) -> None:
    integration = integration_id(api)
    batch = [order_payload(integration, f"ord-{n}") for n in range(5)]
    assert api.post("/orders", json=batch).status_code == 201
    let_orders_save(control)
    seen: list[str] = []
    response = api.get("/orders", params={"page_size": 2})
    pages = 0
    while True:
        pages += 1
        seen.extend(order["order_id"] for order in response.json()["data"])
        link = response.headers.get("link")
        if link is None or 'rel="next"' not in link:
            break
        next_url = next(
            part.split(";")[0].strip()[1:-1] for part in link.split(",") if 'rel="next"' in part
        )
        response = httpx.get(next_url, auth=api.auth)
    assert pages == 3
    assert seen == [f"ord-{n}" for n in reversed(range(5))]  # default sort -pk
    assert 'rel="prev"' in response.headers["link"]
    cursor = unquote(next_url.split("cursor=")[1].split("&")[0])
    assert base64.urlsafe_b64decode(cursor).decode().startswith("o=0&r=0&p=")
    bad = api.get("/orders", params={"integration": 1})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["source"] == {"parameter": "integration"}


def test_mounted_in_the_sandboxes_app() -> None:
    with serve(create_sandboxes_app()) as url:
        auth = (new_key(), SECRET)
        metadata = httpx.get(f"{url}/sendcloud/api/v3/user/auth/metadata", auth=auth)
        assert metadata.status_code == 200
        integration = metadata.json()["data"]["integration_id"]
        batch = [order_payload(integration, f"m-{n}") for n in range(3)]
        httpx.post(f"{url}/sendcloud/api/v3/orders", json=batch, auth=auth).raise_for_status()
        httpx.put(f"{url}/sendcloud/_sandbox/clock", json={"seconds": 5}).raise_for_status()
        page = httpx.get(f"{url}/sendcloud/api/v3/orders?page_size=2", auth=auth)
        assert page.headers["link"].startswith(f"<{url}/sendcloud/api/v3/orders?")
