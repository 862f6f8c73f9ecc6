"""Shared state of one Parcel2Go sandbox app, and the context each vendor call gets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from starlette.requests import Request

from shipmux.sandboxes.kit.state import LimitedSandboxState
from shipmux.sandboxes.kit.webhook_delivery import WebhookDispatcher
from shipmux.sandboxes.kit.webhook_outbox import Outbox
from shipmux.sandboxes.kit.webhook_policy import BackoffPolicy
from shipmux.sandboxes.parcel2go.settings import Parcel2GoSandboxSettings, WebhookSettings
from shipmux.sandboxes.parcel2go.store import Account, Order, OrderLine, Store
from shipmux.sandboxes.parcel2go.tracking import events_reached, stages_for
from shipmux.sandboxes.parcel2go.webhooks.policy import delivery_policy as policy_for
from shipmux.sandboxes.parcel2go.webhooks.signing import envelope, wire_timestamp


@dataclass
class SandboxState(LimitedSandboxState[Parcel2GoSandboxSettings]):
    """Everything one sandbox app owns; ``reset()`` returns it to how it was created."""

    store: Store = field(default_factory=Store)
    outbox: Outbox = field(default_factory=Outbox)
    # (OrderLineId, stage index) of every tracking stage already turned into a webhook.
    announced: set[tuple[int, int]] = field(default_factory=set)
    webhooks: WebhookDispatcher = field(init=False)
    _next_case_id: int = 880000

    def __post_init__(self) -> None:
        super().__post_init__()
        self.webhooks = WebhookDispatcher(self, name="parcel2go-sandbox")

    @property
    def webhook_settings(self) -> WebhookSettings:
        return self.settings.webhooks

    @property
    def delivery_policy(self) -> BackoffPolicy:
        return policy_for(self.settings.webhooks)

    def reset(self) -> None:
        self.store.reset()
        self.outbox = Outbox()
        self.announced.clear()
        super().reset()

    def account(self, client_id: str) -> Account:
        return self.store.account(
            client_id,
            balance=self.settings.starting_balance,
            prepay_enabled=self.settings.prepay_enabled,
        )

    # --- webhooks ------------------------------------------------------------------------

    def _webhook_lines(self) -> list[tuple[Account, Order, OrderLine]]:
        found: list[tuple[Account, Order, OrderLine]] = []
        for account in self.store.accounts.values():
            if not account.webhook_url:
                continue
            for order_id in account.order_ids:
                order = self.store.orders[order_id]
                if order.paid_at is not None:
                    found.extend((account, order, line) for line in order.lines)
        return found

    def collect_webhooks(self, now: datetime) -> None:
        """A ``Tracking`` webhook for every stage entered after ``Booked``.

        The seed's list of ``TrackingStage`` values starts at ``DroppedOff``/``Collected``:
        booking is the client's own act and is not announced.
        """
        step = self.settings.tracking_step_seconds
        for account, order, line in self._webhook_lines():
            assert account.webhook_url is not None
            for event in events_reached(line.service, order.paid_at, now, step)[1:]:
                key = (line.order_line_id, event.index)
                if key in self.announced:
                    continue
                self.announced.add(key)
                payload = {
                    "OrderLineId": line.order_line_id,
                    "Timestamp": wire_timestamp(event.entered_at),
                    "StatusCode": event.definition.status_code,
                    "StatusDescription": event.definition.description,
                    "TrackingStage": event.definition.stage,
                }
                self.enqueue_webhook(account, "Tracking", payload, now)

    def has_webhook_work(self) -> bool:
        if self.outbox.pending:
            return True
        for _, _, line in self._webhook_lines():
            last_stage = len(stages_for(line.service)) - 1
            if (line.order_line_id, last_stage) not in self.announced:
                return True
        return False

    def enqueue_webhook(
        self, account: Account, event_type: str, payload: dict[str, Any], now: datetime
    ) -> None:
        assert account.webhook_url is not None
        body = envelope(event_type, payload, secret=account.webhook_secret or "", now=now)
        self.outbox.enqueue(
            owner=account.client_id,
            url=account.webhook_url,
            payload=body,
            headers={},
            event_id=str(body["Id"]),
            now=now,
        )

    def next_case_id(self) -> int:
        self._next_case_id += 1
        return self._next_case_id


@dataclass
class Call:
    """One authenticated vendor-API call."""

    request: Request
    state: SandboxState
    account: Account
    scopes: frozenset[str]
    params: dict[str, str]
    now: datetime

    def query(self, name: str) -> str | None:
        """A query parameter, matched case-insensitively as ASP.NET model binding does."""
        return query_param(self.request, name)

    @property
    def root(self) -> str:
        return site_root(self.request)


def query_param(request: Request, name: str) -> str | None:
    wanted = name.lower()
    for key, value in request.query_params.multi_items():
        if key.lower() == wanted:
            return value
    return None


def site_root(request: Request) -> str:
    """The sandbox's own root URL (ADR 0006 §1: the API is ``{root}/api``).

    ``root_path`` is where this app is mounted (``/sandbox/parcel2go`` in the hub), so
    links work the same standalone and mounted.
    """
    root_path = str(request.scope.get("root_path", "")).rstrip("/")
    return str(request.url.replace(path=root_path, query="", fragment="")).rstrip("/")


def quoted(value: str) -> str:
    """URL-encode a hash for a query string (research §3.6: hashes hold ``/+=``)."""
    return quote(value, safe="")
