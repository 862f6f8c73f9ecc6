"""The webhook envelope and its signature (seed "Webhooks", ADR 0006 §11).

The signature is the lowercase hex HMAC-SHA256, keyed by the account's webhook secret,
of ``Id:Timestamp:Type`` with the timestamp written ``yyyy-MM-dd HH:mm:ss`` in UTC. The
payload is not signed; that is the documented scheme, not an omission here.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import UTC, datetime
from typing import Any


def signed_text(event_id: str, timestamp: datetime, event_type: str) -> str:
    """The seed's ``Id + ":" + Timestamp.ToString("yyyy-MM-dd HH:mm:ss") + ":" + Type``."""
    moment = timestamp.astimezone(UTC) if timestamp.tzinfo else timestamp
    return f"{event_id}:{moment:%Y-%m-%d %H:%M:%S}:{event_type}"


def sign(event_id: str, timestamp: datetime, event_type: str, secret: str) -> str:
    text = signed_text(event_id, timestamp, event_type)
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def wire_timestamp(moment: datetime) -> str:
    """ISO 8601 with an offset, as in the seed's ``2018-08-30T11:37:03.6386334+00:00``."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def envelope(
    event_type: str, payload: dict[str, Any], *, secret: str, now: datetime
) -> dict[str, Any]:
    event_id = str(uuid.uuid4())
    return {
        "Id": event_id,
        "Timestamp": wire_timestamp(now),
        "Signature": sign(event_id, now, event_type, secret),
        "Type": event_type,
        "Payload": payload,
    }
