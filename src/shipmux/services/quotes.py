"""Quotes: every account of a tenant priced for one order, side by side.

Accounts whose connector declares ``Capability.QUOTE`` are asked, concurrently, each
under its own timeout so one slow carrier holds up nobody. The others are priced from
their rate card. Whatever goes wrong is listed per account in ``failures``; a quote
never raises because one carrier did.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

import structlog
from pydantic import ValidationError
from sqlalchemy import select

from shipmux import carriers
from shipmux.carriers.base import Capability, Rate, RateExtra
from shipmux.carriers.errors import CarrierError, FeatureUnavailable
from shipmux.carriers.http import Exchange, exchange_sink
from shipmux.domain.errors import FieldProblem, ValidationFailed
from shipmux.domain.orders import Order
from shipmux.domain.rate_cards import RateCardLine, estimated_delivery, price_order
from shipmux.services.context import HubContext
from shipmux.services.exchanges import exchange_values, is_kept, store_exchanges
from shipmux.services.problems import problems_from_validation
from shipmux.services.rate_cards import cards_of
from shipmux.storage.tables import CarrierAccountRow

__all__ = [
    "QUOTE_PLACEHOLDER",
    "QuoteBoard",
    "QuoteEntry",
    "QuoteFailure",
    "quotable_order",
    "quote_order",
]

log = structlog.get_logger(__name__)

Source = Literal["carrier", "rate_card"]
FailureCode = Literal[
    "timeout", "carrier_error", "unavailable", "no_rates", "no_rate_card", "paused", "error"
]


@dataclass(frozen=True, slots=True)
class QuoteEntry:
    """One priced service of one account."""

    account_id: str
    account_name: str
    carrier: str
    source: Source  # the carrier's quote API, or the tenant's rate card
    rate: Rate


@dataclass(frozen=True, slots=True)
class QuoteFailure:
    """An account that gave no rate, and why (``code`` for programs, ``reason`` for people)."""

    account_id: str
    account_name: str
    carrier: str
    code: FailureCode
    reason: str


@dataclass(slots=True)
class QuoteBoard:
    """Every rate found, cheapest first, and every account that gave none."""

    entries: list[QuoteEntry] = field(default_factory=list)
    failures: list[QuoteFailure] = field(default_factory=list)
    quoted_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class _Account:
    row: CarrierAccountRow
    card: list[RateCardLine]

    def failure(self, code: FailureCode, reason: str) -> QuoteFailure:
        return QuoteFailure(self.row.id, self.row.name, self.row.carrier, code, reason)

    def entries(self, source: Source, rates: Sequence[Rate]) -> list[QuoteEntry]:
        row = self.row
        return [QuoteEntry(row.id, row.name, row.carrier, source, r) for r in rates]


# --- the request ------------------------------------------------------------------------

QUOTE_PLACEHOLDER = "(quote)"
_INCLUDED = Decimal("0.00")  # a card's extras are in its price
_ADDRESS_PLACEHOLDERS = {"name": QUOTE_PLACEHOLDER, "line1": QUOTE_PLACEHOLDER, "city": "-"}


def quotable_order(raw: Any) -> Order:
    """An order from a quote request: the order shape, with what prices need only.

    A quote needs the countries, postcodes, packages and value; so ``reference`` and an
    address's ``name``, ``line1`` and ``city`` may be left out and are filled with
    placeholders. Everything given is validated as intake validates it; problems name
    fields the same way (``recipient.country``, ``packages[0].weight_grams``).
    """
    if not isinstance(raw, dict):
        raise ValidationFailed([FieldProblem("body", "type", "must be an order object")])
    data = {"reference": QUOTE_PLACEHOLDER, **raw}
    for part in ("recipient", "sender"):
        if isinstance(data.get(part), dict):
            data[part] = {**_ADDRESS_PLACEHOLDERS, **data[part]}
    try:
        return Order.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(problems_from_validation(exc)) from exc


# --- gathering --------------------------------------------------------------------------


def _load(ctx: HubContext, tenant_id: str, account_ids: Collection[str] | None) -> list[_Account]:
    with ctx.db.reading() as session:
        query = select(CarrierAccountRow).where(CarrierAccountRow.tenant_id == tenant_id)
        if account_ids is not None:
            query = query.where(CarrierAccountRow.id.in_(list(account_ids)))
        rows = list(session.scalars(query.order_by(CarrierAccountRow.name)))
        cards = cards_of(session, tenant_id, [r.id for r in rows])
    if account_ids is not None:
        found = {r.id for r in rows}
        missing = [i for i in account_ids if i not in found]
        if missing:
            raise ValidationFailed(
                [
                    FieldProblem("account_id", "unknown", f"no carrier account '{i}'")
                    for i in missing
                ]
            )
    return [_Account(r, cards.get(r.id, [])) for r in rows]


def _quotes_by_api(row: CarrierAccountRow) -> bool:
    entry = carriers.registry().get(row.carrier)
    return entry is not None and Capability.QUOTE in entry.connector.capabilities


def _card_rates(account: _Account, order: Order) -> list[QuoteEntry] | QuoteFailure:
    priced = price_order(account.card, order)
    if not priced:
        return account.failure(
            "no_rates",
            f"no rate card line serves {order.recipient.country} at {order.total_weight_grams} g",
        )
    today = datetime.now(UTC).date()
    entry = carriers.registry().get(account.row.carrier)
    courier = entry.title if entry is not None else account.row.carrier
    rates = [
        Rate(
            service_code=p.service_code,
            service_name=p.service_name,
            courier=courier,
            price=p.price,
            price_ex_vat=p.price_ex_vat,
            currency=p.currency,
            collection=p.collection,
            estimated_delivery=(
                None if p.transit_days is None else estimated_delivery(today, p.transit_days)
            ),
            extras=tuple(RateExtra(kind, _INCLUDED, _INCLUDED) for kind in p.extras),
        )
        for p in priced
    ]
    return account.entries("rate_card", rates)


async def _api_rates(
    ctx: HubContext, account: _Account, order: Order, timeout: float, sink: list[Exchange]
) -> list[QuoteEntry] | QuoteFailure:
    token = exchange_sink.set(sink)  # this account's calls, recorded under its id
    try:
        connector = ctx.carriers.get(account.row)
        rates = await asyncio.wait_for(connector.quote(order), timeout)
    except TimeoutError:
        return account.failure("timeout", f"no answer within {timeout:g} s")
    except FeatureUnavailable as exc:
        return account.failure("unavailable", exc.describe())
    except CarrierError as exc:
        return account.failure("carrier_error", exc.describe())
    except Exception as exc:
        # A connector bug must not sink every other account's rates; it is logged in full.
        log.exception("quote_failed", account_id=account.row.id, carrier=account.row.carrier)
        return account.failure("error", f"{type(exc).__name__}: {exc}")
    finally:
        exchange_sink.reset(token)
    if not rates:
        return account.failure("no_rates", "the carrier offered no service for this order")
    return account.entries("carrier", rates)


async def _rates(
    ctx: HubContext, account: _Account, order: Order, timeout: float, sink: list[Exchange]
) -> list[QuoteEntry] | QuoteFailure:
    row = account.row
    if row.paused_reason is not None:
        return account.failure("paused", f"account paused: {row.paused_reason}")
    if _quotes_by_api(row):
        return await _api_rates(ctx, account, order, timeout, sink)
    if account.card:
        return _card_rates(account, order)
    return account.failure("no_rate_card", "no rates: upload a rate card")


def _record(
    ctx: HubContext, tenant_id: str, accounts: list[_Account], sinks: list[list[Exchange]]
) -> None:
    """Every carrier call the quotes made, as exchanges of their accounts."""
    keep_all = ctx.settings.keep_successful_exchanges
    rows = [
        exchange_values(x, tenant_id, account.row.id)
        for account, sink in zip(accounts, sinks, strict=True)
        for x in sink
        if is_kept(x, keep_all)
    ]
    if rows:
        with ctx.db.transaction() as session:
            store_exchanges(session, rows)


def _sort_key(entry: QuoteEntry) -> tuple[Decimal, str, str, str]:
    delivery = entry.rate.estimated_delivery
    return (
        entry.rate.price,
        delivery.isoformat() if delivery else "9999",
        entry.account_name,
        entry.rate.service_code,
    )


async def quote_order(
    ctx: HubContext,
    tenant_id: str,
    order: Order,
    *,
    account_ids: Collection[str] | None = None,
    timeout: float,
) -> QuoteBoard:
    """Price ``order`` at every account of the tenant (or those of ``account_ids``).

    Each quoting account has ``timeout`` seconds, all at once. Paused accounts, accounts
    without a quote API or rate card, timeouts and carrier errors become ``failures``.
    Raises ``ValidationFailed`` only when ``account_ids`` names an account the tenant
    does not have.
    """
    accounts = await asyncio.to_thread(_load, ctx, tenant_id, account_ids)
    sinks: list[list[Exchange]] = [[] for _ in accounts]
    results = await asyncio.gather(
        *(_rates(ctx, a, order, timeout, sink) for a, sink in zip(accounts, sinks, strict=True))
    )
    await asyncio.to_thread(_record, ctx, tenant_id, accounts, sinks)
    board = QuoteBoard()
    for result in results:
        if isinstance(result, QuoteFailure):
            board.failures.append(result)
        else:
            board.entries.extend(result)
    board.entries.sort(key=_sort_key)
    return board
