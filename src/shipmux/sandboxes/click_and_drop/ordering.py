"""``POST /orders``: validate every item, create the valid ones, report the rest.

The outcome is per order (``createdOrders`` / ``failedOrders``); only problems with the
request as a whole (no items, more than one label) reject everything.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shipmux.sandboxes.click_and_drop import lifecycle, serializers
from shipmux.sandboxes.click_and_drop.errors import create_order_error
from shipmux.sandboxes.click_and_drop.services import TrackingNumbers, rejected_for_account
from shipmux.sandboxes.click_and_drop.store import Account, Order, OrderStatus, Package
from shipmux.sandboxes.click_and_drop.validation import ErrorCode, Violation, check_create_order
from shipmux.sandboxes.kit.clock import parse_timestamp

POSTAGE_REQUIRED = "Label generation only available for orders with postage applied status"
OBA_ONLY = "Feature available for OBA accounts only"

# Renders (order, includeCN, includeReturnsLabel) into a PDF and the names of its documents.
LabelRenderer = Callable[[Order, bool, bool], tuple[bytes, list[str]]]


class RequestRejected(Exception):
    """The request as a whole is refused; nothing was stored."""

    def __init__(self, status_code: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message


@dataclass
class CreateRun:
    """One ``POST /orders`` call against one account."""

    account: Account
    tracking: TrackingNumbers
    now: datetime
    render_label: LabelRenderer
    max_items: int | None = None
    created: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    batch_number: int | None = None

    def execute(self, payload: Any) -> dict[str, Any]:
        items = self._items(payload)
        self._check_labels(items)
        for item in items:
            self._one(item)
        return {
            "successCount": len(self.created),
            "errorsCount": len(self.failed),
            "createdOrders": self.created,
            "failedOrders": self.failed,
        }

    def _items(self, payload: Any) -> list[Any]:
        if not isinstance(payload, Mapping) or payload.get("items") is None:
            raise RequestRejected(400, "InvalidRequest", "The items field is required.")
        items = payload["items"]
        if not isinstance(items, list):
            raise RequestRejected(400, "InvalidRequest", "The field items must be an array.")
        if not items:
            raise RequestRejected(400, "InvalidRequest", "At least one order is required in items.")
        if self.max_items is not None and len(items) > self.max_items:
            raise RequestRejected(
                400,
                "InvalidRequest",
                f"The maximum collection length is {self.max_items}, was {len(items)}.",
            )
        return items

    def _check_labels(self, items: list[Any]) -> None:
        wanted = sum(1 for item in items if _wants_label(item))
        if wanted > 1:
            # Message as observed on the live API (research notes, section 2.3).
            raise RequestRejected(
                400,
                "LabelLimitExceeded",
                f"Amount of labels across all items must not exceed '1', was '{wanted}'",
            )
        if wanted and not self.account.is_oba:
            raise RequestRejected(403, "Forbidden", OBA_ONLY)

    def _one(self, item: Any) -> None:
        violations = check_create_order(item, custom_package_formats=self.account.channel_shipper)
        if not violations:
            violations = self._account_rules(item)
        if violations:
            self.failed.append(
                {"order": item, "errors": [create_order_error(v) for v in violations]}
            )
            return
        self.created.append(self._create(item))

    def _account_rules(self, item: Mapping[str, Any]) -> list[Violation]:
        found: list[Violation] = []
        reference = item.get("orderReference")
        if reference is not None and reference in self.account.references:
            found.append(
                Violation(
                    ErrorCode.DUPLICATE_REFERENCE,
                    "orderReference",
                    f"An order with the reference '{reference}' already exists.",
                    reference,
                )
            )
        service = (item.get("postageDetails") or {}).get("serviceCode")
        if service and rejected_for_account(service, is_oba=self.account.is_oba):
            found.append(
                Violation(
                    ErrorCode.SERVICE_NOT_AVAILABLE,
                    "postageDetails.serviceCode",
                    f"The service '{service}' is not available for this account.",
                    service,
                )
            )
        found.extend(self._address_book_rule(item["recipient"]))
        found.extend(self._stored_product_rule(item.get("packages") or []))
        return found

    def _address_book_rule(self, recipient: Mapping[str, Any]) -> list[Violation]:
        reference = recipient.get("addressBookReference")
        if recipient.get("address") is None and reference not in self.account.address_book:
            return [
                Violation(
                    ErrorCode.INVALID_RECIPIENT,
                    "recipient.addressBookReference",
                    f"No address book entry with the reference '{reference}' exists.",
                    reference,
                )
            ]
        return []

    def _stored_product_rule(self, packages: list[Mapping[str, Any]]) -> list[Violation]:
        found: list[Violation] = []
        for p_index, package in enumerate(packages):
            for c_index, item in enumerate(package.get("contents") or []):
                sku = item.get("SKU")
                stored_only = sku is not None and item.get("unitValue") is None
                if stored_only and sku not in self.account.products:
                    found.append(
                        Violation(
                            ErrorCode.INVALID_PRODUCT,
                            f"packages[{p_index}].contents[{c_index}].SKU",
                            f"No product with the SKU '{sku}' exists.",
                            sku,
                        )
                    )
        return found

    def _create(self, item: Mapping[str, Any]) -> dict[str, Any]:
        account = self.account
        if self.batch_number is None:
            # Click & Drop puts all orders of one API call into one batch.
            self.batch_number = account.allocate_batch()
        order = Order(
            identifier=account.allocate_identifier(),
            reference=item.get("orderReference"),
            request=dict(item),
            recipient=self._resolve_recipient(item["recipient"]),
            lines=self._resolve_lines(item.get("packages") or []),
            created_on=self.now,
            order_date=parse_timestamp(item["orderDate"]),
            service_code=(item.get("postageDetails") or {}).get("serviceCode"),
            packages=_packages(item.get("packages") or []),
            batch_number=self.batch_number,
            status_changed_on=self.now,
        )
        account.add(order)
        if account.is_oba and account.auto_apply_postage and lifecycle.can_apply_postage(order):
            lifecycle.apply_postage(order, self.tracking, self.now)
        return self._created_body(order, item.get("label"))

    def _created_body(self, order: Order, label: Any) -> dict[str, Any]:
        if not _wants_label({"label": label}):
            return serializers.created_order(order)
        if order.status is not OrderStatus.POSTAGE_APPLIED:
            errors = [{"code": "PostageNotApplied", "message": POSTAGE_REQUIRED}]
            return serializers.created_order(order, label_errors=errors)
        pdf, documents = self.render_label(
            order, bool(label.get("includeCN")), bool(label.get("includeReturnsLabel"))
        )
        lifecycle.generate_label(order, self.now)
        encoded = base64.b64encode(pdf).decode("ascii")
        return serializers.created_order(order, label=encoded, generated_documents=documents)

    def _resolve_recipient(self, recipient: Mapping[str, Any]) -> dict[str, Any]:
        book = self.account.address_book
        reference = recipient.get("addressBookReference")
        if recipient.get("address") is None:
            return dict(book[str(reference)])
        resolved = {
            "address": dict(recipient["address"]),
            "phoneNumber": recipient.get("phoneNumber"),
            "emailAddress": recipient.get("emailAddress"),
        }
        if reference is not None:
            book[reference] = resolved
        return resolved

    def _resolve_lines(self, packages: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
        lines: list[dict[str, Any]] = []
        products = self.account.products
        for package in packages:
            for item in package.get("contents") or []:
                sku = item.get("SKU")
                if sku is not None and item.get("unitValue") is None:
                    lines.append({**products[sku], "quantity": item["quantity"]})
                    continue
                if sku is not None:
                    products[sku] = {k: v for k, v in item.items() if k != "quantity"}
                lines.append(dict(item))
        return lines


def _wants_label(item: Any) -> bool:
    if not isinstance(item, Mapping):
        return False
    label = item.get("label")
    return isinstance(label, Mapping) and label.get("includeLabelInResponse") is True


def _packages(packages: list[Mapping[str, Any]]) -> list[Package]:
    return [
        Package(
            number=index + 1,
            weight_in_grams=int(package["weightInGrams"]),
            format_identifier=str(package["packageFormatIdentifier"]),
        )
        for index, package in enumerate(packages)
    ]
