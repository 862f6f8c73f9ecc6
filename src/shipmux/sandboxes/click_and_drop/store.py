"""In-memory state of the Click & Drop sandbox: accounts keyed by API key, orders, manifests.

Every account is isolated: its own order numbers (from 1001), references, products,
address book and manifests. Deleted orders are kept as tombstones so the control route
``GET /_sandbox/orders`` can still show that they were submitted once.
The sandbox runs on one event loop and never awaits while changing state, so no locks.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from shipmux.sandboxes.click_and_drop.services import TrackingNumbers

FIRST_ORDER_IDENTIFIER = 1001
FIRST_MANIFEST_NUMBER = 1001


class AccountType(StrEnum):
    OBA = "OBA"
    OLP = "OLP"


class OrderStatus(StrEnum):
    """Order statuses (the spec never lists them; names follow its request enum's style)."""

    NEW = "new"
    POSTAGE_APPLIED = "postageApplied"
    LABEL_GENERATED = "labelGenerated"
    DESPATCHED = "despatched"
    DESPATCHED_BY_OTHER_COURIER = "despatchedByOtherCourier"
    MANIFESTED = "manifested"


# Statuses that have a valid postage label (or can get one): label fetch is allowed.
LABELLABLE = frozenset(
    {
        OrderStatus.POSTAGE_APPLIED,
        OrderStatus.LABEL_GENERATED,
        OrderStatus.DESPATCHED,
        OrderStatus.MANIFESTED,
    }
)
# Spec: "Manifest all orders in 'Label Generated' and 'Despatched' statuses".
MANIFESTABLE = frozenset({OrderStatus.LABEL_GENERATED, OrderStatus.DESPATCHED})


def key_fingerprint(api_key: str) -> str:
    """Short sha256 prefix identifying an account without revealing its key."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:16]


@dataclass
class Package:
    number: int
    weight_in_grams: int
    format_identifier: str
    tracking_number: str | None = None


@dataclass
class Order:
    identifier: int
    reference: str | None
    request: dict[str, Any]
    recipient: dict[str, Any]
    lines: list[dict[str, Any]]
    created_on: datetime
    order_date: datetime | None
    service_code: str | None
    packages: list[Package]
    batch_number: int | None
    status: OrderStatus = OrderStatus.NEW
    postage_applied_on: datetime | None = None
    printed_on: datetime | None = None
    shipped_on: datetime | None = None
    manifested_on: datetime | None = None
    despatched_by_other_courier_on: datetime | None = None
    deleted_on: datetime | None = None
    manifest_number: int | None = None
    status_changed_on: datetime | None = None
    # Set by PUT /orders/status (despatched by another courier, or an explicit number).
    external_tracking_number: str | None = None
    shipping_carrier: str | None = None
    shipping_service: str | None = None

    @property
    def tracking_number(self) -> str | None:
        if self.external_tracking_number:
            return self.external_tracking_number
        return self.packages[0].tracking_number if self.packages else None

    @property
    def weight_in_grams(self) -> int:
        return sum(package.weight_in_grams for package in self.packages)

    @property
    def package_format(self) -> str | None:
        return self.packages[0].format_identifier if self.packages else None


@dataclass
class Manifest:
    number: int
    carrier_name: str
    created_on: datetime
    pdf_ready_on: datetime
    order_identifiers: list[int]
    document_pdf: bytes | None = None


@dataclass
class Account:
    api_key: str
    type: AccountType
    auto_apply_postage: bool
    channel_shipper: bool = False
    orders: dict[int, Order] = field(default_factory=dict)
    deleted_orders: list[Order] = field(default_factory=list)
    references: dict[str, int] = field(default_factory=dict)
    products: dict[str, dict[str, Any]] = field(default_factory=dict)
    address_book: dict[str, dict[str, Any]] = field(default_factory=dict)
    manifests: dict[int, Manifest] = field(default_factory=dict)
    next_order_identifier: int = FIRST_ORDER_IDENTIFIER
    next_manifest_number: int = FIRST_MANIFEST_NUMBER
    next_batch_number: int = 1

    @property
    def is_oba(self) -> bool:
        return self.type is AccountType.OBA

    @property
    def fingerprint(self) -> str:
        return key_fingerprint(self.api_key)

    @property
    def carrier_name(self) -> str:
        # The names the reference client uses for manifests on each account type.
        return "Royal Mail OBA" if self.is_oba else "Royal Mail OLP"

    def find(self, identifier: int | str) -> Order | None:
        """An order by number (int) or by reference (str, exact match)."""
        if isinstance(identifier, int):
            return self.orders.get(identifier)
        number = self.references.get(identifier)
        return self.orders.get(number) if number is not None else None

    def allocate_identifier(self) -> int:
        number = self.next_order_identifier
        self.next_order_identifier += 1
        return number

    def allocate_batch(self) -> int:
        number = self.next_batch_number
        self.next_batch_number += 1
        return number

    def add(self, order: Order) -> None:
        self.orders[order.identifier] = order
        if order.reference is not None:
            self.references[order.reference] = order.identifier

    def remove(self, order: Order, now: datetime) -> None:
        del self.orders[order.identifier]
        if order.reference is not None and self.references.get(order.reference) == order.identifier:
            del self.references[order.reference]
        order.deleted_on = now
        self.deleted_orders.append(order)

    def allocate_manifest_number(self) -> int:
        number = self.next_manifest_number
        self.next_manifest_number += 1
        return number


@dataclass
class Store:
    """Everything the sandbox remembers; ``reset()`` is a fresh start."""

    accounts: dict[str, Account] = field(default_factory=dict)
    tracking: TrackingNumbers = field(default_factory=TrackingNumbers)

    def account(
        self,
        api_key: str,
        *,
        default_type: AccountType,
        channel_shipper: bool,
        auto_apply_postage: bool,
    ) -> Account:
        """The key's account, created on first use (any well-formed key is a valid account)."""
        account = self.accounts.get(api_key)
        if account is None:
            account = Account(
                api_key=api_key,
                type=default_type,
                auto_apply_postage=auto_apply_postage,
                channel_shipper=channel_shipper,
            )
            self.accounts[api_key] = account
        return account

    def reset(self) -> None:
        self.accounts.clear()
        self.tracking = TrackingNumbers()
