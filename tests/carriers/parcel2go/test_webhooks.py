"""Webhook signatures and parsing: the seed's own example, the time window, the payloads."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from shipmux.carriers.base import TrackingStage
from shipmux.carriers.errors import WebhookRejected
from shipmux.carriers.parcel2go.webhooks import (
    envelope,
    signature_for,
    verify_and_parse,
)

SECRET = "abcd"
SENT = datetime(2026, 3, 2, 10, 20, 30, tzinfo=UTC)
EVENT_ID = "e0363b4a-aead-4dd5-bcc5-73793ad49974"


def body(**fields: Any) -> bytes:
    values: dict[str, Any] = {
        "Id": EVENT_ID,
        "Timestamp": "2026-03-02T10:20:30.1234567+00:00",
        "Type": "Case",
        "Payload": {"CaseId": "12345", "OrderLineId": "1234"},
    }
    values.update(fields)
    # Signed over the defaults: a field overridden afterwards is a field changed in transit.
    values.setdefault("Signature", signature_for(EVENT_ID, SENT, "Case", SECRET))
    return json.dumps(values).encode()


def test_the_seeds_own_example_signs_as_hmac_sha256_of_id_timestamp_type() -> None:
    text = "33bb3c63-c2ec-4b69-8db3-301fa8cfe024:2018-01-01 00:00:00:Case"
    expected = hmac.new(b"abcd", text.encode(), hashlib.sha256).hexdigest()
    # The seed's `new DateTime(2018,01,01)` has no zone; a naive time is signed as UTC.
    seed_time = datetime(2018, 1, 1)  # noqa: DTZ001
    got = signature_for("33bb3c63-c2ec-4b69-8db3-301fa8cfe024", seed_time, "Case", "abcd")
    assert got == expected
    assert got == got.lower()
    assert len(got) == 64


def test_the_seeds_example_verifies_within_the_window() -> None:
    sent = datetime(2018, 1, 1, tzinfo=UTC)
    raw = envelope("33bb3c63-c2ec-4b69-8db3-301fa8cfe024", sent, "Case", {"CaseId": 1}, "abcd")
    event = verify_and_parse(raw, "abcd", now=sent + timedelta(minutes=14))
    assert event.event_id == "33bb3c63-c2ec-4b69-8db3-301fa8cfe024"
    assert event.event_type == "Case"
    assert event.sent_at == sent


def test_a_signature_over_another_secret_is_rejected() -> None:
    with pytest.raises(WebhookRejected) as caught:
        verify_and_parse(body(), "other-secret", now=SENT)
    assert caught.value.reason == "bad_signature"


@pytest.mark.parametrize("field", ["Id", "Type"])
def test_changing_a_signed_field_breaks_the_signature(field: str) -> None:
    with pytest.raises(WebhookRejected) as caught:
        verify_and_parse(body(**{field: "Tracking" if field == "Type" else "x"}), SECRET, now=SENT)
    assert caught.value.reason == "bad_signature"


def test_a_changed_second_breaks_the_signature() -> None:
    with pytest.raises(WebhookRejected) as caught:
        verify_and_parse(body(Timestamp="2026-03-02T10:20:31+00:00"), SECRET, now=SENT)
    assert caught.value.reason == "bad_signature"


def test_upper_case_hex_is_accepted() -> None:
    upper = signature_for(EVENT_ID, SENT, "Case", SECRET).upper()
    assert verify_and_parse(body(Signature=upper), SECRET, now=SENT).event_id == EVENT_ID


def test_an_offset_timestamp_is_signed_in_utc() -> None:
    local = SENT.astimezone(timezone(timedelta(hours=2)))
    event = verify_and_parse(body(Timestamp=local.isoformat()), SECRET, now=SENT)
    assert event.sent_at == SENT


def test_the_raw_digits_of_a_local_timestamp_are_accepted_too() -> None:
    # A sender that signs its local wall time: "12:20:30" with a +02:00 offset.
    raw = "2026-03-02T12:20:30+02:00"
    signature = signature_for(EVENT_ID, "2026-03-02 12:20:30", "Case", SECRET)
    event = verify_and_parse(body(Timestamp=raw, Signature=signature), SECRET, now=SENT)
    assert event.sent_at == SENT


@pytest.mark.parametrize(
    ("offset", "reason"), [(timedelta(minutes=16), "stale"), (timedelta(minutes=-16), "future")]
)
def test_a_timestamp_outside_the_window_is_rejected(offset: timedelta, reason: str) -> None:
    with pytest.raises(WebhookRejected) as caught:
        verify_and_parse(body(), SECRET, now=SENT + offset)
    assert caught.value.reason == reason


def test_the_window_can_be_widened() -> None:
    event = verify_and_parse(
        body(), SECRET, now=SENT + timedelta(hours=2), window=timedelta(days=1)
    )
    assert event.event_id == EVENT_ID


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[]",
        json.dumps({"Id": EVENT_ID, "Type": "Case"}).encode(),
        body(Timestamp="yesterday"),
        body(Signature="zz"),
    ],
)
def test_malformed_bodies_are_rejected(raw: bytes) -> None:
    with pytest.raises(WebhookRejected) as caught:
        verify_and_parse(raw, SECRET, now=SENT)
    assert caught.value.reason in {"malformed", "bad_signature"}


def test_a_tracking_payload_becomes_a_tracking_event() -> None:
    payload = {
        "OrderLineId": 1234567,
        "Timestamp": "2026-03-02T09:36:07.4805536+00:00",
        "StatusCode": "ABC",
        "StatusDescription": "Handed to Customer",
        "TrackingStage": "Delivered",
    }
    raw = envelope(EVENT_ID, SENT, "Tracking", payload, SECRET)
    event = verify_and_parse(raw, SECRET, now=SENT)
    assert event.case is None
    assert event.tracking is not None
    assert event.tracking.carrier_shipment_ref == "1234567"
    assert event.tracking.stage is TrackingStage.DELIVERED
    assert event.tracking.occurred_at == datetime(2026, 3, 2, 9, 36, 7, 480553, tzinfo=UTC)
    assert event.tracking.carrier_code == "ABC"
    assert event.tracking.description == "Handed to Customer"


def test_a_tracking_payload_with_an_unknown_stage_carries_no_event() -> None:
    payload = {"OrderLineId": 1, "TrackingStage": "Teleported"}
    event = verify_and_parse(envelope(EVENT_ID, SENT, "Tracking", payload, SECRET), SECRET, SENT)
    assert event.tracking is None


def test_a_case_payload_becomes_a_case_update() -> None:
    payload = {
        "OrderLineId": "1234",
        "CustomerReference": "ab1234",
        "CaseId": 12345,
        "Reference": "ABER343434",
        "Status": "Approved",
        "CaseType": "Claim",
    }
    event = verify_and_parse(envelope(EVENT_ID, SENT, "Case", payload, SECRET), SECRET, SENT)
    assert event.tracking is None
    assert event.case is not None
    assert event.case.case_id == "12345"
    assert event.case.case_type == "Claim"
    assert event.case.status == "Approved"
    assert event.case.reference == "ABER343434"
    assert event.case.customer_reference == "ab1234"
    assert event.case.carrier_shipment_ref == "1234"


def test_a_case_without_its_id_is_malformed() -> None:
    raw = envelope(EVENT_ID, SENT, "Case", {"OrderLineId": "1"}, SECRET)
    with pytest.raises(WebhookRejected) as caught:
        verify_and_parse(raw, SECRET, SENT)
    assert caught.value.reason == "malformed"


def test_other_types_verify_with_no_payload_read() -> None:
    event = verify_and_parse(envelope(EVENT_ID, SENT, "Example", {}, SECRET), SECRET, SENT)
    assert (event.event_type, event.tracking, event.case) == ("Example", None, None)
