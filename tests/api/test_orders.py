"""Reading orders (list, one, label) and the merchant's actions on them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from shipmux.domain.shipments import ShipmentStatus
from shipmux.services.context import HubContext
from tests.api.conftest import order_json, row_counts, set_status, store_label

pytestmark = pytest.mark.anyio


async def _create(client: httpx.AsyncClient, count: int) -> list[str]:
    response = await client.post(
        "/v1/orders", json={"orders": [order_json() for _ in range(count)]}
    )
    assert response.status_code == 200
    return [r["order_id"] for r in response.json()["results"]]


async def test_pages_follow_the_cursor_without_duplicates(client: httpx.AsyncClient) -> None:
    created = await _create(client, 7)
    seen: list[str] = []
    pages = 0
    params: dict[str, str | int] = {"limit": 3}
    while True:
        page = (await client.get("/v1/orders", params=params)).json()
        pages += 1
        seen += [o["id"] for o in page["data"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert pages == 3
    assert len(seen) == len(set(seen)) == 7
    assert set(seen) == set(created)
    assert seen == sorted(seen, reverse=True)  # newest first


async def test_filters_narrow_the_list(client: httpx.AsyncClient) -> None:
    first, second, third = await _create(client, 3)
    await client.post(f"/v1/orders/{second}/cancel")
    reference = (await client.get(f"/v1/orders/{third}")).json()["reference"]
    now = datetime.now(UTC)

    async def ids(**params: str) -> set[str]:
        response = await client.get("/v1/orders", params=params)
        assert response.status_code == 200, response.text
        return {o["id"] for o in response.json()["data"]}

    assert await ids(status="cancelled") == {second}
    assert await ids(status="accepted") == {first, third}
    assert await ids(reference=reference) == {third}
    assert await ids(carrier="click-and-drop") == {first, second, third}
    assert await ids(carrier="sendcloud") == set()
    assert await ids(created_from=(now - timedelta(hours=1)).isoformat()) == {first, second, third}
    assert await ids(created_from=(now + timedelta(hours=1)).isoformat()) == set()
    assert await ids(created_to=(now - timedelta(hours=1)).isoformat()) == set()


@pytest.mark.parametrize(
    ("params", "field", "rule"),
    [
        ({"status": "lost"}, "status", "enum"),
        ({"limit": "0"}, "limit", "greater_than_equal"),
        ({"limit": "201"}, "limit", "less_than_equal"),
        ({"created_from": "2026-03-01T10:00:00"}, "created_from", "timezone_aware"),
        ({"created_to": "yesterday"}, "created_to", "datetime_from_date_parsing"),
        ({"cursor": "not-a-cursor"}, "cursor", "format"),
    ],
)
async def test_bad_list_parameters_are_422_by_name(
    client: httpx.AsyncClient, params: dict[str, str], field: str, rule: str
) -> None:
    response = await client.get("/v1/orders", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert [(e["field"], e["rule"]) for e in errors] == [(field, rule)]


async def test_one_order_shows_its_history_and_pending_work(client: httpx.AsyncClient) -> None:
    (order_id,) = await _create(client, 1)
    order = (await client.get(f"/v1/orders/{order_id}")).json()
    assert order["status"] == "accepted"
    assert order["carrier_account"] == "royal-mail"
    assert order["pending_action"] == "submit"
    assert order["attempts"] == []
    assert [(h["from"], h["to"]) for h in order["history"]] == [(None, "accepted")]
    assert order["has_label"] is False
    assert order["label_url"] is None


async def test_an_unknown_order_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/orders/ord_nope")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


async def test_the_label_is_404_until_stored_then_served_inline(
    client: httpx.AsyncClient, hub: HubContext
) -> None:
    (order_id,) = await _create(client, 1)
    missing = await client.get(f"/v1/orders/{order_id}/label")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"

    set_status(hub, order_id, ShipmentStatus.LABEL_READY, carrier_order_id="1001")
    store_label(hub, order_id, b"%PDF-1.7 label", "application/pdf")
    order = (await client.get(f"/v1/orders/{order_id}")).json()
    assert order["label_url"] == f"http://testserver/v1/orders/{order_id}/label"

    label = await client.get(order["label_url"])
    assert label.status_code == 200
    assert label.content == b"%PDF-1.7 label"
    assert label.headers["content-type"] == "application/pdf"
    assert label.headers["content-disposition"] == f'inline; filename="{order["reference"]}.pdf"'


async def test_cancel_before_submission_is_done_at_once(
    client: httpx.AsyncClient, hub: HubContext
) -> None:
    (order_id,) = await _create(client, 1)
    response = await client.post(f"/v1/orders/{order_id}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancelled_at"] is not None
    again = await client.post(f"/v1/orders/{order_id}/cancel")
    assert again.status_code == 200
    # A cancelled order never leaves.
    despatch = await client.post(f"/v1/orders/{order_id}/despatch")
    assert despatch.status_code == 409


async def test_despatch_before_the_carrier_has_it_is_409(
    client: httpx.AsyncClient, hub: HubContext
) -> None:
    (order_id,) = await _create(client, 1)
    before = row_counts(hub)
    response = await client.post(f"/v1/orders/{order_id}/despatch")
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert row_counts(hub) == before
    assert (await client.get(f"/v1/orders/{order_id}")).json()["status"] == "accepted"


async def test_actions_at_the_carrier_are_202_until_the_worker_has_done_them(
    client: httpx.AsyncClient, hub: HubContext
) -> None:
    to_cancel, to_despatch = await _create(client, 2)
    set_status(hub, to_cancel, ShipmentStatus.SUBMITTED, carrier_order_id="1001")
    set_status(hub, to_despatch, ShipmentStatus.LABEL_READY, carrier_order_id="1002")

    cancel = await client.post(f"/v1/orders/{to_cancel}/cancel")
    assert cancel.status_code == 202
    assert (cancel.json()["status"], cancel.json()["pending_action"]) == ("submitted", "cancel")

    despatch = await client.post(f"/v1/orders/{to_despatch}/despatch")
    assert despatch.status_code == 202
    assert despatch.json()["pending_action"] == "despatch"
    # Asking twice queues the work once.
    jobs = row_counts(hub)["jobs"]
    assert (await client.post(f"/v1/orders/{to_despatch}/despatch")).status_code == 202
    assert row_counts(hub)["jobs"] == jobs


async def test_despatch_of_a_despatched_order_is_200_and_cancel_is_409(
    client: httpx.AsyncClient, hub: HubContext
) -> None:
    (order_id,) = await _create(client, 1)
    set_status(hub, order_id, ShipmentStatus.DESPATCHED, carrier_order_id="1001")
    assert (await client.post(f"/v1/orders/{order_id}/despatch")).status_code == 200
    cancel = await client.post(f"/v1/orders/{order_id}/cancel")
    assert cancel.status_code == 409
    assert "despatched" in cancel.json()["detail"]
