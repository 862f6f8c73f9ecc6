"""register-webhook POST/PUT and tracking webhooks to a live receiver."""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.sandboxes.clickpost.conftest import (
    Account,
    Receiver,
    advance,
    create,
    new_reference,
    v3_body,
)


def _register(
    api: httpx.Client, account: Account, url: str, method: str = "POST"
) -> dict[str, Any]:
    body = {"service_id": 2, "key": account.key, "webhook_url": url}
    response = api.request(
        method, "/v1/tracking/register-webhook/", params={"username": account.username}, json=body
    )
    assert response.status_code == 200
    return dict(response.json())


def _fast_webhooks(control: httpx.Client, **webhooks: Any) -> None:
    settings = {"tracking_step_seconds": 60, "webhooks": {"retry_interval_seconds": 0, **webhooks}}
    control.put("/settings", json=settings).raise_for_status()


def test_register_webhook_post_put_and_their_refusals(
    api: httpx.Client, account: Account, receiver: Receiver
) -> None:
    create(api, account, v3_body(new_reference()))  # provisions the account
    early_put = _register(api, account, receiver.url, method="PUT")
    assert early_put["status_code"] == 327
    assert early_put["meta"]["status"] == 327
    first = _register(api, account, receiver.url)
    assert first["status_code"] == 200
    assert first["success"] is True
    assert first["webhook_key"]
    assert first["result"]["webhook_key"] == first["webhook_key"]
    assert _register(api, account, receiver.url)["status_code"] == 305
    updated = _register(api, account, receiver.url + "?v=2", method="PUT")
    assert updated["status_code"] == 200
    assert updated["webhook_key"] == first["webhook_key"]
    wrong = _register(api, Account(username=account.username), receiver.url)
    assert wrong["status_code"] == 301


def test_every_status_is_posted_with_the_webhook_key_header(
    api: httpx.Client, control: httpx.Client, account: Account, receiver: Receiver
) -> None:
    _fast_webhooks(control)
    reference = new_reference()
    waybill = create(api, account, v3_body(reference))["result"]["waybill"]
    webhook_key = _register(api, account, receiver.url)["webhook_key"]
    receiver.wait_for(lambda r: len(r.calls) == 1)
    advance(control, 5 * 60)
    receiver.wait_for(lambda r: len(r.calls) == 6)
    codes = [body["clickpost_status_code"] for body in receiver.bodies()]
    assert codes == [1, 2, 4, 5, 6, 8]
    headers, body = receiver.calls[-1]
    assert headers["webhook_key"] == webhook_key
    assert body["waybill"] == waybill
    assert body["cp_id"] == 3
    assert body["clickpost_status_description"] == "Delivered"
    assert set(body) >= {"status", "remark", "location", "timestamp", "order_status_id"}
    latest = body["additional"]["latest_status"]
    assert latest["reference_number"] == reference
    assert latest["clickpost_status_bucket"] == 6
    # The five sent together all carry the same (latest) status.
    assert {
        b["additional"]["latest_status"]["clickpost_status_code"] for b in receiver.bodies()[1:]
    } == {8}
    assert len({b["order_status_id"] for b in receiver.bodies()}) == 6
    log = control.get("/webhooks").json()
    assert len(log["delivered"]) == 6
    assert not log["pending"]


def test_basic_token_auth_sends_authorization(
    api: httpx.Client, control: httpx.Client, account: Account, receiver: Receiver
) -> None:
    _fast_webhooks(control)
    control.put(
        f"/accounts/{account.username}",
        json={
            "webhook_url": receiver.url,
            "webhook_auth": "basic_token",
            "webhook_token": "Token s3",
        },
    ).raise_for_status()
    create(api, account, v3_body(new_reference()))
    receiver.wait_for(lambda r: len(r.calls) == 1)
    headers = receiver.calls[0][0]
    assert headers["authorization"] == "Token s3"
    assert "webhook_key" not in headers


def test_a_failing_receiver_gets_at_most_three_tries(
    api: httpx.Client, control: httpx.Client, account: Account, receiver: Receiver
) -> None:
    _fast_webhooks(control)
    receiver.reply_status = 500
    control.put(
        f"/accounts/{account.username}", json={"webhook_url": receiver.url, "webhook_key": "k-123"}
    )
    create(api, account, v3_body(new_reference()))
    receiver.wait_for(lambda r: len(r.calls) >= 3)
    time.sleep(0.6)  # a few more delivery passes: no fourth try may come
    control.post("/webhooks/flush").raise_for_status()
    assert len(receiver.calls) == 3
    assert {headers["webhook_key"] for headers, _ in receiver.calls} == {"k-123"}
    log = control.get("/webhooks").json()
    assert len(log["abandoned"]) == 1
    assert [a["attempt"] for a in log["attempts"]] == [1, 2, 3]


def test_duplicates_and_out_of_order_options(
    api: httpx.Client, control: httpx.Client, account: Account, receiver: Receiver
) -> None:
    _fast_webhooks(control, duplicate=True, out_of_order=True)
    control.put(f"/accounts/{account.username}", json={"webhook_url": receiver.url})
    create(api, account, v3_body(new_reference()))
    advance(control, 5 * 60)
    receiver.wait_for(lambda r: len(r.calls) == 12)
    ids = [body["order_status_id"] for body in receiver.bodies()]
    assert sorted(set(ids)) == sorted(ids[::2])
    assert len(set(ids)) == 6
    assert all(ids[i] == ids[i + 1] for i in range(0, 12, 2))  # each sent twice in a row
    codes = [body["clickpost_status_code"] for body in receiver.bodies()[::2]]
    assert codes != sorted(codes)
    assert sorted(codes) == [1, 2, 4, 5, 6, 8]


def test_selected_status_service_sends_only_notification_events(
    api: httpx.Client, control: httpx.Client, account: Account, receiver: Receiver
) -> None:
    _fast_webhooks(control)
    control.put(
        f"/accounts/{account.username}", json={"webhook_url": receiver.url, "service_id": 15}
    )
    create(api, account, v3_body(new_reference()))
    advance(control, 5 * 60)
    receiver.wait_for(lambda r: len(r.calls) == 4)
    time.sleep(0.3)
    events = [
        (b["clickpost_status_code"], b["additional"]["notification_event_id"])
        for b in receiver.bodies()
    ]
    assert events == [(4, 2), (5, 2), (6, 3), (8, 5)]
