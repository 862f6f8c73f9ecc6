"""Routing: policies validated by rule index, and where each order goes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from shipmux.domain.routing import (
    ByQuotes,
    QuoteStrategy,
    RoutableAccount,
    Routed,
    RoutingPolicy,
    Unroutable,
    decide,
    max_price,
    order_value,
)
from tests.factories import make_address, make_item, make_order

CD = RoutableAccount("acc_cd", "royal-mail", "click-and-drop", is_default=True)
P2G = RoutableAccount("acc_p2g", "p2g", "parcel2go")
ACCOUNTS = [CD, P2G]


def _policy(**data: Any) -> RoutingPolicy:
    return RoutingPolicy.model_validate(data)


def _fields(data: dict[str, Any]) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        RoutingPolicy.model_validate(data)
    return {".".join(str(p) for p in e["loc"]) for e in caught.value.errors()}


def test_bad_rules_are_named_by_index_and_field() -> None:
    assert _fields(
        {
            "rules": [
                {"target": {"account": "p2g"}},
                {"match": {"countries": ["XX"]}, "target": {"account": "p2g"}},
                {"match": {"min_weight_grams": 5, "max_weight_grams": 1}, "target": {}},
                {"match": {"max_value": "1.234"}, "target": {"strategy": "slowest"}},
            ],
            "strategy": "random",
            "quote_timeout_seconds": 0,
        }
    ) == {
        "rules.1.match.countries.0",
        "rules.2.match",
        "rules.2.target",
        "rules.3.match.max_value",
        "rules.3.target.strategy",
        "strategy",
        "quote_timeout_seconds",
    }
    assert _fields({"rules": [{"target": {"account": "a", "strategy": "cheapest"}}]}) == {
        "rules.0.target"
    }


def test_without_rules_the_default_account_takes_the_order_as_before() -> None:
    decision = decide(make_order(carrier_account=None), RoutingPolicy(), ACCOUNTS)
    assert decision == Routed(CD, "default")
    only = decide(make_order(), RoutingPolicy(), [P2G])
    assert only == Routed(P2G, "default")


def test_no_or_several_defaults_cannot_be_routed() -> None:
    none = decide(make_order(), RoutingPolicy(), [])
    assert isinstance(none, Unroutable)
    assert (none.problem.field, none.problem.rule) == ("carrier_account", "required")
    two = [RoutableAccount("a", "a", "click-and-drop"), RoutableAccount("b", "b", "parcel2go")]
    assert isinstance(decide(make_order(), RoutingPolicy(), two), Unroutable)


def test_an_order_naming_its_account_keeps_it() -> None:
    policy = _policy(rules=[{"target": {"strategy": "cheapest"}}])
    assert decide(make_order(carrier_account="p2g"), policy, ACCOUNTS) == Routed(P2G, "explicit")
    unknown = decide(make_order(carrier_account="dhl"), policy, ACCOUNTS)
    assert isinstance(unknown, Unroutable)
    assert unknown.problem.rule == "unknown"


def test_the_first_matching_rule_wins() -> None:
    policy = _policy(
        rules=[
            {"match": {"countries": ["DE", "FR"]}, "target": {"strategy": "fastest"}},
            {"match": {"min_weight_grams": 2000}, "target": {"account": "p2g"}},
            {"match": {"tags": ["fragile", "glass"]}, "target": {"account": "royal-mail"}},
        ],
        strategy="cheapest",
    )
    german = make_order(recipient=make_address(country="DE"), packages=[{"weight_grams": 5000}])
    assert decide(german, policy, ACCOUNTS) == ByQuotes(QuoteStrategy.FASTEST, "rule:0")
    heavy = make_order(packages=[{"weight_grams": 2000}], tags=["glass"])
    assert decide(heavy, policy, ACCOUNTS) == Routed(P2G, "rule:1")
    glass = make_order(tags=["gift", "glass"])
    assert decide(glass, policy, ACCOUNTS) == Routed(CD, "rule:2")
    plain = make_order()
    assert decide(plain, policy, ACCOUNTS) == ByQuotes(QuoteStrategy.CHEAPEST, "cheapest")


def test_value_bounds_are_inclusive_and_use_the_goods_value() -> None:
    policy = _policy(
        rules=[{"match": {"min_value": "10", "max_value": "15.00"}, "target": {"account": "p2g"}}]
    )
    assert decide(make_order(subtotal=Decimal("15.00")), policy, ACCOUNTS) == Routed(P2G, "rule:0")
    assert decide(make_order(subtotal=Decimal("15.01")), policy, ACCOUNTS) == Routed(CD, "default")
    # Without a subtotal the item lines are summed: 3 x 4.00.
    lines_only = make_order(subtotal=Decimal(0), items=[make_item(quantity=3, unit_value="4")])
    assert order_value(lines_only) == Decimal("12.00")
    assert decide(lines_only, policy, ACCOUNTS) == Routed(P2G, "rule:0")


def test_a_rule_naming_a_gone_account_stops_routing_instead_of_falling_through() -> None:
    policy = _policy(rules=[{"target": {"account": "gone"}}])
    decision = decide(make_order(), policy, ACCOUNTS)
    assert isinstance(decision, Unroutable)
    assert decision.routed_by == "rule:0"
    assert "gone" in decision.problem.message


def test_the_price_tolerance_caps_the_payment() -> None:
    policy = _policy(price_tolerance="0.50")
    assert max_price(Decimal("4.45"), policy.price_tolerance) == Decimal("4.95")
    assert max_price(Decimal("4.45"), RoutingPolicy().price_tolerance) == Decimal("4.45")
