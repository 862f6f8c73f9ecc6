"""Carrier limits, and the check of an order against the strictest that applies.

Each carrier declares its own ``CarrierLimits``; intake checks an order against the
limits of every carrier that may receive it, so an order the hub accepts is never
refused by a carrier for a length or weight we could have seen.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from shipmux.domain.errors import FieldProblem
from shipmux.domain.orders import Address, Order

__all__ = ["CarrierLimits", "check_order", "strictest"]


@dataclass(frozen=True, slots=True)
class CarrierLimits:
    """Largest values a carrier accepts (``None``: no limit of its own)."""

    reference_max: int | None = None
    name_max: int | None = None
    company_max: int | None = None
    address_line_max: int | None = None
    city_max: int | None = None
    county_max: int | None = None
    postcode_max: int | None = None
    phone_max: int | None = None
    email_max: int | None = None
    item_name_max: int | None = None
    sku_max: int | None = None
    customs_description_max: int | None = None
    notes_max: int | None = None
    safe_place_max: int | None = None
    package_weight_max_grams: int | None = None
    packages_max: int | None = None
    tags_max: int | None = None
    customs_required_abroad: bool = False


def strictest(*limits: CarrierLimits) -> CarrierLimits:
    """The limits that satisfy every carrier given: the smallest of each bound."""
    result = CarrierLimits()
    for current in limits:
        changes: dict[str, object] = {}
        for f in fields(CarrierLimits):
            mine, theirs = getattr(result, f.name), getattr(current, f.name)
            if isinstance(mine, bool):
                changes[f.name] = mine or theirs
            elif theirs is not None:
                changes[f.name] = theirs if mine is None else min(mine, theirs)
        result = replace(result, **changes)  # type: ignore[arg-type]
    return result


def _too_long(path: str, value: str | None, limit: int | None) -> list[FieldProblem]:
    if value is None or limit is None or len(value) <= limit:
        return []
    return [
        FieldProblem(
            path,
            "max_length",
            f"must be at most {limit} characters for the receiving carrier (got {len(value)})",
        )
    ]


def _check_address(prefix: str, address: Address, limits: CarrierLimits) -> list[FieldProblem]:
    checks: list[tuple[str, str | None, int | None]] = [
        ("name", address.name, limits.name_max),
        ("company", address.company, limits.company_max),
        ("line1", address.line1, limits.address_line_max),
        ("line2", address.line2, limits.address_line_max),
        ("line3", address.line3, limits.address_line_max),
        ("city", address.city, limits.city_max),
        ("county", address.county, limits.county_max),
        ("postcode", address.postcode, limits.postcode_max),
        ("phone", address.phone, limits.phone_max),
        ("email", address.email, limits.email_max),
    ]
    problems: list[FieldProblem] = []
    for name, value, limit in checks:
        problems += _too_long(f"{prefix}.{name}", value, limit)
    return problems


def _check_packages(order: Order, limits: CarrierLimits) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if limits.packages_max is not None and len(order.packages) > limits.packages_max:
        problems.append(
            FieldProblem(
                "packages", "max_items", f"at most {limits.packages_max} packages per order"
            )
        )
    heaviest = limits.package_weight_max_grams
    for i, package in enumerate(order.packages):
        if heaviest is not None and package.weight_grams > heaviest:
            problems.append(
                FieldProblem(
                    f"packages[{i}].weight_grams",
                    "max_weight",
                    f"must be at most {heaviest} g for the receiving carrier "
                    f"(got {package.weight_grams})",
                )
            )
    return problems


def _check_items(order: Order, limits: CarrierLimits) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    for i, item in enumerate(order.items):
        problems += _too_long(f"items[{i}].name", item.name, limits.item_name_max)
        problems += _too_long(f"items[{i}].sku", item.sku, limits.sku_max)
        problems += _too_long(
            f"items[{i}].customs_description",
            item.customs_description,
            limits.customs_description_max,
        )
    return problems


def _check_customs(order: Order, limits: CarrierLimits) -> list[FieldProblem]:
    if not (limits.customs_required_abroad and order.is_international):
        return []
    if not order.items:
        return [FieldProblem("items", "required", "international orders must list their items")]
    problems: list[FieldProblem] = []
    for i, item in enumerate(order.items):
        for name in ("customs_description", "origin_country", "hs_code"):
            if getattr(item, name) is None:
                problems.append(
                    FieldProblem(
                        f"items[{i}].{name}", "required", "required for international orders"
                    )
                )
        if item.unit_weight_grams == 0:
            problems.append(
                FieldProblem(
                    f"items[{i}].unit_weight_grams", "required", "required for international orders"
                )
            )
    return problems


def check_order(order: Order, limits: CarrierLimits) -> list[FieldProblem]:
    """Every way ``order`` breaks ``limits``; empty when it fits."""
    problems = _too_long("reference", order.reference, limits.reference_max)
    problems += _check_address("recipient", order.recipient, limits)
    if order.sender is not None:
        problems += _check_address("sender", order.sender, limits)
    if order.billing is not None:
        problems += _check_address("billing", order.billing, limits)
    problems += _check_packages(order, limits)
    problems += _check_items(order, limits)
    problems += _too_long("notes", order.notes, limits.notes_max)
    problems += _too_long("extras.safe_place", order.extras.safe_place, limits.safe_place_max)
    if limits.tags_max is not None and len(order.tags) > limits.tags_max:
        problems.append(FieldProblem("tags", "max_items", f"at most {limits.tags_max} tags"))
    problems += _check_customs(order, limits)
    return problems
