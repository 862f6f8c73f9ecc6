"""PrePay: balance draw-down, double charges, refusals, lost answers (ADR 0006 §8)."""

from __future__ import annotations

import httpx
import pytest

from tests.sandboxes.parcel2go.factories import create_order, order_body, pay


def charges(control: httpx.Client, order_id: str) -> list[dict[str, object]]:
    orders = control.get("/orders").json()["orders"]
    return next(o["charges"] for o in orders if str(o["OrderId"]) == order_id)


def test_paying_draws_the_balance_and_answers_links(
    api: httpx.Client, control: httpx.Client
) -> None:
    before = api.get("/prepay").json()
    assert before == 9800
    order = create_order(api)
    response = pay(api, order)
    assert response.status_code == 200
    links = {link["Name"]: link["Link"] for link in response.json()["Links"]}
    assert "labels-a4" in links
    assert api.get("/prepay").json() == pytest.approx(before - order["TotalPrice"])
    assert len(charges(control, order["OrderId"])) == 1


def test_paying_twice_charges_twice(api: httpx.Client, control: httpx.Client) -> None:
    order = create_order(api)
    before = api.get("/prepay").json()
    assert pay(api, order).status_code == 200
    assert pay(api, order).status_code == 200
    assert api.get("/prepay").json() == pytest.approx(before - 2 * order["TotalPrice"])
    assert len(charges(control, order["OrderId"])) == 2


def test_insufficient_funds(api: httpx.Client, control: httpx.Client, client_id: str) -> None:
    control.put(f"/accounts/{client_id}", json={"balance": "1.00"}).raise_for_status()
    order = create_order(api)
    response = pay(api, order)
    assert response.status_code == 400
    (error,) = response.json()["Errors"]
    assert error["Name"] == "InsufficientFunds"
    assert error["Description"]
    assert api.get("/prepay").json() == 1  # never negative, nothing taken
    assert charges(control, order["OrderId"]) == []


def test_prepay_not_enabled_is_403(
    api: httpx.Client, control: httpx.Client, client_id: str
) -> None:
    control.put(f"/accounts/{client_id}", json={"prepay_enabled": False}).raise_for_status()
    assert api.get("/prepay").status_code == 403
    assert pay(api, create_order(api)).status_code == 403


def test_wrong_hash_cannot_pay(api: httpx.Client) -> None:
    order = create_order(api)
    response = api.post(f"/orders/{order['OrderId']}/paywithprepay", params={"hash": "nope"})
    assert response.status_code == 403


def test_commit_then_timeout_on_pay_charges_once_and_withholds_the_answer(
    root: str, api: httpx.Client, control: httpx.Client
) -> None:
    order = create_order(api)
    control.put("/faults", json={"commit_then_timeout_rate": 1.0, "hang_seconds": 1.5})
    with pytest.raises(httpx.ReadTimeout):
        api.post(f"/orders/{order['OrderId']}/paywithprepay", params={"hash": order["Hash"]},
                 timeout=0.4)  # fmt: skip
    control.put("/faults", json={}).raise_for_status()
    read = api.get("/orders", params={"orderId": order["OrderId"], "hash": order["Hash"]})
    assert read.json()["PaidDate"] is not None
    assert len(charges(control, order["OrderId"])) == 1


def test_commit_then_timeout_on_create_stores_the_order(
    api: httpx.Client, control: httpx.Client
) -> None:
    control.put("/faults", json={"commit_then_timeout_rate": 1.0, "hang_seconds": 1.5})
    with pytest.raises(httpx.ReadTimeout):
        api.post("/orders", json=order_body(reference="LOST-ANSWER"), timeout=0.4)
    control.put("/faults", json={}).raise_for_status()
    history = api.get("/me/orders/detail").json()
    assert history["Orders"][0]["Items"][0]["Reference"] == "LOST-ANSWER"
