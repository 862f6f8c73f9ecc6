"""Taking a carrier's webhook: find the account, prove the sender, apply it once.

Webhooks carry no API key; the account id in the URL says which account's secret
must have signed it. Nothing is stored for a webhook that fails the check, and a
replayed id is refused (``WebhookReplayed``) with nothing changed.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

from shipmux import carriers
from shipmux.carriers.base import WebhookRequest
from shipmux.carriers.errors import CarrierError, WebhookRejected
from shipmux.domain.errors import (
    CarrierCallFailed,
    FieldProblem,
    NotFound,
    ValidationFailed,
    WebhookNotAuthentic,
    WebhookReplayed,
)
from shipmux.services.accounts import AccountView, get_account_row, load_settings, update_account
from shipmux.services.context import HubContext
from shipmux.services.tracking import WebhookOutcome, record_webhook
from shipmux.storage.tables import CarrierAccountRow

__all__ = ["register_webhook", "take_webhook"]


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


async def register_webhook(
    ctx: HubContext, tenant_id: str, account_id: str, hub_url: str
) -> AccountView:
    """Tell the carrier to push this account's events to the hub at ``hub_url``.

    The webhook URL is ``{hub_url}/v1/webhooks/{carrier}/{account_id}``; what the
    carrier answers (Clickpost's webhook key) is stored on the account, sealed.
    """
    with ctx.db.reading() as session:
        account = get_account_row(session, tenant_id, account_id)
    entry = carriers.registry()[account.carrier]
    if entry.register_webhook is None:
        problem = FieldProblem(
            "account_id", "unsupported", f"{entry.title} has no API to register a webhook"
        )
        raise ValidationFailed([problem], "this carrier's webhooks are set up in its own tools")
    url = f"{hub_url.rstrip('/')}/v1/webhooks/{account.carrier}/{account.id}"
    try:
        stored = await entry.register_webhook(ctx.carriers.get(account), url)
    except CarrierError as exc:
        raise CarrierCallFailed(f"the carrier refused the webhook: {exc.message}") from None
    return await asyncio.to_thread(
        update_account, ctx.db, ctx.secret_box, tenant_id, account_id, stored
    )
