"""Routing: which carrier account an order without a named account goes to.

A tenant's ``RoutingPolicy`` holds ordered rules (the first whose ``match`` fits the
order wins) and a fallback ``strategy``. ``decide`` is pure: it either names an account
(``Routed``), asks for quotes (``ByQuotes``: cheapest or fastest, resolved by
``services.routing.resolve_by_quotes``), or says why it cannot (``Unroutable``).

Rule indexes are 0-based everywhere: ``rules[2]`` in a validation error and
``routed_by = "rule:2"`` name the same rule.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from shipmux.domain.errors import FieldProblem
from shipmux.domain.orders import Order, is_country

__all__ = [
    "ByQuotes",
    "QuoteStrategy",
    "RoutableAccount",
    "RouteDecision",
    "Routed",
    "RoutingPolicy",
    "RoutingRule",
    "RuleMatch",
    "RuleTarget",
    "Strategy",
    "Unroutable",
    "decide",
    "max_price",
    "order_value",
]


class Strategy(enum.StrEnum):
    DEFAULT = "default"  # the tenant's default (or only) account, as before routing existed
    CHEAPEST = "cheapest"  # lowest price with VAT among the quotes
    FASTEST = "fastest"  # earliest estimated delivery; ties go to the cheaper


class QuoteStrategy(enum.StrEnum):
    """The strategies that need quotes (a rule's target cannot be ``default``)."""

    CHEAPEST = "cheapest"
    FASTEST = "fastest"


def _country(code: str) -> str:
    if not is_country(code):
        raise ValueError(f"'{code}' is not an ISO 3166-1 alpha-2 country code")
    return code.upper()


Country = Annotated[str, Field(min_length=2, max_length=2), AfterValidator(_country)]
Grams = Annotated[int, Field(ge=0, le=50_000_000)]
Amount = Annotated[
    Decimal,
    Field(ge=0, le=999_999, max_digits=9, decimal_places=2),
    AfterValidator(lambda d: d.quantize(Decimal("0.01"))),  # one spelling: "0.50", not "0.5"
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class RuleMatch(_Model):
    """What an order must be for the rule to apply; every bound is inclusive, all optional."""

    countries: list[Country] | None = Field(
        default=None, min_length=1, max_length=250, description="Recipient country, any of"
    )
    min_weight_grams: Grams | None = None
    max_weight_grams: Grams | None = None
    min_value: Amount | None = Field(default=None, description="Goods value (see order_value)")
    max_value: Amount | None = None
    tags: list[Annotated[str, Field(min_length=1, max_length=100)]] | None = Field(
        default=None, min_length=1, max_length=50, description="The order has any of these tags"
    )

    @model_validator(mode="after")
    def _bounds_in_order(self) -> Self:
        for low, high in (("min_weight_grams", "max_weight_grams"), ("min_value", "max_value")):
            lo, hi = getattr(self, low), getattr(self, high)
            if lo is not None and hi is not None and lo > hi:
                raise ValueError(f"{low} ({lo}) is more than {high} ({hi})")
        return self

    def fits(self, order: Order) -> bool:
        weight, value = order.total_weight_grams, order_value(order)
        return (
            (self.countries is None or order.recipient.country in self.countries)
            and (self.min_weight_grams is None or weight >= self.min_weight_grams)
            and (self.max_weight_grams is None or weight <= self.max_weight_grams)
            and (self.min_value is None or value >= self.min_value)
            and (self.max_value is None or value <= self.max_value)
            and (self.tags is None or not set(self.tags).isdisjoint(order.tags))
        )


class RuleTarget(_Model):
    """Where a matching order goes: a named account, or a strategy over quotes."""

    account: str | None = Field(default=None, min_length=1, max_length=100)
    strategy: QuoteStrategy | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.account is None) == (self.strategy is None):
            raise ValueError("give exactly one of 'account' or 'strategy'")
        return self


class RoutingRule(_Model):
    name: str | None = Field(default=None, max_length=100, description="For people; optional")
    match: RuleMatch = Field(default_factory=RuleMatch, description="Empty: every order")
    target: RuleTarget


class RoutingPolicy(_Model):
    """A tenant's routing: rules in order, then ``strategy``; and how quotes are taken."""

    rules: list[RoutingRule] = Field(default_factory=list, max_length=100)
    strategy: Strategy = Strategy.DEFAULT
    quote_timeout_seconds: float = Field(
        default=10.0, gt=0, le=60, description="How long each account may take to quote"
    )
    price_tolerance: Amount = Field(
        default=Decimal("0"),
        description="How much a price may rise between quote and payment (currency units)",
    )


def order_value(order: Order) -> Decimal:
    """The goods value rules compare: the subtotal, else the sum of the item lines."""
    if order.subtotal > 0:
        return order.subtotal
    return sum((i.unit_value * i.quantity for i in order.items), Decimal(0))


def max_price(quoted: Decimal, tolerance: Decimal) -> Decimal:
    """The most a payment may cost after quoting ``quoted`` (pass to ``Carrier.pay``)."""
    return quoted + tolerance


@dataclass(frozen=True, slots=True)
class RoutableAccount:
    """What routing needs to know of a carrier account."""

    id: str
    name: str
    carrier: str
    is_default: bool = False
    paused: bool = False


@dataclass(frozen=True, slots=True)
class Routed:
    """Send the order to ``account``; ``routed_by`` is explicit | rule:<n> | default."""

    account: RoutableAccount
    routed_by: str


@dataclass(frozen=True, slots=True)
class ByQuotes:
    """Quote the order and pick by ``strategy``; ``routed_by`` is rule:<n> | cheapest | fastest."""

    strategy: QuoteStrategy
    routed_by: str


@dataclass(frozen=True, slots=True)
class Unroutable:
    """No account can be chosen; ``problem`` is what intake reports for the order."""

    problem: FieldProblem
    routed_by: str | None = None


RouteDecision = Routed | ByQuotes | Unroutable


def _default(accounts: Sequence[RoutableAccount]) -> Routed | Unroutable:
    # The same choice intake made before routing existed: the default, else the only one.
    defaults = [a for a in accounts if a.is_default] or list(accounts)
    if len(defaults) == 1:
        return Routed(defaults[0], "default")
    message = (
        "no carrier account is connected"
        if not defaults
        else "several carrier accounts are connected: name one or set a routing policy"
    )
    return Unroutable(FieldProblem("carrier_account", "required", message))


def _by_name(accounts: Sequence[RoutableAccount], name: str) -> RoutableAccount | None:
    return next((a for a in accounts if a.name == name), None)


def decide(
    order: Order, policy: RoutingPolicy, accounts: Sequence[RoutableAccount]
) -> RouteDecision:
    """Where ``order`` goes under ``policy`` among the tenant's ``accounts``.

    An order that names its account keeps it (``explicit``). Otherwise the first
    matching rule decides (``rule:<n>``), else the policy's strategy. A rule naming an
    account that no longer exists makes the order ``Unroutable`` rather than silently
    falling through to a later rule: the tenant asked for that account. A paused account
    is still chosen (its jobs wait until it is resumed); quotes leave it out.
    """
    if order.carrier_account is not None:
        named = _by_name(accounts, order.carrier_account)
        if named is None:
            return Unroutable(
                FieldProblem(
                    "carrier_account",
                    "unknown",
                    f"no carrier account named '{order.carrier_account}'",
                )
            )
        return Routed(named, "explicit")
    for index, rule in enumerate(policy.rules):
        if not rule.match.fits(order):
            continue
        routed_by = f"rule:{index}"
        if rule.target.strategy is not None:
            return ByQuotes(rule.target.strategy, routed_by)
        assert rule.target.account is not None  # RuleTarget holds exactly one
        account = _by_name(accounts, rule.target.account)
        if account is None:
            return Unroutable(
                FieldProblem(
                    "carrier_account",
                    "unknown",
                    f"routing rule {index} names account '{rule.target.account}', "
                    "which is not connected",
                ),
                routed_by,
            )
        return Routed(account, routed_by)
    if policy.strategy is Strategy.DEFAULT:
        return _default(accounts)
    return ByQuotes(QuoteStrategy(policy.strategy.value), policy.strategy.value)
