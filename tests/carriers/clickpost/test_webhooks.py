"""Webhooks: the key header checked in constant time, the status read in our terms."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import SecretStr

from shipmux.carriers import registry
from shipmux.carriers.base import TrackingStage, WebhookRequest
from shipmux.carriers.clickpost import ClickpostSettings
from shipmux.carriers.clickpost.webhooks import read_webhook
from shipmux.carriers.errors import WebhookRejected

NOW = datetime(2019, 5, 6, 12, 0, tzinfo=UTC)
KEY = "7e7cc4c4-273d-49ce-90f1-ecc2b69b4e6c"


def settings(**overrides: Any) -> ClickpostSettings:
    return ClickpostSettings.for_sandbox(
        "http://sandbox.test", **({"webhook_key": SecretStr(KEY)} | overrides)
    )


def payload(**overrides: Any) -> dict[str, Any]:
    """The all-status sample of _track.md."""
    body: dict[str, Any] = {
        "additional": {
            "latest_status": {
                "remark": "Shipment is Out for Delivery",
                "clickpost_status_code": 6,
                "reference_number": "WERA-9616974",
                "timestamp": "2019-05-06T10:04:20Z",
                "clickpost_status_bucket_description": "Out for delivery",
                "location": "DEL_GeetaColony",
                "clickpost_status_description": "OutForDelivery",
                "clickpost_status_bucket": 4,
                "status": "OFD",
            },
            "is_rvp": False,
            "courier_partner_edd": "2020-03-25",
            "order_id": "ABC123",
        },
        "remark": "Shipment is Out for Delivery",
        "clickpost_status_description": "OutForDelivery",
        "timestamp": "2019-05-06T10:04:20Z",
        "location": "DEL_GeetaColony",
        "status": "OFD",
        "cp_id": 9,
        "clickpost_status_code": 6,
        "waybill": "SF49245NER",
    }
    return body | overrides


def request(body: dict[str, Any] | bytes, headers: dict[str, str] | None = None) -> WebhookRequest:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return WebhookRequest(body=raw, headers={"webhook_key": KEY} if headers is None else headers)


# --- authentication --------------------------------------------------------------------------


def test_the_right_key_is_accepted_and_the_status_read() -> None:
    webhook = read_webhook(request(payload()), settings(), NOW)
    assert webhook.event_type == "status"
    assert webhook.tracking is not None
    assert webhook.tracking.carrier_shipment_ref == "SF49245NER"
    assert webhook.tracking.stage is TrackingStage.OUT_FOR_DELIVERY
    assert webhook.tracking.carrier_code == "6"
    assert webhook.tracking.occurred_at == datetime(2019, 5, 6, 10, 4, 20, tzinfo=UTC)
    assert webhook.tracking.description == "Shipment is Out for Delivery"
    assert webhook.tracking.location == "DEL_GeetaColony"


@pytest.mark.parametrize(
    "headers",
    [{}, {"authorization": KEY}, {"content-type": "application/json"}],
)
def test_a_missing_key_header_is_refused(headers: dict[str, str]) -> None:
    with pytest.raises(WebhookRejected) as caught:
        read_webhook(request(payload(), headers), settings(), NOW)
    assert caught.value.reason == "bad_signature"


@pytest.mark.parametrize("given", ["wrong", KEY[:-1], KEY + "x", ""])
def test_a_wrong_key_is_refused_without_repeating_it(given: str) -> None:
    with pytest.raises(WebhookRejected) as caught:
        read_webhook(request(payload(), {"webhook_key": given}), settings(), NOW)
    assert caught.value.reason == "bad_signature"
    assert KEY not in str(caught.value)


def test_an_account_without_a_key_refuses_every_webhook() -> None:
    with pytest.raises(WebhookRejected) as caught:
        read_webhook(request(payload()), settings(webhook_key=None), NOW)
    assert caught.value.reason == "no_secret"


def test_basic_token_auth_reads_the_authorization_header() -> None:
    account = settings(webhook_auth="authorization")
    assert read_webhook(request(payload(), {"authorization": KEY}), account, NOW).tracking
    with pytest.raises(WebhookRejected):
        read_webhook(request(payload(), {"webhook_key": KEY}), account, NOW)


def test_a_dashed_header_name_is_read_too() -> None:
    assert read_webhook(request(payload(), {"webhook-key": KEY}), settings(), NOW).tracking


# --- parsing -------------------------------------------------------------------------------


def test_the_event_id_is_clickposts_status_id_when_sent() -> None:
    body = payload(order_status_id=163921399, latest_time_stamp="2019-05-06T11:00:00Z")
    webhook = read_webhook(request(body), settings(), NOW)
    assert webhook.event_id == "163921399"
    assert webhook.sent_at == datetime(2019, 5, 6, 11, 0, tzinfo=UTC)


def test_without_a_status_id_the_event_id_is_stable_and_distinct() -> None:
    first = read_webhook(request(payload()), settings(), NOW).event_id
    again = read_webhook(request(payload(remark="resent")), settings(), NOW).event_id
    other = read_webhook(request(payload(clickpost_status_code=8)), settings(), NOW).event_id
    assert first == again
    assert first != other
    assert first.startswith("cp-")


def test_sent_at_falls_back_to_the_latest_status_time() -> None:
    webhook = read_webhook(request(payload(timestamp="2019-05-06 09:00:00")), settings(), NOW)
    assert webhook.sent_at == datetime(2019, 5, 6, 10, 4, 20, tzinfo=UTC)
    assert webhook.tracking is not None
    # A naive scan time is Indian time.
    assert webhook.tracking.occurred_at == datetime(2019, 5, 6, 3, 30, tzinfo=UTC)


def test_an_unknown_code_is_taken_without_tracking() -> None:
    webhook = read_webhook(request(payload(clickpost_status_code=4242)), settings(), NOW)
    assert webhook.tracking is None
    assert webhook.event_id


def test_a_return_order_without_waybill_is_taken_without_tracking() -> None:
    body = payload(waybill="", clickpost_status_code=101, timestamp="2019-04-29 07:47:07.161221")
    assert read_webhook(request(body), settings(), NOW).tracking is None


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        json.dumps({"waybill": "X"}).encode(),
        json.dumps({"waybill": "X", "clickpost_status_code": 6, "timestamp": "soon"}).encode(),
    ],
)
def test_malformed_bodies_are_refused(body: bytes) -> None:
    with pytest.raises(WebhookRejected) as caught:
        read_webhook(request(body), settings(), NOW)
    assert caught.value.reason == "malformed"


def test_the_registry_answers_repeats_with_200() -> None:
    entry = registry()["clickpost"]
    assert entry.read_webhook is read_webhook
    assert entry.refuse_replays is False
