"""Routing policies below the API: stored per tenant, read in intake's session, decided."""

from __future__ import annotations

import secrets
from decimal import Decimal

import pytest

from shipmux.domain.errors import ValidationFailed
from shipmux.domain.routing import (
    ByQuotes,
    QuoteStrategy,
    Routed,
    RoutingPolicy,
    decide,
    max_price,
)
from shipmux.services import accounts, tenants
from shipmux.services.context import HubContext
from shipmux.services.routing import load_policy, policy_in, routable_accounts, save_policy
from tests.factories import make_address, make_order


def _tenant(hub: HubContext, *names: str) -> str:
    tenant_id = tenants.create_tenant(hub.db, "t")
    for i, name in enumerate(names):
        accounts.connect_account(
            hub.db,
            hub.secret_box,
            tenant_id,
            name=name,
            carrier="click-and-drop",
            settings={"api_key": secrets.token_hex(18)},
            is_default=i == 0,
        )
    return tenant_id


def test_a_stored_policy_routes_orders_read_in_one_session(hub: HubContext) -> None:
    tenant_id = _tenant(hub, "royal-mail", "spare")
    policy = RoutingPolicy.model_validate(
        {
            "rules": [
                {"match": {"countries": ["DE"]}, "target": {"strategy": "cheapest"}},
                {"match": {"tags": ["spare"]}, "target": {"account": "spare"}},
            ],
            "strategy": "default",
            "quote_timeout_seconds": 3.5,
            "price_tolerance": "0.25",
        }
    )
    save_policy(hub.db, tenant_id, policy)

    with hub.db.reading() as session:
        stored = policy_in(session, tenant_id)
        known = routable_accounts(session, tenant_id)
    assert stored == policy
    by_name = {a.name: a for a in known}
    german = make_order(recipient=make_address(country="DE"))
    assert decide(german, stored, known) == ByQuotes(QuoteStrategy.CHEAPEST, "rule:0")
    assert decide(make_order(tags=["spare"]), stored, known) == Routed(by_name["spare"], "rule:1")
    assert decide(make_order(), stored, known) == Routed(by_name["royal-mail"], "default")
    assert max_price(Decimal("3.11"), stored.price_tolerance) == Decimal("3.36")


def test_paused_accounts_are_known_to_routing_as_paused(hub: HubContext) -> None:
    tenant_id = _tenant(hub, "royal-mail")
    [view] = accounts.list_accounts(hub.db, tenant_id)
    accounts.pause_account(hub.db, tenant_id, view.id, "auth failed")
    with hub.db.reading() as session:
        [account] = routable_accounts(session, tenant_id)
    assert account.paused


def test_a_rule_must_name_a_connected_account_of_the_same_tenant(hub: HubContext) -> None:
    mine = _tenant(hub, "royal-mail")
    _tenant(hub, "theirs")
    policy = RoutingPolicy.model_validate(
        {"rules": [{"target": {"account": "royal-mail"}}, {"target": {"account": "theirs"}}]}
    )
    with pytest.raises(ValidationFailed) as caught:
        save_policy(hub.db, mine, policy)
    assert [(p.field, p.rule) for p in caught.value.problems] == [
        ("rules[1].target.account", "unknown")
    ]
    assert load_policy(hub.db, mine).updated_at is None


def test_each_tenant_reads_its_own_policy(hub: HubContext) -> None:
    mine, theirs = _tenant(hub, "a"), _tenant(hub, "b")
    save_policy(hub.db, mine, RoutingPolicy.model_validate({"strategy": "fastest"}))
    assert load_policy(hub.db, mine).policy.strategy == "fastest"
    assert load_policy(hub.db, theirs).policy == RoutingPolicy()
