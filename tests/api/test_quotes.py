"""POST /v1/quotes: an order priced at every account, cheapest first, failures listed."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from shipmux.api import create_app
from shipmux.sandboxes.parcel2go import create_app as create_parcel2go
from shipmux.services.accounts import connect_account, list_accounts
from shipmux.services.context import HubContext
from tests.api.conftest import CND_SETTINGS, Tenant, api_client, bearer, make_tenant, order_json
from tests.support.live_server import serve

pytestmark = pytest.mark.anyio

EXAMPLE = (
    Path(__file__).parents[2] / "examples" / "rate-cards" / "click-and-drop.csv"
).read_bytes()

LIGHT: dict[str, Any] = {
    "recipient": {"country": "GB", "postcode": "SW1A 2AA"},
    "sender": {"country": "GB", "postcode": "YO17 7LL"},
    "packages": [{"weight_grams": 1200}],
    "subtotal": "30.00",
}


@pytest.fixture(scope="module")
def parcel2go() -> Iterator[str]:
    with serve(create_parcel2go()) as root:
        yield root


@pytest.fixture
async def reader(hub: HubContext, tenant: Tenant) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(create_app(hub), tenant.read_key) as client:
        yield client


async def _upload_card(client: httpx.AsyncClient, tenant: Tenant, account_id: str) -> None:
    response = await client.put(
        f"/v1/carrier-accounts/{account_id}/rate-card",
        content=EXAMPLE,
        headers={"Content-Type": "text/csv"} | bearer(tenant.admin_key),
    )
    assert response.status_code == 200, response.text


async def test_a_read_key_gets_the_board_cheapest_first(
    hub: HubContext, tenant: Tenant, reader: httpx.AsyncClient
) -> None:
    [account] = list_accounts(hub.db, tenant.id)
    await _upload_card(reader, tenant, account.id)
    connect_account(
        hub.db, hub.secret_box, tenant.id, name="spare", carrier="click-and-drop",
        settings=CND_SETTINGS,
    )  # fmt: skip

    response = await reader.post("/v1/quotes", json=LIGHT)

    assert response.status_code == 200, response.text
    board = response.json()
    assert [(q["service_code"], q["price"]) for q in board["quotes"]] == [
        ("CRL48", "3.35"),
        ("TPS48", "3.55"),
        ("CRL24", "4.19"),
        ("TPN24", "4.45"),
        ("SD1", "11.25"),
    ]
    first = board["quotes"][0]
    assert first["account_name"] == "royal-mail"
    assert (first["source"], first["collection"], first["price_ex_vat"]) == (
        "rate_card",
        "drop_off",
        "2.79",
    )
    assert first["estimated_delivery"] is not None
    assert board["quotes"][-1]["extras_included"] == [
        {"kind": "Signature", "price": "0.00", "price_ex_vat": "0.00"}
    ]
    assert [(f["account_name"], f["code"]) for f in board["failures"]] == [
        ("spare", "no_rate_card")
    ]


async def test_a_full_order_quotes_as_it_would_be_sent(
    hub: HubContext, tenant: Tenant, client: httpx.AsyncClient
) -> None:
    [account] = list_accounts(hub.db, tenant.id)
    await _upload_card(client, tenant, account.id)
    response = await client.post("/v1/quotes", json=order_json(), params={"account_id": account.id})
    assert response.status_code == 200, response.text
    assert response.json()["quotes"][0]["service_code"] == "CRL48"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (
            {**LIGHT, "recipient": {"country": "XX"}, "packages": [{"weight_grams": -1}]},
            {"recipient.country", "packages[0].weight_grams"},
        ),
        ({**LIGHT, "packages": []}, {"packages"}),
        ({**LIGHT, "colour": "red"}, {"colour"}),
        ([LIGHT], {"body"}),
    ],
)
async def test_bad_quote_requests_are_422_naming_fields(
    reader: httpx.AsyncClient, body: Any, fields: set[str]
) -> None:
    response = await reader.post("/v1/quotes", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert {e["field"] for e in response.json()["errors"]} == fields


async def test_malformed_json_and_foreign_accounts_are_refused(
    hub: HubContext, reader: httpx.AsyncClient
) -> None:
    malformed = await reader.post(
        "/v1/quotes", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert (malformed.status_code, malformed.json()["code"]) == (400, "malformed_json")
    other = make_tenant(hub, "Other")
    [theirs] = list_accounts(hub.db, other.id)
    foreign = await reader.post("/v1/quotes", json=LIGHT, params={"account_id": theirs.id})
    assert foreign.status_code == 422
    assert [e["field"] for e in foreign.json()["errors"]] == ["account_id"]
    anonymous = await reader.post("/v1/quotes", json=LIGHT, headers={"Authorization": ""})
    assert anonymous.status_code == 401


async def test_parcel2go_is_asked_and_the_card_priced_in_one_request(
    hub: HubContext, tenant: Tenant, reader: httpx.AsyncClient, parcel2go: str
) -> None:
    [account] = list_accounts(hub.db, tenant.id)
    await _upload_card(reader, tenant, account.id)
    connect_account(
        hub.db,
        hub.secret_box,
        tenant.id,
        name="p2g",
        carrier="parcel2go",
        settings={
            "base_url": parcel2go,
            "client_id": f"shipmux-{secrets.token_hex(6)}",
            "client_secret": secrets.token_urlsafe(24),
        },
    )
    response = await reader.post("/v1/quotes", json=LIGHT)
    assert response.status_code == 200, response.text
    board = response.json()
    assert board["failures"] == []
    by_source = {q["source"]: q for q in board["quotes"]}
    assert set(by_source) == {"carrier", "rate_card"}
    quoted = by_source["carrier"]
    assert (quoted["account_name"], quoted["carrier"]) == ("p2g", "parcel2go")
    assert quoted["courier"]
    assert quoted["estimated_delivery"]
    prices = [Decimal(q["price"]) for q in board["quotes"]]
    assert prices == sorted(prices)
    await hub.carriers.aclose()
