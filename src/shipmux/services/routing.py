"""Routing policies stored per tenant, and strategies resolved by quotes.

Intake calls ``domain.routing.decide`` with ``policy_in(session, ...)`` and
``routable_accounts(session, ...)``; for a ``ByQuotes`` decision the worker calls
``resolve_by_quotes`` and sends the order to the account and service it returns,
paying at most ``domain.routing.max_price(rate.price, policy.price_tolerance)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from shipmux.carriers.base import Rate
from shipmux.domain.errors import FieldProblem, NotFound, ValidationFailed
from shipmux.domain.orders import Order
from shipmux.domain.routing import QuoteStrategy, RoutableAccount, RoutingPolicy, Strategy
from shipmux.services.context import HubContext
from shipmux.services.quotes import QuoteEntry, QuoteFailure, quote_order
from shipmux.storage.db import Database
from shipmux.storage.tables import CarrierAccountRow, RoutingPolicyRow, TenantRow

__all__ = [
    "NotResolved",
    "Resolved",
    "StoredPolicy",
    "choose",
    "load_policy",
    "policy_in",
    "resolve_by_quotes",
    "routable",
    "routable_accounts",
    "save_policy",
]


@dataclass(frozen=True, slots=True)
class StoredPolicy:
    policy: RoutingPolicy
    updated_at: datetime | None  # None: the tenant never set one (the defaults apply)


def _tenant_row(session: Session, tenant_id: str) -> TenantRow:
    tenant = session.get(TenantRow, tenant_id)
    if tenant is None:
        raise NotFound(f"no tenant '{tenant_id}'")
    return tenant


def _stored(session: Session, tenant_id: str) -> StoredPolicy:
    tenant = _tenant_row(session, tenant_id)
    # Money kept as a float column: two places bring back the amount that was set.
    tolerance = Decimal(str(tenant.price_tolerance)).quantize(Decimal("0.01"))
    row = session.get(RoutingPolicyRow, tenant_id)
    if row is None:
        return StoredPolicy(RoutingPolicy(price_tolerance=tolerance), None)
    policy = RoutingPolicy.model_validate(
        {
            "rules": row.rules,
            "strategy": row.strategy,
            "quote_timeout_seconds": row.quote_timeout_seconds,
            "price_tolerance": tolerance,
        }
    )
    return StoredPolicy(policy, row.updated_at)


def policy_in(session: Session, tenant_id: str) -> RoutingPolicy:
    """The tenant's policy, read in the caller's session (intake's)."""
    return _stored(session, tenant_id).policy


def load_policy(db: Database, tenant_id: str) -> StoredPolicy:
    """The tenant's policy and when it was last set; the defaults when never set."""
    with db.reading() as session:
        return _stored(session, tenant_id)


def routable(row: CarrierAccountRow) -> RoutableAccount:
    return RoutableAccount(
        row.id, row.name, row.carrier, row.is_default, row.paused_reason is not None
    )


def routable_accounts(session: Session, tenant_id: str) -> list[RoutableAccount]:
    rows = session.scalars(
        select(CarrierAccountRow)
        .where(CarrierAccountRow.tenant_id == tenant_id)
        .order_by(CarrierAccountRow.name)
    )
    return [routable(r) for r in rows]


def _unknown_accounts(policy: RoutingPolicy, names: set[str]) -> list[FieldProblem]:
    return [
        FieldProblem(
            f"rules[{i}].target.account",
            "unknown",
            f"no carrier account named '{rule.target.account}'",
        )
        for i, rule in enumerate(policy.rules)
        if rule.target.account is not None and rule.target.account not in names
    ]


def save_policy(db: Database, tenant_id: str, policy: RoutingPolicy) -> StoredPolicy:
    """Replace the tenant's policy; every account a rule names must be connected."""
    now = datetime.now(UTC)
    with db.transaction() as session:
        tenant = _tenant_row(session, tenant_id)
        names = {a.name for a in routable_accounts(session, tenant_id)}
        problems = _unknown_accounts(policy, names)
        if problems:
            raise ValidationFailed(problems)
        dumped = policy.model_dump(mode="json")
        row = session.get(RoutingPolicyRow, tenant_id)
        if row is None:
            row = RoutingPolicyRow(tenant_id=tenant_id)
            session.add(row)
        row.rules = dumped["rules"]
        row.strategy = policy.strategy.value
        row.quote_timeout_seconds = policy.quote_timeout_seconds
        row.updated_at = now
        tenant.price_tolerance = float(policy.price_tolerance)
    return StoredPolicy(policy, now)


# --- strategies ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Resolved:
    """The account and service a strategy chose, with the rate it was chosen at."""

    account_id: str
    account_name: str
    carrier: str
    rate: Rate  # rate.service_code is the service to book; rate.price the quoted price
    failures: list[QuoteFailure]  # accounts that gave no rate (for the shipment's history)


@dataclass(frozen=True, slots=True)
class NotResolved:
    """No account quoted: ``reason`` sums up ``failures`` in words."""

    reason: str
    failures: list[QuoteFailure]


def choose(entries: list[QuoteEntry], strategy: QuoteStrategy | Strategy) -> QuoteEntry | None:
    """Cheapest: lowest price with VAT (then earliest delivery). Fastest: earliest
    estimated delivery (rates without one last), then lowest price. Names break ties,
    so the choice is the same every time for the same quotes."""
    if not entries:
        return None

    def cheapest(e: QuoteEntry) -> tuple[Decimal, date, str, str]:
        delivery = e.rate.estimated_delivery or date.max
        return (e.rate.price, delivery, e.account_name, e.rate.service_code)

    def fastest(e: QuoteEntry) -> tuple[date, Decimal, str, str]:
        delivery = e.rate.estimated_delivery or date.max
        return (delivery, e.rate.price, e.account_name, e.rate.service_code)

    if strategy == QuoteStrategy.FASTEST:
        return min(entries, key=fastest)
    if strategy == QuoteStrategy.CHEAPEST:
        return min(entries, key=cheapest)
    raise ValueError(f"'{strategy}' is not resolved by quotes")


async def resolve_by_quotes(
    ctx: HubContext,
    tenant_id: str,
    order: Order,
    strategy: QuoteStrategy | Strategy,
    timeout: float,
) -> Resolved | NotResolved:
    """Quote ``order`` at every unpaused account of the tenant and pick by ``strategy``.

    ``timeout`` is per account (the policy's ``quote_timeout_seconds``). Never raises for
    a carrier's failure: with no rate at all, ``NotResolved`` says why per account.
    """
    board = await quote_order(ctx, tenant_id, order, timeout=timeout)
    chosen = choose(board.entries, strategy)
    if chosen is None:
        why = "; ".join(f"{f.account_name}: {f.reason}" for f in board.failures)
        return NotResolved(
            f"no account quoted for this order ({why or 'no carrier account is connected'})",
            board.failures,
        )
    return Resolved(
        chosen.account_id, chosen.account_name, chosen.carrier, chosen.rate, board.failures
    )
