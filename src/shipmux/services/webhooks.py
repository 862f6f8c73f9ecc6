"""Taking a carrier's webhook: find the account, prove the sender, apply it once.

Webhooks carry no API key; the account id in the URL says which account's secret
must have signed it. Nothing is stored for a webhook that fails the check but a
``WebhookRejectionRow`` (reason, carrier, account, remote address), and a replayed id
is refused (``WebhookReplayed``) with nothing changed where the carrier asks for that.

``check_webhook`` is the part without writes (account, authenticity, parsing); the
API hands what it returns to the group committer (``services.webhook_intake``), the
one path by which webhooks are stored.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from shipmux import carriers
from shipmux.carriers.base import CarrierWebhook, WebhookRequest
from shipmux.carriers.errors import CarrierError, WebhookRejected
from shipmux.carriers.settings import CarrierAccountSettings
from shipmux.domain.errors import (
    CarrierCallFailed,
    FieldProblem,
    NotFound,
    ShipmuxError,
    ValidationFailed,
    WebhookNotAuthentic,
)
from shipmux.services.accounts import AccountView, get_account_row, load_settings, update_account
from shipmux.services.context import HubContext
from shipmux.storage.tables import CarrierAccountRow

__all__ = [
    "AccountCache",
    "CheckedWebhook",
    "WebhookRefused",
    "check_webhook",
    "kept_headers",
    "raw_text",
    "register_webhook",
]

# Header values never stored with a receipt: they are the credentials themselves.
_SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "webhook_key", "webhook-key", "x-api-key"}
)
_MASK = "***"


class WebhookRefused(Exception):
    """A webhook turned away before anything was written: why, and the error to answer."""

    def __init__(self, reason: str, account_id: str | None, error: ShipmuxError) -> None:
        super().__init__(str(error))
        self.reason = reason
        self.account_id = account_id
        self.error = error


@dataclass(frozen=True, slots=True)
class CheckedWebhook:
    """An authentic, parsed webhook and the account it is for."""

    account: CarrierAccountRow
    webhook: CarrierWebhook
    refuse_replays: bool


class AccountCache:
    """Accounts and their unsealed settings, kept ``ttl`` seconds per process.

    Every webhook needs its account's key; reading and unsealing it per request costs
    a database read under load. An expired entry still serves while it is read again
    (``WebhookIntake`` reads it once in the background), and a webhook refused on
    cached settings is judged again on the stored account (a key just registered or
    rotated counts at once).
    """

    def __init__(self, ttl: float = 2.0) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[float, CarrierAccountRow, CarrierAccountSettings]] = {}

    def lookup(
        self, account_id: str
    ) -> tuple[tuple[CarrierAccountRow, CarrierAccountSettings] | None, bool]:
        """The cached account (expired entries too) and whether it is still fresh."""
        entry = self._entries.get(account_id)
        if entry is None:
            return None, False
        return (entry[1], entry[2]), entry[0] >= time.monotonic()

    def put(
        self, account: CarrierAccountRow, settings: CarrierAccountSettings
    ) -> tuple[CarrierAccountRow, CarrierAccountSettings]:
        if len(self._entries) > 10_000:  # many accounts: start again rather than grow
            self._entries.clear()
        self._entries[account.id] = (time.monotonic() + self.ttl, account, settings)
        return account, settings


def load_account(
    ctx: HubContext, account_id: str
) -> tuple[CarrierAccountRow, CarrierAccountSettings] | None:
    """The account and its settings, secrets unsealed; None when there is no such account."""
    with ctx.db.reading() as session:
        account = session.get(CarrierAccountRow, account_id)
    if account is None:
        return None
    return account, load_settings(ctx.secret_box, account)


def check_webhook(
    carrier: str,
    account_id: str,
    loaded: tuple[CarrierAccountRow, CarrierAccountSettings] | None,
    request: WebhookRequest,
    now: datetime | None = None,
) -> CheckedWebhook:
    """Prove and read a webhook for ``loaded`` (``load_account``'s answer); no I/O.

    Raises ``WebhookRefused`` with a reason code: ``unknown_account`` (404), or the
    carrier's own (``bad_signature``, ``stale``, ``malformed``, ``no_secret``: 401).
    """
    entry = carriers.registry().get(carrier)
    account = loaded[0] if loaded else None
    if entry is None or entry.read_webhook is None or account is None or account.carrier != carrier:
        missing = NotFound(f"no {carrier} account '{account_id}' takes webhooks")
        raise WebhookRefused("unknown_account", None, missing)
    assert loaded is not None
    try:
        webhook = entry.read_webhook(request, loaded[1], now or datetime.now(UTC))
    except WebhookRejected as exc:
        error = WebhookNotAuthentic(f"webhook refused ({exc.reason}): {exc}")
        raise WebhookRefused(exc.reason, account_id, error) from None
    return CheckedWebhook(account, webhook, entry.refuse_replays)


def kept_headers(headers: Mapping[str, str]) -> dict[str, Any]:
    """The headers stored with a receipt: all of them, credentials masked."""
    return {
        name.lower(): (_MASK if name.lower() in _SECRET_HEADERS else value)
        for name, value in headers.items()
    }


def raw_text(body: bytes) -> str:
    """The body exactly as it came, as text: UTF-8 when it is, else ``base64:`` and the bytes.

    A NUL is kept out of the text form too: PostgreSQL text cannot hold one.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text or text.startswith("base64:"):
        return "base64:" + base64.b64encode(body).decode("ascii")
    return text


def as_json(body: bytes) -> dict[str, Any]:
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
