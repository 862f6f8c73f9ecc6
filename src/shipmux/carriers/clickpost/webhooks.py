"""Clickpost webhooks: check the key header, then read the status. No I/O.

Clickpost signs nothing (research §2.6). Each webhook carries the header
``webhook_key: <key from registration>``, or, with "basic token auth" set on the
dashboard, ``Authorization: <the token entered there>``. The account's ``webhook_auth``
says which; the value is compared in constant time with its ``webhook_key``. An account
without a key refuses every webhook.

Clickpost resends a status (up to three times, and re-triggers the latest one), so the
event id is stable: the guidelines' ``order_status_id`` when sent, else a hash of the
waybill, the status code and the scan time. A repeat is answered 200 and changes nothing
(the registry entry has ``refuse_replays=False``). Age is not judged here: a late
webhook is still a fact; ``sent_at`` (``latest_time_stamp``, else the latest status's
time) lets the hub skip notifying on one older than a day, as the guidelines ask.

Reasons: ``no_secret`` (the account has no key), ``bad_signature`` (header missing or
wrong), ``malformed`` (not a Clickpost status payload).
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pydantic

from shipmux.carriers.base import CarrierWebhook, TrackingEvent, WebhookRequest
from shipmux.carriers.clickpost import schemas as wire
from shipmux.carriers.clickpost.mapping import event_hash, parse_time
from shipmux.carriers.clickpost.settings import ClickpostSettings
from shipmux.carriers.clickpost.statuses import stage_of
from shipmux.carriers.errors import WebhookRejected

if TYPE_CHECKING:  # the connector imports this module
    from shipmux.carriers.clickpost import Clickpost

__all__ = ["EVENT_TYPE", "authenticate", "parse", "read_webhook", "register_webhook"]

EVENT_TYPE = "status"

# Header names as WebhookRequest gives them (lower-cased). Some proxies rewrite the
# underscore of ``webhook_key`` to a dash; both are read.
_KEY_HEADERS = ("webhook_key", "webhook-key")


def read_webhook(
    request: WebhookRequest, settings: ClickpostSettings, now: datetime
) -> CarrierWebhook:
    """The registry's entry point: authenticate by the account's header, then parse."""
    authenticate(request, settings)
    return parse(request.body, now, settings.naive_timezone)


def authenticate(request: WebhookRequest, settings: ClickpostSettings) -> None:
    """Raise ``WebhookRejected`` unless the configured header carries the account's key."""
    if settings.webhook_key is None or not settings.webhook_key.get_secret_value():
        raise WebhookRejected("no_secret", "the account has no webhook key to check against")
    headers = {k.lower(): v for k, v in request.headers.items()}
    if settings.webhook_auth == "authorization":
        given = headers.get("authorization")
        name = "Authorization"
    else:
        given = next((headers[h] for h in _KEY_HEADERS if h in headers), None)
        name = "webhook_key"
    if given is None:
        raise WebhookRejected("bad_signature", f"no {name} header")
    expected = settings.webhook_key.get_secret_value().encode()
    if not hmac.compare_digest(given.strip().encode(), expected):
        raise WebhookRejected("bad_signature", f"the {name} header does not match")


def parse(body: bytes, now: datetime, naive_zone: str = "Asia/Kolkata") -> CarrierWebhook:
    """The status in a Clickpost webhook body, in our terms.

    ``tracking`` is None when the code is one we do not map, or when the webhook names
    no waybill (a returns-platform "Return Order Placed"): nothing to apply, still 200.
    """
    try:
        sent = wire.WebhookPayload.model_validate_json(body)
    except pydantic.ValidationError as exc:
        raise WebhookRejected("malformed", "not a Clickpost status webhook") from exc
    code = sent.clickpost_status_code
    if code is None:
        raise WebhookRejected("malformed", "no clickpost_status_code")
    occurred_at = parse_time(sent.timestamp, naive_zone)
    if sent.timestamp and occurred_at is None:
        raise WebhookRejected("malformed", f"timestamp is not a time: {sent.timestamp[:40]!r}")
    latest = sent.additional.latest_status if sent.additional else None
    sent_at = (
        parse_time(sent.latest_time_stamp, naive_zone)
        or parse_time(latest.timestamp if latest else None, naive_zone)
        or occurred_at
        or now.astimezone(UTC)
    )
    event_id = sent.order_status_id or event_hash(sent.waybill or "", code, sent.timestamp)
    stage = stage_of(code)
    tracking = None
    if sent.waybill and stage is not None:
        tracking = TrackingEvent(
            carrier_shipment_ref=sent.waybill,
            stage=stage,
            occurred_at=occurred_at or sent_at,
            carrier_code=str(code),
            description=sent.remark or sent.status or sent.clickpost_status_description,
            location=sent.location,
        )
    return CarrierWebhook(
        event_id=event_id, event_type=EVENT_TYPE, sent_at=sent_at, tracking=tracking
    )


async def register_webhook(connector: Clickpost, url: str) -> dict[str, str]:
    """Register ``url`` with Clickpost (moving an existing one); the key to store."""
    key = await connector.register_webhook(url)
    return {"webhook_key": key} if key else {}
