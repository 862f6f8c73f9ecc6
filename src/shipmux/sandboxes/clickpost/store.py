"""What the Clickpost sandbox remembers: accounts, orders and their waybills."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

WebhookAuth = Literal["webhook_key", "basic_token"]
# Old register-webhook docs: service_id 2 is every status, 15 is selected statuses only.
ALL_STATUS_SERVICE = 2
SELECTED_STATUS_SERVICE = 15


@dataclass
class Account:
    """A sandbox account, provisioned by the first call that names its username."""

    username: str
    key: str | None
    webhook_url: str | None = None
    webhook_key: str | None = None
    webhook_auth: WebhookAuth = "webhook_key"
    # The "basic token auth" value sent as ``Authorization``; the webhook key if unset.
    webhook_token: str | None = None
    webhook_service_id: int = ALL_STATUS_SERVICE

    def new_webhook_key(self) -> str:
        self.webhook_key = str(uuid.uuid4())
        return self.webhook_key


@dataclass
class Order:
    """One manifested (or still processing) shipment."""

    order_id: int
    username: str
    api_version: str
    reference_number: str
    courier_partner_id: int
    account_code: str | None
    payload: dict[str, Any]
    created_at: datetime
    # When the courier answered; later than created_at for an async order.
    ready_at: datetime
    is_async: bool
    wants_label: bool
    is_rvp: bool
    pickup_city: str
    drop_city: str
    drop_name: str
    waybill: str
    security_key: str = field(default_factory=lambda: str(uuid.uuid4()))
    label_version: int = 1
    cancelled_at: datetime | None = None

    def is_ready(self, now: datetime) -> bool:
        return now >= self.ready_at


@dataclass
class Store:
    accounts: dict[str, Account] = field(default_factory=dict)
    orders: dict[int, Order] = field(default_factory=dict)
    _next_order_id: int = 8_488_000

    def reset(self) -> None:
        self.accounts.clear()
        self.orders.clear()

    def next_order_id(self) -> int:
        self._next_order_id += 1
        return self._next_order_id

    def account_by_key(self, key: str) -> Account | None:
        return next((a for a in self.accounts.values() if a.key == key), None)

    def by_reference(self, username: str, reference_number: str) -> Order | None:
        return next(
            (
                order
                for order in self.orders.values()
                if order.username == username and order.reference_number == reference_number
            ),
            None,
        )

    def by_waybill(self, username: str, waybill: str) -> Order | None:
        return next(
            (o for o in self.orders.values() if o.username == username and o.waybill == waybill),
            None,
        )
