"""Resolving ``{orderIdentifiers}`` against an account (shared by the by-id endpoints).

Decision (the spec is silent): found orders are returned in the order asked, missing
ones are reported, and only when *none* is found is the answer 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from shipmux.sandboxes.click_and_drop.context import Call
from shipmux.sandboxes.click_and_drop.identifiers import (
    IdentifierError,
    OrderKey,
    describe,
    parse_order_identifiers,
)
from shipmux.sandboxes.click_and_drop.store import Order
from shipmux.sandboxes.kit.jsonio import json_response

# Builds one per-identifier error in the endpoint's shape: (code, message, id, reference).
ErrorBuilder = Callable[..., dict[str, Any]]


@dataclass
class Lookup:
    keys: list[OrderKey]
    found: list[tuple[OrderKey, Order]]
    missing: list[OrderKey]


def not_found_message(key: OrderKey) -> str:
    kind = "identifier" if isinstance(key, int) else "reference"
    return f"Order with {kind} '{key}' was not found."


def lookup_orders(call: Call, build_error: ErrorBuilder) -> Lookup | Response:
    """Parse and resolve the path's identifiers, or the 400/404 response to send."""
    try:
        keys = parse_order_identifiers(call.params["ids"])
    except IdentifierError as exc:
        return json_response([build_error("InvalidOrderIdentifiers", str(exc))], 400)
    found: list[tuple[OrderKey, Order]] = []
    missing: list[OrderKey] = []
    for key in keys:
        order = call.account.find(key)
        if order is None:
            missing.append(key)
        else:
            found.append((key, order))
    if not found:
        return json_response(missing_errors(missing, build_error), 404)
    return Lookup(keys, found, missing)


def missing_errors(missing: list[OrderKey], build_error: ErrorBuilder) -> list[dict[str, Any]]:
    errors = []
    for key in missing:
        identifier, reference = describe(key)
        errors.append(
            build_error(
                "OrderNotFound", not_found_message(key), identifier=identifier, reference=reference
            )
        )
    return errors


def unique_orders(found: list[tuple[OrderKey, Order]]) -> list[Order]:
    """The orders once each (an order may be named by both its number and its reference)."""
    seen: set[int] = set()
    orders = []
    for _, order in found:
        if order.identifier not in seen:
            seen.add(order.identifier)
            orders.append(order)
    return orders
