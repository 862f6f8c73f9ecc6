"""Carrier accounts: admins connect them; secrets go in and never come back out."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from shipmux.api import create_app
from shipmux.services.context import HubContext
from tests.api.conftest import Tenant, api_client

pytestmark = pytest.mark.anyio

SECRET = "s" * 36


def _account(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "royal-mail-2",
        "carrier": "click-and-drop",
        "settings": {"api_key": SECRET, "base_url": "http://127.0.0.1:9/api/v1"},
        "is_default": False,
    } | overrides


@pytest.fixture
async def admin(hub: HubContext, tenant: Tenant) -> Any:
    async with api_client(create_app(hub), tenant.admin_key) as client:
        yield client


async def test_an_admin_connects_an_account_and_its_secret_is_not_echoed(
    admin: httpx.AsyncClient,
) -> None:
    response = await admin.post("/v1/carrier-accounts", json=_account())
    assert response.status_code == 201
    account = response.json()
    assert (account["name"], account["carrier"]) == ("royal-mail-2", "click-and-drop")
    assert "api_key" not in account["settings"]
    assert SECRET not in response.text

    listing = await admin.get("/v1/carrier-accounts")
    assert [a["name"] for a in listing.json()["data"]] == ["royal-mail", "royal-mail-2"]
    assert SECRET not in listing.text
    assert "x" * 36 not in listing.text


async def test_a_read_key_lists_accounts(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/carrier-accounts")
    assert response.status_code == 200
    assert len(response.json()["data"]) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_account(carrier="pigeon"), "carrier"),
        (_account(settings={"base_url": "http://x"}), "settings.api_key"),
        (_account(name=""), "name"),
        ({"carrier": "click-and-drop"}, "name"),
    ],
)
async def test_bad_accounts_are_422_by_field(
    admin: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    response = await admin.post("/v1/carrier-accounts", json=body)
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}
    assert len((await admin.get("/v1/carrier-accounts")).json()["data"]) == 1


async def test_a_second_account_with_the_same_name_is_409(admin: httpx.AsyncClient) -> None:
    response = await admin.post("/v1/carrier-accounts", json=_account(name="royal-mail"))
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


async def test_malformed_account_json_is_400_naming_line_and_column(
    admin: httpx.AsyncClient,
) -> None:
    response = await admin.post(
        "/v1/carrier-accounts",
        content=b'{\n  "name": "a",\n  "carrier" "x"\n}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"
    assert (response.json()["line"], response.json()["column"]) == (3, 13)
