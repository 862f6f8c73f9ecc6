"""Shared state of one Clickpost sandbox app, and the context each vendor call gets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from starlette.requests import Request

from shipmux.sandboxes.clickpost.settings import ClickpostSandboxSettings, WebhookSettings
from shipmux.sandboxes.clickpost.store import Account, Order, Store
from shipmux.sandboxes.clickpost.tracking import is_final, scans_at
from shipmux.sandboxes.clickpost.webhook_payloads import wanted, webhook_body, webhook_headers
from shipmux.sandboxes.kit.state import LimitedSandboxState
from shipmux.sandboxes.kit.webhook_delivery import WebhookDispatcher
from shipmux.sandboxes.kit.webhook_outbox import Outbox


@dataclass
class SandboxState(LimitedSandboxState[ClickpostSandboxSettings]):
    """Everything one sandbox app owns; ``reset()`` returns it to how it was created."""

    store: Store = field(default_factory=Store)
    outbox: Outbox = field(default_factory=Outbox)
    # checkpoint ids of the scans already turned into a webhook.
    announced: set[int] = field(default_factory=set)
    webhooks: WebhookDispatcher = field(init=False)
    _waybill_sequence: int = 0

    def __post_init__(self) -> None:
        super().__post_init__()
        self.webhooks = WebhookDispatcher(self, name="clickpost-sandbox")

    @property
    def delivery_policy(self) -> WebhookSettings:
        return self.settings.webhooks

    def reset(self) -> None:
        self.store.reset()
        self.outbox = Outbox()
        self.announced.clear()
        super().reset()

    def next_waybill_sequence(self) -> int:
        self._waybill_sequence += 1
        return self._waybill_sequence

    # --- webhooks ------------------------------------------------------------------------

    def _webhook_orders(self) -> list[tuple[Account, Order]]:
        accounts = self.store.accounts
        return [
            (accounts[order.username], order)
            for order in self.store.orders.values()
            if accounts[order.username].webhook_url
        ]

    def collect_webhooks(self, now: datetime) -> None:
        """One webhook per scan reached and not yet sent, each with the latest status."""
        step = self.settings.tracking_step_seconds
        for account, order in self._webhook_orders():
            scans = scans_at(order, now, step)
            fresh = [scan for scan in scans if scan.checkpoint_id not in self.announced]
            for scan in fresh:
                self.announced.add(scan.checkpoint_id)
                if not wanted(account, scan):
                    continue
                assert account.webhook_url is not None
                self.outbox.enqueue(
                    owner=account.username,
                    url=account.webhook_url,
                    payload=webhook_body(account, order, scan, scans[-1]),
                    headers=webhook_headers(account),
                    event_id=str(scan.checkpoint_id),
                    now=now,
                )

    def has_webhook_work(self) -> bool:
        if self.outbox.pending:
            return True
        now, step = self.clock.now(), self.settings.tracking_step_seconds
        for _, order in self._webhook_orders():
            scans = scans_at(order, now, step)
            if not is_final(order, now, step) or any(
                scan.checkpoint_id not in self.announced for scan in scans
            ):
                return True
        return False


@dataclass
class Call:
    """One authenticated vendor-API call."""

    request: Request
    state: SandboxState
    account: Account
    now: datetime

    def query(self, name: str) -> str | None:
        value = self.request.query_params.get(name)
        return value.strip() if value is not None else None

    @property
    def root(self) -> str:
        return site_root(self.request)


def site_root(request: Request) -> str:
    """The sandbox's own root URL; ``root_path`` is where it is mounted in the hub."""
    root_path = str(request.scope.get("root_path", "")).rstrip("/")
    return str(request.url.replace(path=root_path, query="", fragment="")).rstrip("/")
