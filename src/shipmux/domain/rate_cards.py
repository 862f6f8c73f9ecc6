"""Rate cards: a tenant's price list for an account whose carrier has no quote API.

A card is a list of lines, each a service priced for a set of destinations up to a
weight. ``price_order`` prices an order from a card (the cheapest fitting line of each
service); ``read_csv``/``write_csv`` are the card's file format and ``parse_lines`` the
same rules for JSON rows. Pure: the services layer stores lines and turns ``CardRate``
into the carriers' ``Rate``.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Literal

import pycountry

from shipmux.domain.errors import FieldProblem, ValidationFailed
from shipmux.domain.orders import Order, is_country

__all__ = [
    "ALL_DESTINATIONS",
    "COLUMNS",
    "MAX_LINES",
    "CardRate",
    "RateCardLine",
    "estimated_delivery",
    "parse_lines",
    "price_order",
    "read_csv",
    "write_csv",
]

COLUMNS = (
    "service_code",
    "service_name",
    "destinations",
    "max_weight_grams",
    "price",
    "price_ex_vat",
    "currency",
    "transit_days",
    "collection",
    "extras",
)
_REQUIRED = frozenset(COLUMNS) - {"transit_days", "extras"}
ALL_DESTINATIONS = "*"
MAX_LINES = 5_000
# Bounds follow the rate_cards table's columns (String(100), String(200), ...).
_MAX_PRICE = Decimal("99999.99")
_MAX_WEIGHT = 1_000_000
_MAX_TRANSIT_DAYS = 60
_EXTRA_WORD = re.compile(r"^[A-Za-z0-9_-]{1,40}$")

Collection = Literal["drop_off", "collection"]


@dataclass(frozen=True, slots=True)
class RateCardLine:
    """One priced band: ``service_code`` to ``destinations`` up to ``max_weight_grams``."""

    service_code: str
    service_name: str
    destinations: tuple[str, ...]  # ISO-2 codes, or ("*",) for everywhere
    max_weight_grams: int
    price: Decimal  # with VAT
    price_ex_vat: Decimal
    currency: str
    collection: Collection
    transit_days: int | None = None
    extras: tuple[str, ...] = ()  # included in the price

    def serves(self, country: str) -> bool:
        return ALL_DESTINATIONS in self.destinations or country.upper() in self.destinations

    def as_row(self) -> dict[str, str]:
        """The line as CSV cells (and as the JSON rows the API returns)."""
        return {
            "service_code": self.service_code,
            "service_name": self.service_name,
            "destinations": " ".join(self.destinations),
            "max_weight_grams": str(self.max_weight_grams),
            "price": str(self.price),
            "price_ex_vat": str(self.price_ex_vat),
            "currency": self.currency,
            "transit_days": "" if self.transit_days is None else str(self.transit_days),
            "collection": self.collection,
            "extras": " ".join(self.extras),
        }


@dataclass(frozen=True, slots=True)
class CardRate:
    """A service priced for one order from a card."""

    service_code: str
    service_name: str
    price: Decimal
    price_ex_vat: Decimal
    currency: str
    collection: Collection
    transit_days: int | None
    extras: tuple[str, ...]


def price_order(lines: Sequence[RateCardLine], order: Order) -> list[CardRate]:
    """Per service, the cheapest line that serves the order's country and total weight.

    The weight is the order's total (every package): a card prices a consignment, as
    Click & Drop's own price bands do. Sorted by price, then service code.
    """
    weight, country = order.total_weight_grams, order.recipient.country
    best: dict[str, RateCardLine] = {}
    for line in lines:
        if not line.serves(country) or line.max_weight_grams < weight:
            continue
        current = best.get(line.service_code)
        if current is None or line.price < current.price:
            best[line.service_code] = line
    rates = [
        CardRate(
            line.service_code,
            line.service_name,
            line.price,
            line.price_ex_vat,
            line.currency,
            line.collection,
            line.transit_days,
            line.extras,
        )
        for line in best.values()
    ]
    return sorted(rates, key=lambda r: (r.price, r.service_code))


def estimated_delivery(shipped_on: date, transit_days: int) -> date:
    """``transit_days`` working days (Monday to Friday) after ``shipped_on``."""
    day, left = shipped_on, transit_days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


# --- parsing ----------------------------------------------------------------------------


@functools.cache
def _currencies() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.currencies)


class _Row:
    """One raw row being checked; problems are collected, never raised one at a time."""

    def __init__(self, where: str, cells: Mapping[str, object]) -> None:
        self.where, self.cells = where, cells
        self.problems: list[FieldProblem] = []

    def fail(self, column: str, rule: str, message: str) -> None:
        self.problems.append(FieldProblem(f"{self.where}.{column}", rule, message))

    def text(self, column: str, max_length: int) -> str:
        raw = self.cells.get(column)
        if isinstance(raw, list | tuple):  # JSON rows may list destinations and extras
            raw = " ".join(str(part) for part in raw)
        value = "" if raw is None else str(raw).strip()
        if not value and column in _REQUIRED:
            self.fail(column, "required", "must not be empty")
        elif len(value) > max_length:
            self.fail(column, "max_length", f"must be at most {max_length} characters")
        return value

    def integer(self, column: str, low: int, high: int) -> int | None:
        value = self.text(column, 20)
        if not value:
            return None
        try:
            number = int(value)
        except ValueError:
            self.fail(column, "integer", f"'{value}' is not a whole number")
            return None
        if not low <= number <= high:
            self.fail(column, "range", f"must be between {low} and {high} (got {number})")
        return number

    def money(self, column: str) -> Decimal | None:
        """The amount with two places; ``None`` when missing or wrong (already reported)."""
        value = self.text(column, 20)
        if not value:
            return None
        try:
            amount = Decimal(value)
        except InvalidOperation:
            self.fail(column, "decimal", f"'{value}' is not a number")
            return None
        if not amount.is_finite() or not Decimal(0) <= amount <= _MAX_PRICE:
            self.fail(column, "range", f"must be between 0 and {_MAX_PRICE} (got {value})")
            return None
        if amount != amount.quantize(Decimal("0.01")):
            self.fail(column, "decimal_places", f"at most 2 decimal places (got {value})")
        return amount.quantize(Decimal("0.01"))

    def destinations(self) -> tuple[str, ...]:
        codes = self.text("destinations", 2000).upper().split()
        if codes == [ALL_DESTINATIONS]:
            return (ALL_DESTINATIONS,)
        bad = [c for c in codes if c == ALL_DESTINATIONS or not is_country(c)]
        if bad:
            self.fail(
                "destinations",
                "country",
                f"'{' '.join(bad)}': give ISO 3166-1 alpha-2 codes separated by spaces, or *",
            )
        return tuple(dict.fromkeys(codes))

    def extras(self) -> tuple[str, ...]:
        words = self.text("extras", 200).split()
        bad = [w for w in words if not _EXTRA_WORD.match(w)]
        if bad:
            self.fail("extras", "pattern", f"'{' '.join(bad)}': words of letters, digits, _ or -")
        return tuple(words)

    def collection(self) -> Collection:
        value = self.text("collection", 20).lower()
        if value == "collection":
            return "collection"
        if value and value != "drop_off":
            self.fail("collection", "enum", f"must be drop_off or collection (got '{value}')")
        return "drop_off"

    def currency(self) -> str:
        value = self.text("currency", 3).upper()
        if value and value not in _currencies():
            self.fail("currency", "currency", f"'{value}' is not an ISO 4217 currency code")
        return value

    def line(self) -> RateCardLine:
        extra = sorted(str(k) for k in self.cells if k not in COLUMNS)
        for name in extra:
            self.fail(name, "extra_forbidden", f"unknown column; columns: {', '.join(COLUMNS)}")
        price, price_ex_vat = self.money("price"), self.money("price_ex_vat")
        if price is not None and price_ex_vat is not None and price_ex_vat > price:
            self.fail("price_ex_vat", "le_price", "must not be more than price (with VAT)")
        return RateCardLine(
            service_code=self.text("service_code", 100),
            service_name=self.text("service_name", 200),
            destinations=self.destinations(),
            max_weight_grams=self.integer("max_weight_grams", 1, _MAX_WEIGHT) or 0,
            price=price or Decimal(0),
            price_ex_vat=price_ex_vat or Decimal(0),
            currency=self.currency(),
            collection=self.collection(),
            transit_days=self.integer("transit_days", 0, _MAX_TRANSIT_DAYS),
            extras=self.extras(),
        )


def parse_lines(
    rows: Sequence[Mapping[str, object]], where: Callable[[int], str] = lambda i: f"rows[{i}]"
) -> list[RateCardLine]:
    """Check every row; raise ``ValidationFailed`` naming each bad cell, else the lines.

    ``where(i)`` names row ``i`` in problems: ``rows[0]`` for JSON, ``line[2]`` for CSV.
    """
    if len(rows) > MAX_LINES:
        raise ValidationFailed(
            [FieldProblem("rows", "max_items", f"at most {MAX_LINES} lines per card")]
        )
    problems: list[FieldProblem] = []
    lines: list[RateCardLine] = []
    seen: dict[tuple[str, tuple[str, ...], int], int] = {}
    for i, cells in enumerate(rows):
        row = _Row(where(i), cells)
        line = row.line()
        key = (line.service_code, tuple(sorted(line.destinations)), line.max_weight_grams)
        if not row.problems and key in seen:
            row.fail(
                "service_code",
                "unique",
                f"same service, destinations and max weight as {where(seen[key])}",
            )
        seen.setdefault(key, i)
        problems += row.problems
        lines.append(line)
    if problems:
        raise ValidationFailed(problems, f"the rate card has {len(problems)} problem(s)")
    return lines


def read_csv(text: str) -> list[RateCardLine]:
    """Parse a card's CSV (header row first); problems name ``line[n].column``.

    ``n`` is the line number a spreadsheet shows: the header is line 1.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), restkey="_extra_cells")
    try:
        header = [h.strip() for h in reader.fieldnames or []]
        reader.fieldnames = header
        raw = [
            (reader.line_num, row)
            for row in reader
            if any((v or "").strip() for v in row.values() if isinstance(v, str))
        ]
    except csv.Error as exc:
        raise ValidationFailed(
            [FieldProblem(f"line[{reader.line_num}]", "csv", f"not valid CSV: {exc}")]
        ) from exc
    problems = [
        FieldProblem("header", "required", f"missing column '{name}'")
        for name in COLUMNS
        if name not in header and name in _REQUIRED
    ]
    problems += [
        FieldProblem("header", "extra_forbidden", f"unknown column '{name}'")
        for name in header
        if name not in COLUMNS
    ]
    problems += [
        FieldProblem(f"line[{n}]", "columns", f"has more cells than the header's {len(header)}")
        for n, row in raw
        if "_extra_cells" in row
    ]
    if problems:
        raise ValidationFailed(problems, "the rate card's CSV does not have the expected columns")
    numbers = [n for n, _ in raw]
    return parse_lines([row for _, row in raw], lambda i: f"line[{numbers[i]}]")


def write_csv(lines: Sequence[RateCardLine]) -> str:
    """The card as CSV, header first; ``read_csv`` reads it back unchanged."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for line in lines:
        writer.writerow(line.as_row())
    return out.getvalue()
