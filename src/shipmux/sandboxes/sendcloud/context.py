"""Shared state of one Sendcloud sandbox app, and the context each vendor call gets."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from starlette.requests import Request

from shipmux.sandboxes.kit.clock import SandboxClock
from shipmux.sandboxes.kit.faults import FaultInjector
from shipmux.sandboxes.kit.jsonio import dumps
from shipmux.sandboxes.kit.webhook_delivery import WebhookDispatcher
from shipmux.sandboxes.kit.webhook_outbox import Outbox
from shipmux.sandboxes.kit.webhook_policy import BackoffPolicy
from shipmux.sandboxes.sendcloud.parcel_views import webhook_payload
from shipmux.sandboxes.sendcloud.rate_limits import AccountRateLimits
from shipmux.sandboxes.sendcloud.settings import SendcloudSandboxSettings, WebhookSettings
from shipmux.sandboxes.sendcloud.store import Integration, Parcel, Shipment, Store
from shipmux.sandboxes.sendcloud.tracking import final_index, statuses_reached
from shipmux.sandboxes.sendcloud.webhooks.policy import delivery_policy as policy_for
from shipmux.sandboxes.sendcloud.webhooks.signing import SIGNATURE_HEADER, signature


@dataclass
class SandboxState:
    """Everything one sandbox app owns; ``reset()`` returns it to how it was created."""

    initial: SendcloudSandboxSettings
    settings: SendcloudSandboxSettings = field(init=False)
    store: Store = field(default_factory=Store)
    clock: SandboxClock = field(default_factory=SandboxClock)
    faults: FaultInjector = field(default_factory=FaultInjector)
    outbox: Outbox = field(default_factory=Outbox)
    # (parcel id, journey index) of every status already turned into a webhook.
    announced: set[tuple[int, int]] = field(default_factory=set)
    limits: AccountRateLimits = field(init=False)
    webhooks: WebhookDispatcher = field(init=False)
    random: random.Random = field(init=False)
    # Integration id -> until when its last POST /orders batch is still being saved.
    processing_until: dict[int, datetime] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.settings = self.initial.model_copy(deep=True)
        self.limits = AccountRateLimits(self.settings.rate_limits)
        self.webhooks = WebhookDispatcher(self, name="sendcloud-sandbox", any_2xx=True)
        self.apply_settings(self.settings)

    @property
    def webhook_settings(self) -> WebhookSettings:
        return self.settings.webhooks

    @property
    def delivery_policy(self) -> BackoffPolicy:
        return policy_for(self.settings.webhooks)

    def apply_settings(self, settings: SendcloudSandboxSettings) -> None:
        self.settings = settings
        self.limits.configure(settings.rate_limits)
        self.faults.configure(settings.faults)
        self.random = random.Random(settings.seed)

    def reset(self) -> None:
        self.store = Store()
        self.outbox = Outbox()
        self.announced.clear()
        self.processing_until.clear()
        self.limits.reset()
        self.apply_settings(self.initial.model_copy(deep=True))

    def roll(self, rate: float) -> bool:
        return rate > 0 and self.random.random() < rate

    @property
    def save_delay(self) -> timedelta:
        return timedelta(seconds=self.settings.order_save_delay_seconds)

    # --- webhooks ------------------------------------------------------------------------

    def _webhook_parcels(self) -> list[tuple[Integration, Shipment, Parcel]]:
        found: list[tuple[Integration, Shipment, Parcel]] = []
        for shipment in self.store.shipments.values():
            integration = self.store.integrations.get(shipment.integration_id)
            if integration is None or not integration.webhook_url:
                continue
            found.extend((integration, shipment, parcel) for parcel in shipment.parcels)
        return found

    def collect_webhooks(self, now: datetime) -> None:
        """A ``parcel_status_changed`` webhook for every status a parcel has entered."""
        step = self.settings.tracking_step_seconds
        for integration, shipment, parcel in self._webhook_parcels():
            assert integration.webhook_url is not None
            for event in statuses_reached(parcel, now, step):
                key = (parcel.id, event.index)
                if key in self.announced:
                    continue
                self.announced.add(key)
                body = dumps(webhook_payload(shipment, parcel, event))
                headers = {"Content-Type": "application/json"}
                if integration.signing:
                    headers[SIGNATURE_HEADER] = signature(integration.secret_key, body)
                self.outbox.enqueue(
                    owner=str(integration.integration_id),
                    url=integration.webhook_url,
                    payload=body,  # the exact bytes that were signed
                    headers=headers,
                    event_id=f"{parcel.id}:{event.status.id}:{event.index}",
                    now=now,
                )

    def has_webhook_work(self) -> bool:
        if self.outbox.pending:
            return True
        return any(
            (parcel.id, final_index(parcel)) not in self.announced
            for _, _, parcel in self._webhook_parcels()
        )


@dataclass
class Call:
    """One authenticated vendor-API call."""

    request: Request
    state: SandboxState
    integration: Integration
    params: dict[str, str]
    now: datetime

    @property
    def store(self) -> Store:
        return self.state.store

    @property
    def account_integration_ids(self) -> list[int]:
        return list(self.store.accounts[self.integration.user_id].integration_ids)

    @property
    def api_root(self) -> str:
        """``{site root}/api/v3``, where the site root is where this app is mounted."""
        root_path = str(self.request.scope.get("root_path", "")).rstrip("/")
        site = str(self.request.url.replace(path=root_path, query="", fragment="")).rstrip("/")
        return f"{site}/api/v3"
