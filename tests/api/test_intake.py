"""POST /v1/orders: one order or a batch, idempotency, and every bad input refused whole."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from shipmux.services.context import HubContext
from tests.api.conftest import NOTHING, order_json, row_counts

pytestmark = pytest.mark.anyio

PROBLEM = "application/problem+json"


def _fields(problem: dict[str, Any]) -> dict[str, str]:
    return {e["field"]: e["rule"] for e in problem["errors"]}


def _without(body: dict[str, Any], field: str) -> dict[str, Any]:
    body.pop(field)
    return body


def _with(body: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    target: Any = body
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return body


BAD_ORDERS = {
    "missing recipient": (lambda: _without(order_json(), "recipient"), "recipient", "missing"),
    "reference over Click & Drop's 40": (
        lambda: order_json(reference="R" * 41),
        "reference",
        "max_length",
    ),
    "weight 0 g": (
        lambda: _with(order_json(), ("packages", 0, "weight_grams"), 0),
        "packages[0].weight_grams",
        "greater_than",
    ),
    "weight 40 000 g": (
        lambda: _with(order_json(), ("packages", 0, "weight_grams"), 40_000),
        "packages[0].weight_grams",
        "max_weight",
    ),
    "country XX": (
        lambda: _with(order_json(), ("recipient", "country"), "XX"),
        "recipient.country",
        "value_error",
    ),
}


@pytest.mark.parametrize("case", BAD_ORDERS.values(), ids=BAD_ORDERS.keys())
async def test_a_bad_order_is_refused_naming_its_field_and_nothing_is_written(
    client: httpx.AsyncClient, hub: HubContext, case: tuple[Any, str, str]
) -> None:
    build, field, rule = case
    response = await client.post("/v1/orders", json=build())
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["code"] == "validation_failed"
    assert _fields(problem)[field] == rule
    assert field in problem["detail"]
    assert row_counts(hub) == NOTHING


async def test_every_offending_field_is_named_at_once(
    client: httpx.AsyncClient, hub: HubContext
) -> None:
    body = _with(order_json(reference="R" * 41), ("recipient", "country"), "XX")
    body["packages"] = [{"weight_grams": 0}, {"weight_grams": 40_000}]
    response = await client.post("/v1/orders", json=body)
    assert response.status_code == 422
    fields = _fields(response.json())
    # Schema errors come first: the carrier limits are checked on an order that parses.
    assert {"recipient.country", "packages[0].weight_grams"} <= set(fields)
    assert row_counts(hub) == NOTHING


async def test_malformed_json_is_a_400_naming_line_and_column(
    client: httpx.AsyncClient, hub: HubContext
) -> None:
    response = await client.post(
        "/v1/orders",
        content=b'{"reference": "A-1",\n  "recipient": {,}}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "malformed_json"
    assert (problem["line"], problem["column"]) == (2, 17)
    assert "line 2, column 17" in problem["detail"]
    assert row_counts(hub) == NOTHING


@pytest.mark.parametrize("raw", [b"", b"NaN", b"\xff\xfe\x00", b"[" * 100_000])
async def test_other_non_json_bodies_are_400(client: httpx.AsyncClient, raw: bytes) -> None:
    response = await client.post("/v1/orders", content=raw)
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"


@pytest.mark.parametrize("body", [[], "order", 3])
async def test_a_body_that_is_not_an_object_is_422(client: httpx.AsyncClient, body: object) -> None:
    response = await client.post("/v1/orders", json=body)
    assert response.status_code == 422
    assert _fields(response.json()) == {"body": "type"}


async def test_create_answers_201_with_a_link(client: httpx.AsyncClient, hub: HubContext) -> None:
    body = order_json()
    response = await client.post("/v1/orders", json=body)
    assert response.status_code == 201
    answer = response.json()
    assert answer["outcome"] == "created"
    assert answer["status"] == "accepted"
    assert answer["reference"] == body["reference"]
    assert answer["links"]["self"] == f"http://testserver/v1/orders/{answer['order_id']}"
    assert response.headers["location"] == answer["links"]["self"]
    assert row_counts(hub) == {"orders": 1, "shipments": 1, "jobs": 1}


async def test_same_reference_updates_before_submission_and_identical_is_existing(
    client: httpx.AsyncClient, hub: HubContext
) -> None:
    body = order_json()
    created = (await client.post("/v1/orders", json=body)).json()

    body["notes"] = "leave with the neighbour"
    updated = await client.post("/v1/orders", json=body)
    assert updated.status_code == 200
    assert updated.json()["outcome"] == "updated"
    assert updated.json()["order_id"] == created["order_id"]

    again = await client.post("/v1/orders", json=body)
    assert again.status_code == 200
    assert again.json()["outcome"] == "existing"
    assert row_counts(hub) == {"orders": 1, "shipments": 1, "jobs": 1}
    stored = (await client.get(f"/v1/orders/{created['order_id']}")).json()
    assert stored["order"]["notes"] == "leave with the neighbour"


async def test_idempotency_key_replays_the_answer_and_refuses_another_body(
    client: httpx.AsyncClient, hub: HubContext
) -> None:
    body = order_json()
    key = {"Idempotency-Key": "create-1"}
    first = await client.post("/v1/orders", json=body, headers=key)
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers

    # The same JSON spaced and ordered differently is the same request.
    same = json.dumps(body, indent=2, sort_keys=True).encode()
    replay = await client.post(
        "/v1/orders", content=same, headers={**key, "Content-Type": "application/json"}
    )
    assert replay.status_code == 201
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()

    other = await client.post("/v1/orders", json={**body, "notes": "changed"}, headers=key)
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_reused"
    assert row_counts(hub) == {"orders": 1, "shipments": 1, "jobs": 1}


async def test_idempotency_key_replays_a_rejection_too(client: httpx.AsyncClient) -> None:
    body = order_json(reference="R" * 41)
    key = {"Idempotency-Key": "bad-1"}
    first = await client.post("/v1/orders", json=body, headers=key)
    replay = await client.post("/v1/orders", json=body, headers=key)
    assert first.status_code == replay.status_code == 422
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json()["errors"] == first.json()["errors"]


@pytest.mark.parametrize("key", ["", "k" * 256])
async def test_idempotency_key_length_is_checked(
    client: httpx.AsyncClient, hub: HubContext, key: str
) -> None:
    response = await client.post("/v1/orders", json=order_json(), headers={"Idempotency-Key": key})
    assert response.status_code == 422
    assert "Idempotency-Key" in _fields(response.json())
    assert row_counts(hub) == NOTHING


async def test_a_batch_stores_the_good_orders_and_names_the_bad(
    client: httpx.AsyncClient, hub: HubContext
) -> None:
    good = [order_json(), order_json()]
    bad = _with(order_json(), ("recipient", "country"), "XX")
    response = await client.post("/v1/orders", json={"orders": [good[0], bad, good[1]]})
    assert response.status_code == 200
    answer = response.json()
    assert (answer["success_count"], answer["error_count"]) == (2, 1)
    by_index = {r["index"]: r for r in answer["results"]}
    assert by_index[0]["outcome"] == by_index[2]["outcome"] == "created"
    assert by_index[1]["outcome"] == "rejected"
    assert by_index[1]["reference"] == bad["reference"]
    assert by_index[1]["order_id"] is None
    assert [e["field"] for e in by_index[1]["errors"]] == ["recipient.country"]
    assert row_counts(hub) == {"orders": 2, "shipments": 2, "jobs": 2}


async def test_a_batch_with_every_order_rejected_is_422_with_the_detail(
    client: httpx.AsyncClient, hub: HubContext
) -> None:
    bad = [order_json(reference="R" * 41), _without(order_json(), "packages")]
    response = await client.post("/v1/orders", json={"orders": bad})
    assert response.status_code == 422
    problem = response.json()
    assert _fields(problem) == {
        "orders[0].reference": "max_length",
        "orders[1].packages": "missing",
    }
    assert [r["outcome"] for r in problem["results"]] == ["rejected", "rejected"]
    assert problem["error_count"] == 2
    assert row_counts(hub) == NOTHING


async def test_a_batch_of_501_is_refused_whole(client: httpx.AsyncClient, hub: HubContext) -> None:
    order = order_json()
    response = await client.post("/v1/orders", json={"orders": [order] * 501})
    assert response.status_code == 422
    assert _fields(response.json()) == {"orders": "max_items"}
    assert row_counts(hub) == NOTHING


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"orders": []}, {"orders": "min_items"}),
        ({"orders": {}}, {"orders": "type"}),
        ({"orders": [{}], "extra": 1}, {"extra": "extra_forbidden"}),
    ],
)
async def test_a_bad_batch_envelope_is_422(
    client: httpx.AsyncClient, hub: HubContext, body: object, fields: dict[str, str]
) -> None:
    response = await client.post("/v1/orders", json=body)
    assert response.status_code == 422
    assert _fields(response.json()) == fields
    assert row_counts(hub) == NOTHING


async def test_money_keeps_the_digits_sent(client: httpx.AsyncClient) -> None:
    body = order_json()
    raw = json.dumps(body).replace('"21.20"', "21.20").replace('"15.00"', "15.00").encode()
    response = await client.post("/v1/orders", content=raw)
    assert response.status_code == 201
    stored = (await client.get(f"/v1/orders/{response.json()['order_id']}")).json()
    assert (stored["order"]["total"], stored["order"]["subtotal"]) == ("21.20", "15.00")
