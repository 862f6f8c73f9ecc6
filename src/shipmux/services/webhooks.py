"""Taking a carrier's webhook: find the account, prove the sender, apply it once.

Webhooks carry no API key; the account id in the URL says which account's secret
must have signed it. Nothing is stored for a webhook that fails the check, and a
replayed id is refused (``WebhookReplayed``) with nothing changed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from shipmux import carriers
from shipmux.carriers.base import WebhookRequest
from shipmux.carriers.errors import WebhookRejected
from shipmux.domain.errors import NotFound, WebhookNotAuthentic, WebhookReplayed
from shipmux.services.accounts import load_settings
from shipmux.services.context import HubContext
from shipmux.services.tracking import WebhookOutcome, record_webhook
from shipmux.storage.tables import CarrierAccountRow

__all__ = ["take_webhook"]


def take_webhook(
    ctx: HubContext,
    carrier: str,
    account_id: str,
    request: WebhookRequest,
    now: datetime | None = None,
) -> WebhookOutcome:
    entry = carriers.registry().get(carrier)
    with ctx.db.reading() as session:
        account = session.get(CarrierAccountRow, account_id)
    if entry is None or entry.read_webhook is None or account is None or account.carrier != carrier:
        raise NotFound(f"no {carrier} account '{account_id}' takes webhooks")
    settings = load_settings(ctx.secret_box, account)
    try:
        webhook = entry.read_webhook(request, settings, now or datetime.now(UTC))
    except WebhookRejected as exc:
        raise WebhookNotAuthentic(f"webhook refused ({exc.reason}): {exc}") from None
    outcome = record_webhook(ctx, account, webhook, _as_json(request.body))
    if outcome.outcome == "duplicate" and entry.refuse_replays:
        raise WebhookReplayed(f"webhook '{webhook.event_id}' was already received")
    return outcome


def _as_json(body: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(body)
    except ValueError:  # a carrier that does not send JSON: keep the text
        return {"raw": body.decode("utf-8", errors="replace")}
    return parsed if isinstance(parsed, dict) else {"body": parsed}
