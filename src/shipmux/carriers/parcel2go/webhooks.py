"""Parcel2Go webhooks: check the signature and the age, then read the event. No I/O.

Every webhook is one JSON envelope ``{Id, Timestamp, Signature, Type, Payload}`` (seed,
"Webhook format"). The signature is the lowercase hex HMAC-SHA256, keyed by the secret
given to Parcel2Go, of ``Id:Timestamp:Type`` with the timestamp written
``yyyy-MM-dd HH:mm:ss`` (seed, "Verifying webhooks"; ADR 0006 §11: in UTC).

Only those three fields are signed: the ``Payload`` is not, so a captured envelope could
carry another payload. Callers dedupe on ``event_id`` and treat the payload as a hint
to re-read (``track``), not as proof.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pydantic

from shipmux.carriers.base import CarrierWebhook, CaseUpdate, TrackingEvent, WebhookRequest
from shipmux.carriers.errors import WebhookRejected
from shipmux.carriers.parcel2go import schemas as wire
from shipmux.carriers.parcel2go.settings import Parcel2GoSettings
from shipmux.carriers.parcel2go.statuses import stage_of

__all__ = [
    "DEFAULT_WINDOW",
    "envelope",
    "read_webhook",
    "signature_for",
    "signed_text",
    "verify_and_parse",
]

# How far a webhook's timestamp may be from our clock, either way. Parcel2Go names none;
# the seed asks to discard webhooks "outside of a sensible time range".
DEFAULT_WINDOW = timedelta(minutes=15)

_SIGNED_FORMAT = "%Y-%m-%d %H:%M:%S"
# The date and time digits of an ISO timestamp, read without any zone conversion.
_DIGITS = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})")
_HEX = re.compile(r"^[0-9a-fA-F]{64}$")


def read_webhook(
    request: WebhookRequest, settings: Parcel2GoSettings, now: datetime
) -> CarrierWebhook:
    """The registry's entry point: verify the body with the account's webhook secret."""
    if settings.webhook_secret is None:
        raise WebhookRejected("no_secret", "the account has no webhook secret to check against")
    return verify_and_parse(request.body, settings.webhook_secret.get_secret_value(), now)


def signed_text(event_id: str, timestamp: datetime | str, event_type: str) -> str:
    """What is signed: ``Id:Timestamp:Type``; a datetime is written in UTC, a str as given."""
    if isinstance(timestamp, datetime):
        timestamp = _as_utc(timestamp).strftime(_SIGNED_FORMAT)
    return f"{event_id}:{timestamp}:{event_type}"


def signature_for(event_id: str, timestamp: datetime | str, event_type: str, secret: str) -> str:
    """The signature Parcel2Go sends for these fields: lowercase hex HMAC-SHA256."""
    text = signed_text(event_id, timestamp, event_type)
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def envelope(
    event_id: str,
    timestamp: datetime,
    event_type: str,
    payload: dict[str, Any],
    secret: str,
) -> bytes:
    """A signed webhook body as Parcel2Go would send it (for tests and the sandbox's peers)."""
    body = {
        "Id": event_id,
        "Timestamp": timestamp.isoformat(),
        "Signature": signature_for(event_id, timestamp, event_type, secret),
        "Type": event_type,
        "Payload": payload,
    }
    return json.dumps(body).encode()


def verify_and_parse(
    body: bytes, secret: str, now: datetime, window: timedelta = DEFAULT_WINDOW
) -> CarrierWebhook:
    """The event in ``body`` once its signature and age are proven; ``WebhookRejected`` if not.

    The signature is accepted over the timestamp in UTC (ADR 0006 §11) or over the raw
    timestamp's own date and time digits (a sender formatting its local time; research
    §4). Both are compared in constant time.
    """
    try:
        sent = wire.WebhookEnvelope.model_validate_json(body)
    except pydantic.ValidationError as exc:
        raise WebhookRejected("malformed", "not a Parcel2Go webhook envelope") from exc
    occurred_at = _parse_time(sent.timestamp, "Timestamp")
    if not _signature_matches(sent, occurred_at, secret):
        raise WebhookRejected("bad_signature", "the signature does not match")
    age = _as_utc(now) - occurred_at
    if age > window:
        raise WebhookRejected("stale", f"sent {age} ago, more than {window}")
    if -age > window:
        raise WebhookRejected("future", f"dated {-age} ahead, more than {window}")
    return CarrierWebhook(
        event_id=sent.id,
        event_type=sent.type,
        sent_at=occurred_at,
        tracking=_tracking(sent.payload, occurred_at) if sent.type == "Tracking" else None,
        case=_case(sent.payload) if sent.type == "Case" else None,
    )


def _signature_matches(sent: wire.WebhookEnvelope, occurred_at: datetime, secret: str) -> bool:
    given = sent.signature.strip()
    if not _HEX.match(given):
        return False
    forms = {occurred_at.strftime(_SIGNED_FORMAT)}
    if m := _DIGITS.match(sent.timestamp.strip()):
        forms.add(f"{m.group(1)} {m.group(2)}")
    matched = False
    for form in sorted(forms):
        expected = signature_for(sent.id, form, sent.type, secret)
        # Every form is compared, so the time taken does not tell which one matched.
        matched |= hmac.compare_digest(expected, given.lower())
    return matched


def _as_utc(moment: datetime) -> datetime:
    # A time without a zone is taken as UTC, as ADR 0006 §11 has Parcel2Go sign it.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _parse_time(raw: object, name: str) -> datetime:
    if not isinstance(raw, str):
        raise WebhookRejected("malformed", f"{name} is not a timestamp")
    try:
        return _as_utc(datetime.fromisoformat(raw.strip()))
    except ValueError:
        raise WebhookRejected("malformed", f"{name} is not a timestamp: {raw[:40]!r}") from None


def _text(payload: dict[str, Any], key: str) -> str | None:
    value = payload.get(key)
    return None if value is None or value == "" else str(value)


def _tracking(payload: dict[str, Any], sent_at: datetime) -> TrackingEvent | None:
    """The Tracking payload as an event; None when its stage is not one we know."""
    line = _text(payload, "OrderLineId")
    if line is None:
        raise WebhookRejected("malformed", "a Tracking payload without OrderLineId")
    stage = stage_of(_text(payload, "TrackingStage"))
    if stage is None:
        return None
    stamp = payload.get("Timestamp")
    return TrackingEvent(
        carrier_shipment_ref=line,
        stage=stage,
        occurred_at=_parse_time(stamp, "Payload.Timestamp") if stamp else sent_at,
        carrier_code=_text(payload, "StatusCode") or "",
        description=_text(payload, "StatusDescription"),
    )


def _case(payload: dict[str, Any]) -> CaseUpdate:
    case_id = _text(payload, "CaseId")
    if case_id is None:
        raise WebhookRejected("malformed", "a Case payload without CaseId")
    return CaseUpdate(
        case_id=case_id,
        case_type=_text(payload, "CaseType"),
        status=_text(payload, "Status"),
        reference=_text(payload, "Reference"),
        customer_reference=_text(payload, "CustomerReference"),
        carrier_shipment_ref=_text(payload, "OrderLineId"),
    )
