"""The routing policy over HTTP: admins replace it, errors name the rule, tenants stay apart."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from shipmux.api import create_app
from shipmux.services.context import HubContext
from shipmux.storage.tables import RoutingPolicyRow, TenantRow
from tests.api.conftest import Tenant, api_client, make_tenant

pytestmark = pytest.mark.anyio

POLICY: dict[str, Any] = {
    "rules": [
        {
            "name": "Europe by quote",
            "match": {"countries": ["de", "FR"], "max_weight_grams": 2000},
            "target": {"strategy": "fastest"},
        },
        {"match": {"tags": ["fragile"], "min_value": "50"}, "target": {"account": "royal-mail"}},
    ],
    "strategy": "cheapest",
    "quote_timeout_seconds": 4,
    "price_tolerance": "0.50",
}


@pytest.fixture
async def admin(hub: HubContext, tenant: Tenant) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(create_app(hub), tenant.admin_key) as client:
        yield client


async def test_a_tenant_without_a_policy_reads_the_defaults(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/routing")
    assert response.status_code == 200
    assert response.json() == {
        "rules": [],
        "strategy": "default",
        "quote_timeout_seconds": 10.0,
        "price_tolerance": "0.00",
        "updated_at": None,
    }


async def test_an_admin_replaces_the_policy_and_reads_it_back(
    hub: HubContext, tenant: Tenant, admin: httpx.AsyncClient
) -> None:
    put = await admin.put("/v1/routing", json=POLICY)
    assert put.status_code == 200, put.text
    got = (await admin.get("/v1/routing")).json()
    assert got["updated_at"] is not None
    assert got["rules"][0]["match"]["countries"] == ["DE", "FR"]
    assert got["rules"][1]["target"] == {"account": "royal-mail", "strategy": None}
    assert (got["strategy"], got["quote_timeout_seconds"], got["price_tolerance"]) == (
        "cheapest",
        4.0,
        "0.50",
    )
    with hub.db.reading() as session:
        assert session.get(TenantRow, tenant.id).price_tolerance == 0.5  # type: ignore[union-attr]

    again = await admin.put("/v1/routing", json={"strategy": "fastest"})
    assert again.json()["rules"] == []
    assert again.json()["price_tolerance"] == "0.00"
    with hub.db.reading() as session:
        assert len(session.scalars(select(RoutingPolicyRow)).all()) == 1


@pytest.mark.parametrize(
    ("rules", "field", "rule"),
    [
        ([{"target": {}}], "rules[0].target", "value_error"),
        (
            [{"target": {"account": "royal-mail"}}, {"match": {"countries": ["XX"]}, "target": {}}],
            "rules[1].match.countries[0]",
            "value_error",
        ),
        (
            [
                {
                    "match": {"min_weight_grams": 10, "max_weight_grams": 1},
                    "target": {"account": "a"},
                }
            ],
            "rules[0].match",
            "value_error",
        ),
        ([{"target": {"strategy": "slowest"}}], "rules[0].target.strategy", "enum"),
        ([{"target": {"account": "dhl"}}], "rules[0].target.account", "unknown"),
        ([{"when": {}, "target": {"account": "royal-mail"}}], "rules[0].when", "extra_forbidden"),
    ],
)
async def test_bad_policies_are_422_naming_the_rule_and_field(
    admin: httpx.AsyncClient, rules: list[Any], field: str, rule: str
) -> None:
    response = await admin.put("/v1/routing", json={"rules": rules})
    assert response.status_code == 422
    assert (field, rule) in {(e["field"], e["rule"]) for e in response.json()["errors"]}
    assert (await admin.get("/v1/routing")).json()["updated_at"] is None


async def test_only_admins_write_and_each_tenant_has_its_own(
    hub: HubContext, client: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    assert (await client.put("/v1/routing", json=POLICY)).status_code == 403
    assert (await admin.put("/v1/routing", json=POLICY)).status_code == 200
    other = make_tenant(hub, "Other")
    async with api_client(create_app(hub), other.read_key) as stranger:
        assert (await stranger.get("/v1/routing")).json()["strategy"] == "default"
