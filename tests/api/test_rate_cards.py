"""Rate cards over HTTP: CSV or JSON in, replaced whole; JSON or CSV out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from shipmux.api import create_app
from shipmux.services.accounts import list_accounts
from shipmux.services.context import HubContext
from tests.api.conftest import Tenant, api_client, make_tenant

pytestmark = pytest.mark.anyio

EXAMPLE = (Path(__file__).parents[2] / "examples" / "rate-cards" / "click-and-drop.csv").read_text()
CSV = {"Content-Type": "text/csv"}


@pytest.fixture
async def admin(hub: HubContext, tenant: Tenant) -> AsyncIterator[httpx.AsyncClient]:
    async with api_client(create_app(hub), tenant.admin_key) as client:
        yield client


@pytest.fixture
def account_id(hub: HubContext, tenant: Tenant) -> str:
    return list_accounts(hub.db, tenant.id)[0].id


def _url(account_id: str) -> str:
    return f"/v1/carrier-accounts/{account_id}/rate-card"


async def test_a_csv_card_is_stored_and_read_back_as_json_and_csv(
    admin: httpx.AsyncClient, client: httpx.AsyncClient, account_id: str
) -> None:
    put = await admin.put(_url(account_id), content=EXAMPLE.encode(), headers=CSV)
    assert put.status_code == 200, put.text
    assert put.json()["count"] == 23

    as_json = await client.get(_url(account_id))
    assert as_json.status_code == 200
    first = as_json.json()["rows"][0]
    assert first == {
        "service_code": "CRL48",
        "service_name": "Royal Mail 48",
        "destinations": ["GB"],
        "max_weight_grams": 750,
        "price": "2.15",
        "price_ex_vat": "1.79",
        "currency": "GBP",
        "transit_days": 2,
        "collection": "drop_off",
        "extras": [],
    }

    as_csv = await client.get(_url(account_id), headers={"Accept": "text/csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.text == EXAMPLE  # byte for byte


async def test_json_rows_replace_the_whole_card(admin: httpx.AsyncClient, account_id: str) -> None:
    await admin.put(_url(account_id), content=EXAMPLE.encode(), headers=CSV)
    rows = [
        {
            "service_code": "TPN24",
            "service_name": "Royal Mail Tracked 24",
            "destinations": ["GB"],
            "max_weight_grams": 2000,
            "price": 4.45,
            "price_ex_vat": "3.71",
            "currency": "GBP",
            "transit_days": 1,
            "collection": "drop_off",
        }
    ]
    put = await admin.put(_url(account_id), json={"rows": rows})
    assert put.status_code == 200, put.text
    card = (await admin.get(_url(account_id))).json()
    assert (card["count"], card["rows"][0]["price"]) == (1, "4.45")


async def test_a_bad_card_is_422_by_line_column_and_rule_and_nothing_changes(
    admin: httpx.AsyncClient, account_id: str
) -> None:
    await admin.put(_url(account_id), content=EXAMPLE.encode(), headers=CSV)
    broken = EXAMPLE.replace(
        "TPN24,Royal Mail Tracked 24,GB,10000,7.75,6.46", "TPN24,,GB,10000,7.75,8.00"
    ).replace("SD1,Special Delivery Guaranteed by 1pm,GB,500,", "SD1,Special,GB,-1,")
    response = await admin.put(_url(account_id), content=broken.encode(), headers=CSV)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    errors = {(e["field"], e["rule"]) for e in response.json()["errors"]}
    assert errors == {
        ("line[12].service_name", "required"),
        ("line[12].price_ex_vat", "le_price"),
        ("line[14].max_weight_grams", "range"),
    }
    assert (await admin.get(_url(account_id))).json()["count"] == 23
    shifted = EXAMPLE.replace("GB,20000,12.95", "GB,20000,12,95")
    response = await admin.put(_url(account_id), content=shifted.encode(), headers=CSV)
    assert {(e["field"], e["rule"]) for e in response.json()["errors"]} == {("line[13]", "columns")}

    bad_json = await admin.put(_url(account_id), json={"rows": [{"service_code": "A"}]})
    assert bad_json.status_code == 422
    assert "rows[0].price" in {e["field"] for e in bad_json.json()["errors"]}
    assert (await admin.get(_url(account_id))).json()["count"] == 23


async def test_wrong_media_and_wrong_scope_and_other_tenants_are_refused(
    hub: HubContext, admin: httpx.AsyncClient, client: httpx.AsyncClient, account_id: str
) -> None:
    xml = await admin.put(
        _url(account_id), content=b"<card/>", headers={"Content-Type": "application/xml"}
    )
    assert (xml.status_code, xml.json()["code"]) == (415, "unsupported_media_type")
    latin = await admin.put(_url(account_id), content="caf\xe9".encode("latin-1"), headers=CSV)
    assert (latin.status_code, latin.json()["code"]) == (400, "malformed_csv")
    writer = await client.put(_url(account_id), content=EXAMPLE.encode(), headers=CSV)
    assert writer.status_code == 403

    other = make_tenant(hub, "Other")
    async with api_client(create_app(hub), other.admin_key) as stranger:
        put = await stranger.put(_url(account_id), content=EXAMPLE.encode(), headers=CSV)
        get = await stranger.get(_url(account_id))
    assert (put.status_code, get.status_code) == (404, 404)
    assert (await admin.get(_url("acc_nope"))).status_code == 404


async def test_an_empty_card_clears_it(admin: httpx.AsyncClient, account_id: str) -> None:
    await admin.put(_url(account_id), content=EXAMPLE.encode(), headers=CSV)
    header = EXAMPLE.splitlines()[0] + "\n"
    response = await admin.put(_url(account_id), content=header.encode(), headers=CSV)
    assert (response.status_code, response.json()["count"]) == (200, 0)
