"""In-memory records of the Sendcloud sandbox: accounts, integrations, orders, parcels.

An account (a Sendcloud user) owns one or more API integrations, each with its own key
pair; the rate-limit budget belongs to the account (research §1.2), webhooks and orders
to the integration (research §1.6, spec "Upsert behavior").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class Integration:
    integration_id: int
    user_id: int
    public_key: str
    secret_key: str
    webhook_url: str | None = None
    # Sign webhooks with the secret key (``Sendcloud-Signature``); off sends no header.
    signing: bool = True


@dataclass
class Account:
    user_id: int
    integration_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class OrderVersion:
    """One saved state of an order; it becomes readable at ``effective_at`` (async save)."""

    effective_at: datetime
    body: dict[str, Any]


@dataclass
class Order:
    id: int
    integration_id: int
    order_id: str
    created_at: datetime
    versions: list[OrderVersion] = field(default_factory=list)
    label_requests: list[dict[str, Any]] = field(default_factory=list)

    def visible(self, now: datetime) -> OrderVersion | None:
        """The latest version saved by ``now``; ``None`` while the order is still saving."""
        seen = [version for version in self.versions if version.effective_at <= now]
        return seen[-1] if seen else None

    @property
    def latest(self) -> dict[str, Any]:
        return self.versions[-1].body


@dataclass
class Parcel:
    id: int
    shipment_id: str
    tracking_number: str
    created_at: datetime
    weight_kg: str
    announcement_failed: bool = False
    # POST /shipments/{id}/cancel: when it was asked, and when the parcel is (or will
    # be) cancelled; a queued cancellation has ``cancelled_at`` in the future.
    cancel_requested_at: datetime | None = None
    cancelled_at: datetime | None = None


@dataclass
class Shipment:
    id: str
    integration_id: int
    order: Order
    shipping_option_code: str
    contract_id: int | None
    created_at: datetime
    parcels: list[Parcel] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    # Where document links point (``{root}/api/v3``), fixed when the label was requested.
    api_root: str = ""
    mime_type: str = "application/pdf"
    dpi: int = 72


@dataclass
class Store:
    accounts: dict[int, Account] = field(default_factory=dict)
    integrations: dict[int, Integration] = field(default_factory=dict)
    keys: dict[str, int] = field(default_factory=dict)  # public key -> integration id
    orders: dict[int, Order] = field(default_factory=dict)
    shipments: dict[str, Shipment] = field(default_factory=dict)
    parcels: dict[int, Parcel] = field(default_factory=dict)
    _next_user: int = 1000
    _next_integration: int = 7000
    _next_order: int = 660
    _next_shipment: int = 510
    _next_parcel: int = 420000

    def integration_for_key(self, public_key: str) -> Integration | None:
        integration_id = self.keys.get(public_key)
        return None if integration_id is None else self.integrations[integration_id]

    def register(
        self, public_key: str, secret_key: str, *, user_id: int | None = None
    ) -> Integration:
        """A new integration for the key; a new account unless ``user_id`` names one."""
        if user_id is None:
            self._next_user += 1
            user_id = self._next_user
            self.accounts[user_id] = Account(user_id)
        self._next_integration += 1
        integration = Integration(self._next_integration, user_id, public_key, secret_key)
        self.integrations[integration.integration_id] = integration
        self.accounts[user_id].integration_ids.append(integration.integration_id)
        self.keys[public_key] = integration.integration_id
        return integration

    def renumber(self, integration: Integration, new_id: int) -> None:
        """Give an integration another id (a control-route convenience for demos)."""
        old_id = integration.integration_id
        del self.integrations[old_id]
        integration.integration_id = new_id
        self.integrations[new_id] = integration
        self.keys[integration.public_key] = new_id
        account = self.accounts[integration.user_id]
        account.integration_ids = [new_id if i == old_id else i for i in account.integration_ids]
        for order in self.orders.values():
            if order.integration_id == old_id:
                order.integration_id = new_id
        for shipment in self.shipments.values():
            if shipment.integration_id == old_id:
                shipment.integration_id = new_id

    def delete_order(self, order: Order) -> None:
        """Forget an order; its shipments keep their copy (they outlive it on the live API)."""
        self.orders.pop(order.id, None)

    def find_order(self, integration_id: int, order_id: str) -> Order | None:
        for order in self.orders.values():
            if order.integration_id == integration_id and order.order_id == order_id:
                return order
        return None

    def new_order(self, integration_id: int, order_id: str, now: datetime) -> Order:
        self._next_order += 1
        order = Order(self._next_order, integration_id, order_id, now)
        self.orders[order.id] = order
        return order

    def new_shipment(
        self, order: Order, code: str, contract_id: int | None, now: datetime
    ) -> Shipment:
        self._next_shipment += 1
        shipment = Shipment(
            str(self._next_shipment), order.integration_id, order, code, contract_id, now
        )
        self.shipments[shipment.id] = shipment
        return shipment

    def new_parcel(
        self, shipment: Shipment, tracking_number: str, weight_kg: str, now: datetime
    ) -> Parcel:
        self._next_parcel += 1
        parcel = Parcel(self._next_parcel, shipment.id, tracking_number, now, weight_kg)
        shipment.parcels.append(parcel)
        self.parcels[parcel.id] = parcel
        return parcel

    @property
    def next_parcel_id(self) -> int:
        return self._next_parcel + 1
