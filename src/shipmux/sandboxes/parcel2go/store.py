"""In-memory state of the Parcel2Go sandbox: accounts, tokens, orders and their lines."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from shipmux.sandboxes.parcel2go.pricing import ShipmentPrice, vat_on
from shipmux.sandboxes.parcel2go.services import Service

# Identifiers start near the seed's examples (OrderId 76423942, OrderLineId 115030194).
FIRST_ORDER_ID = 76423942
FIRST_ORDER_LINE_ID = 115030194
FIRST_PARCEL_ID = 5501000


@dataclass
class Account:
    """One API client, provisioned by its first token request (ADR 0006 §2)."""

    client_id: str
    secret: str | None
    balance: Decimal
    prepay_enabled: bool
    webhook_url: str | None = None
    webhook_secret: str | None = None
    order_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Token:
    client_id: str
    scopes: frozenset[str]
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Charge:
    amount: Decimal
    at: datetime


@dataclass
class OrderLine:
    """One ``Items[]`` entry of an order: one shipment, one P2G number."""

    order_line_id: int
    item_id: str | None
    hash: str
    service: Service
    reference: str | None
    collection_address: dict[str, Any]
    parcels: list[dict[str, Any]]
    parcel_ids: list[int]
    price: ShipmentPrice
    international: bool


@dataclass
class Order:
    order_id: int
    client_id: str
    hash: str
    created_at: datetime
    customer_details: dict[str, Any]
    lines: list[OrderLine]
    paid_at: datetime | None = None
    charges: list[Charge] = field(default_factory=list)

    @property
    def total_ex_vat(self) -> Decimal:
        return sum((line.price.ex_vat for line in self.lines), Decimal(0))

    @property
    def total_vat(self) -> Decimal:
        return vat_on(self.total_ex_vat)

    @property
    def total_price(self) -> Decimal:
        return self.total_ex_vat + self.total_vat


class Store:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.accounts: dict[str, Account] = {}
        self.tokens: dict[str, Token] = {}
        self.orders: dict[int, Order] = {}
        self.lines: dict[int, tuple[Order, OrderLine]] = {}
        self._next_order_id = FIRST_ORDER_ID
        self._next_line_id = FIRST_ORDER_LINE_ID
        self._next_parcel_id = FIRST_PARCEL_ID
        # Hashes are HMACs under a per-store key, so they look like the seed's
        # (base64 with ``/``, ``+`` and ``=``) and cannot be guessed from the ids.
        self._hash_key = secrets.token_bytes(32)

    def account(self, client_id: str, *, balance: Decimal, prepay_enabled: bool) -> Account:
        found = self.accounts.get(client_id)
        if found is None:
            found = Account(client_id, None, balance, prepay_enabled)
            self.accounts[client_id] = found
        return found

    def issue_token(self, client_id: str, scopes: frozenset[str], expires_at: datetime) -> str:
        value = secrets.token_urlsafe(48)
        self.tokens[value] = Token(client_id, scopes, expires_at)
        return value

    def sign(self, text: str) -> str:
        digest = hmac.new(self._hash_key, text.encode(), hashlib.sha256).digest()
        return base64.b64encode(digest).decode()

    def next_order_id(self) -> int:
        self._next_order_id += 1
        return self._next_order_id

    def next_line_id(self) -> int:
        self._next_line_id += 1
        return self._next_line_id

    def next_parcel_id(self) -> int:
        self._next_parcel_id += 1
        return self._next_parcel_id

    def add_order(self, order: Order) -> None:
        self.orders[order.order_id] = order
        self.accounts[order.client_id].order_ids.append(order.order_id)
        for line in order.lines:
            self.lines[line.order_line_id] = (order, line)

    def find_order(self, raw_id: str | None) -> Order | None:
        if raw_id is None or not raw_id.strip().isdigit():
            return None
        return self.orders.get(int(raw_id.strip()))

    def find_line(self, raw_id: str | None) -> tuple[Order, OrderLine] | None:
        if raw_id is None:
            return None
        digits = raw_id.strip().upper().removeprefix("P2G")
        return self.lines.get(int(digits)) if digits.isdigit() else None
