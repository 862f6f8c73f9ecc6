"""Sendcloud webhook signatures and parsing: the spec's own vector, raw bytes, age, ids."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from shipmux.carriers.base import TrackingStage, WebhookRequest
from shipmux.carriers.errors import WebhookRejected
from shipmux.carriers.sendcloud import SendcloudSettings
from shipmux.carriers.sendcloud.webhooks import read_webhook, sign, verify_and_parse

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
SPEC_DIGEST = "1eed4b3d41f4653ac64fd56f1bf1cbfd349e4482cbc11dff7134bd93e5da4b0a"


def test_the_specs_vector_signs_the_raw_bytes() -> None:
    assert sign(b'{"key": "value"}', "secretkey") == SPEC_DIGEST
    assert sign(b'{"key":"value"}', "secretkey") != SPEC_DIGEST


def test_the_specs_vector_passes_the_signature_check_and_the_compact_form_fails() -> None:
    # The vector has no action: it gets past the signature and is then malformed, while the
    # re-serialised body is refused at the signature.
    with pytest.raises(WebhookRejected) as spaced:
        verify_and_parse(b'{"key": "value"}', SPEC_DIGEST, ["secretkey"], NOW)
    assert spaced.value.reason == "malformed"
    with pytest.raises(WebhookRejected) as compact:
        verify_and_parse(b'{"key":"value"}', SPEC_DIGEST, ["secretkey"], NOW)
    assert compact.value.reason == "bad_signature"


def settings(**overrides: object) -> SendcloudSettings:
    return SendcloudSettings.for_sandbox(
        "http://sandbox", secret_key=SecretStr("s3cret-key"), **overrides
    )


def body(timestamp: float, status_id: int = 11, parcel_id: int = 4242) -> bytes:
    payload = {
        "action": "parcel_status_changed",
        "timestamp": timestamp,
        "carrier_status_change_timestamp": timestamp - 60,
        "parcel": {
            "id": parcel_id,
            "tracking_number": "3SYZXG132912330",
            "order_number": "T-0001-abc",
            "status": {"id": status_id, "message": "Delivered"},
        },
    }
    return json.dumps(payload, indent=1).encode()


def request(raw: bytes, key: str = "s3cret-key") -> WebhookRequest:
    return WebhookRequest(body=raw, headers={"Sendcloud-Signature": sign(raw, key)})


def test_parcel_status_changed_is_read_into_a_tracking_event() -> None:
    raw = body(NOW.timestamp() - 30)
    webhook = read_webhook(request(raw), settings(), NOW)
    assert webhook.event_type == "parcel_status_changed"
    assert webhook.sent_at == NOW - timedelta(seconds=30)
    assert webhook.tracking is not None
    assert webhook.tracking.carrier_shipment_ref == "T-0001-abc"
    assert webhook.tracking.stage is TrackingStage.DELIVERED
    assert webhook.tracking.carrier_code == "11"
    assert webhook.tracking.occurred_at == NOW - timedelta(seconds=90)
    assert webhook.tracking.description == "Delivered"


def test_the_event_id_is_stable_across_resends_and_differs_by_status() -> None:
    stamp = NOW.timestamp() - 30
    first = read_webhook(request(body(stamp)), settings(), NOW)
    again = read_webhook(request(body(stamp)), settings(), NOW + timedelta(hours=1))
    other = read_webhook(request(body(stamp, status_id=12)), settings(), NOW)
    assert first.event_id == again.event_id
    assert first.event_id != other.event_id


def test_milliseconds_are_read_as_such() -> None:
    webhook = read_webhook(request(body((NOW.timestamp() - 30) * 1000)), settings(), NOW)
    assert webhook.sent_at == NOW - timedelta(seconds=30)


def test_the_webhook_signing_key_is_accepted_too() -> None:
    raw = body(NOW.timestamp())
    s = settings(webhook_signing_key=SecretStr("rotated-key"))
    assert read_webhook(request(raw, "rotated-key"), s, NOW).tracking is not None
    assert read_webhook(request(raw), s, NOW).tracking is not None


@pytest.mark.parametrize(
    ("raw", "signature", "reason"),
    [
        (body(NOW.timestamp()), None, "bad_signature"),
        (body(NOW.timestamp()), "0" * 64, "bad_signature"),
        (body(NOW.timestamp()), "not hex", "bad_signature"),
        (body(NOW.timestamp() - 2 * 86400), "sign", "stale"),
        (body(NOW.timestamp() + 3600), "sign", "future"),
        (b"[1, 2]", "sign", "malformed"),
    ],
)
def test_refusals(raw: bytes, signature: str | None, reason: str) -> None:
    headers = {}
    if signature is not None:
        headers["sendcloud-signature"] = (
            sign(raw, "s3cret-key") if signature == "sign" else signature
        )
    with pytest.raises(WebhookRejected) as caught:
        read_webhook(WebhookRequest(body=raw, headers=headers), settings(), NOW)
    assert caught.value.reason == reason
    assert "s3cret-key" not in str(caught.value)


def test_the_signature_is_over_the_exact_bytes() -> None:
    raw = body(NOW.timestamp())
    reserialised = json.dumps(json.loads(raw)).encode()
    assert reserialised != raw
    with pytest.raises(WebhookRejected):
        read_webhook(
            WebhookRequest(body=reserialised, headers=request(raw).headers), settings(), NOW
        )
