"""Sendcloud webhooks: check the signature and the age, then read the event. No I/O.

``Sendcloud-Signature`` is the hex HMAC-SHA256 of the **raw body bytes**, keyed with the
integration's secret key (or its Webhook Signature Key, by integration type; research
§1.6). The bytes are never re-serialised: the spec's own vector signs ``{"key": "value"}``
with its space, and the compact form gives another digest. Every configured key is
compared in constant time.

Age: ``timestamp`` (unix seconds, or milliseconds when it is that large) is when the
status changed. Sendcloud retries a failed delivery 10 times, 5 minutes to 1 hour apart,
with the same payload, so the window is wide: a day back, 15 minutes ahead.

Sendcloud sends no event id: ours is a hash of parcel id, status id and timestamp, so a
resend of the same change is the same event (the hub answers 200 and changes nothing).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pydantic

from shipmux.carriers.base import CarrierWebhook, TrackingEvent, WebhookRequest
from shipmux.carriers.errors import WebhookRejected
from shipmux.carriers.sendcloud import schemas as wire
from shipmux.carriers.sendcloud.settings import SendcloudSettings
from shipmux.carriers.sendcloud.statuses import stage_of_id

__all__ = [
    "FUTURE_WINDOW",
    "SIGNATURE_HEADER",
    "STALE_WINDOW",
    "event_id_for",
    "read_webhook",
    "sign",
    "verify_and_parse",
]

SIGNATURE_HEADER = "sendcloud-signature"
STALE_WINDOW = timedelta(hours=24)
FUTURE_WINDOW = timedelta(minutes=15)
# Beyond this a unix timestamp is in milliseconds (1e11 s is the year 5138).
_MILLIS = 1e11


def sign(body: bytes, key: str) -> str:
    """The ``Sendcloud-Signature`` of ``body``: lowercase hex HMAC-SHA256."""
    return hmac.new(key.encode(), body, hashlib.sha256).hexdigest()


def read_webhook(
    request: WebhookRequest, settings: SendcloudSettings, now: datetime
) -> CarrierWebhook:
    """The registry's entry point: verify with the secret key and any webhook signing key."""
    keys = [settings.secret_key.get_secret_value()]
    if settings.webhook_signing_key is not None:
        keys.append(settings.webhook_signing_key.get_secret_value())
    headers = {k.lower(): v for k, v in request.headers.items()}
    return verify_and_parse(request.body, headers.get(SIGNATURE_HEADER), keys, now)


def signature_matches(body: bytes, given: str | None, keys: list[str]) -> bool:
    given = (given or "").strip().lower()
    if len(given) != 64:
        return False
    matched = False
    for key in keys:
        if key:
            # Every key is compared, so the time taken does not tell which one matched.
            matched |= hmac.compare_digest(sign(body, key), given)
    return matched


def event_id_for(parcel_id: str, status_id: int | None, timestamp: float | None) -> str:
    text = f"{parcel_id}:{status_id}:{timestamp!r}"
    return "sc-" + hashlib.sha256(text.encode()).hexdigest()[:32]


def _moment(stamp: float) -> datetime:
    seconds = stamp / 1000 if stamp > _MILLIS else stamp
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise WebhookRejected("malformed", "timestamp is not a unix time") from None


def verify_and_parse(
    body: bytes, signature: str | None, keys: list[str], now: datetime
) -> CarrierWebhook:
    """The event in ``body`` once its signature and age are proven; ``WebhookRejected`` if not."""
    if not signature:
        raise WebhookRejected("bad_signature", "no Sendcloud-Signature header")
    if not signature_matches(body, signature, keys):
        raise WebhookRejected("bad_signature", "the signature does not match")
    try:
        payload = wire.WebhookPayload.model_validate_json(body)
    except pydantic.ValidationError as exc:
        raise WebhookRejected("malformed", "not a Sendcloud webhook body") from exc
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    sent_at = _moment(payload.timestamp) if payload.timestamp is not None else now
    age = now - sent_at
    if age > STALE_WINDOW:
        raise WebhookRejected("stale", f"sent {age} ago, more than {STALE_WINDOW}")
    if -age > FUTURE_WINDOW:
        raise WebhookRejected("future", f"dated {-age} ahead, more than {FUTURE_WINDOW}")
    if payload.action != "parcel_status_changed":
        digest = hashlib.sha256(body).hexdigest()[:32]
        return CarrierWebhook(event_id=f"sc-{digest}", event_type=payload.action, sent_at=sent_at)
    parcel = payload.parcel
    if parcel is None:
        raise WebhookRejected("malformed", "parcel_status_changed without a parcel")
    status_id = parcel.status.id if parcel.status else None
    stage = stage_of_id(status_id)
    occurred = (
        _moment(payload.carrier_status_change_timestamp)
        if payload.carrier_status_change_timestamp
        else sent_at
    )
    tracking = (
        TrackingEvent(
            carrier_shipment_ref=parcel.order_number or parcel.id,
            stage=stage,
            occurred_at=occurred,
            carrier_code="" if status_id is None else str(status_id),
            description=parcel.status.message if parcel.status else None,
        )
        if stage is not None
        else None
    )
    return CarrierWebhook(
        event_id=event_id_for(parcel.id, status_id, payload.timestamp),
        event_type=payload.action,
        sent_at=sent_at,
        tracking=tracking,
    )
