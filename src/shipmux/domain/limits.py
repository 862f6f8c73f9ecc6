"""Carrier limits, and the check of an order against the strictest that applies.

Each carrier declares its own ``CarrierLimits``; intake checks an order against the
limits of every carrier that may receive it, so an order the hub accepts is never
refused by a carrier for a length or weight we could have seen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from shipmux.domain.errors import FieldProblem
from shipmux.domain.orders import Order, is_country

__all__ = ["CarrierLimits", "check_order", "check_payload", "strictest"]


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


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _sequence(value: object) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def _too_long(path: str, value: object, limit: int | None) -> list[FieldProblem]:
    text = _text(value)
    if text is None or limit is None or len(text) <= limit:
        return []
    return [
        FieldProblem(
            path,
            "max_length",
            f"must be at most {limit} characters for the receiving carrier (got {len(text)})",
        )
    ]


_ADDRESS_FIELDS = (
    ("name", "name_max"),
    ("company", "company_max"),
    ("line1", "address_line_max"),
    ("line2", "address_line_max"),
    ("line3", "address_line_max"),
    ("city", "city_max"),
    ("county", "county_max"),
    ("postcode", "postcode_max"),
    ("phone", "phone_max"),
    ("email", "email_max"),
)


def _check_address(
    prefix: str, address: Mapping[str, Any], limits: CarrierLimits
) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    for name, limit_name in _ADDRESS_FIELDS:
        value, limit = address.get(name), getattr(limits, limit_name)
        # Intake runs this for every order: the usual case (it fits) builds no path string.
        if isinstance(value, str) and limit is not None and len(value) > limit:
            problems += _too_long(f"{prefix}.{name}", value, limit)
    return problems


def _check_packages(data: Mapping[str, Any], limits: CarrierLimits) -> list[FieldProblem]:
    packages = _sequence(data.get("packages"))
    problems: list[FieldProblem] = []
    if limits.packages_max is not None and len(packages) > limits.packages_max:
        problems.append(
            FieldProblem(
                "packages", "max_items", f"at most {limits.packages_max} packages per order"
            )
        )
    heaviest = limits.package_weight_max_grams
    for i, package in enumerate(packages):
        weight = _mapping(package).get("weight_grams")
        if heaviest is not None and isinstance(weight, int | float) and weight > heaviest:
            problems.append(
                FieldProblem(
                    f"packages[{i}].weight_grams",
                    "max_weight",
                    f"must be at most {heaviest} g for the receiving carrier (got {weight})",
                )
            )
    return problems


def _check_items(data: Mapping[str, Any], limits: CarrierLimits) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    for i, raw in enumerate(_sequence(data.get("items"))):
        item = _mapping(raw)
        problems += _too_long(f"items[{i}].name", item.get("name"), limits.item_name_max)
        problems += _too_long(f"items[{i}].sku", item.get("sku"), limits.sku_max)
        problems += _too_long(
            f"items[{i}].customs_description",
            item.get("customs_description"),
            limits.customs_description_max,
        )
    return problems


def _is_international(data: Mapping[str, Any]) -> bool:
    destination = _text(_mapping(data.get("recipient")).get("country"))
    origin = _text(_mapping(data.get("sender")).get("country")) or "GB"
    # An unknown country is reported by the model; it says nothing about customs.
    if destination is None or not is_country(destination):
        return False
    return destination.upper() != origin.upper()


def _check_customs(data: Mapping[str, Any], limits: CarrierLimits) -> list[FieldProblem]:
    if not (limits.customs_required_abroad and _is_international(data)):
        return []
    items = _sequence(data.get("items"))
    if not items:
        return [FieldProblem("items", "required", "international orders must list their items")]
    problems: list[FieldProblem] = []
    for i, raw in enumerate(items):
        item = _mapping(raw)
        for name in ("customs_description", "origin_country", "hs_code", "unit_weight_grams"):
            if not item.get(name):
                problems.append(
                    FieldProblem(
                        f"items[{i}].{name}", "required", "required for international orders"
                    )
                )
    return problems


def check_payload(data: Mapping[str, Any], limits: CarrierLimits) -> list[FieldProblem]:
    """Every way an order's JSON breaks ``limits``; tolerant of fields of the wrong type.

    Runs on raw input too, so an order that fails the model is still told about its
    carrier limits in the same answer.
    """
    problems = _too_long("reference", data.get("reference"), limits.reference_max)
    for part in ("recipient", "sender", "billing"):
        problems += _check_address(part, _mapping(data.get(part)), limits)
    problems += _check_packages(data, limits)
    problems += _check_items(data, limits)
    problems += _too_long("notes", data.get("notes"), limits.notes_max)
    extras = _mapping(data.get("extras"))
    problems += _too_long("extras.safe_place", extras.get("safe_place"), limits.safe_place_max)
    tags = _sequence(data.get("tags"))
    if limits.tags_max is not None and len(tags) > limits.tags_max:
        problems.append(FieldProblem("tags", "max_items", f"at most {limits.tags_max} tags"))
    problems += _check_customs(data, limits)
    return problems


def check_order(order: Order, limits: CarrierLimits) -> list[FieldProblem]:
    """Every way a valid ``order`` breaks ``limits``; empty when it fits."""
    return check_payload(order.model_dump(mode="json"), limits)
