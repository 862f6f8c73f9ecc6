"""Routing and authentication of the vendor API, and the sandbox registry."""

from __future__ import annotations

import httpx
import pytest

from shipmux.sandboxes import SANDBOXES, create_sandboxes_app
from tests.sandboxes.click_and_drop.conftest import new_key
from tests.sandboxes.click_and_drop.factories import create_one
from tests.support.live_server import serve


def test_version_needs_no_auth(base_url: str, control: httpx.Client) -> None:
    response = httpx.get(f"{base_url}/api/v1/version")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"commit", "build", "release", "releaseDate"}
    assert body["releaseDate"].endswith("Z")


@pytest.mark.parametrize(
    "header",
    ["{key}", "Bearer {key}", "bearer {key}", "Bearer   {key}"],
)
def test_raw_key_and_bearer_forms_are_accepted(
    base_url: str, control: httpx.Client, header: str
) -> None:
    key = new_key()
    response = httpx.get(
        f"{base_url}/api/v1/orders", headers={"Authorization": header.format(key=key)}
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"orders": [], "continuationToken": None}


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "short-key", "x" * 40, "Bearer " + "a" * 30, "abc def" + "g" * 30],
)
def test_missing_or_malformed_key_is_401(
    base_url: str, control: httpx.Client, header: str | None
) -> None:
    headers = {"Authorization": header} if header is not None else {}
    response = httpx.get(f"{base_url}/api/v1/orders", headers=headers)
    assert response.status_code == 401
    assert response.json()["message"]


def test_both_forms_of_one_key_reach_the_same_account(base_url: str, api: httpx.Client) -> None:
    created = create_one(api)
    key = api.headers["Authorization"]
    response = httpx.get(
        f"{base_url}/api/v1/orders/{created['orderIdentifier']}",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200
    assert response.json()[0]["orderIdentifier"] == created["orderIdentifier"]


def test_paths_are_case_insensitive_and_allow_a_trailing_slash(api: httpx.Client) -> None:
    created = create_one(api)
    assert api.get("/Orders").status_code == 200
    response = api.get(f"/ORDERS/{created['orderIdentifier']}/")
    assert response.status_code == 200
    assert response.json()[0]["orderIdentifier"] == created["orderIdentifier"]


def test_unknown_path_is_404_and_wrong_method_405(api: httpx.Client) -> None:
    assert api.get("/nothing-here").status_code == 404
    assert api.delete("/manifests").status_code == 405


def test_registry_mounts_click_and_drop_under_its_slug() -> None:
    assert "click-and-drop" in SANDBOXES
    with serve(create_sandboxes_app()) as base_url:
        assert httpx.get(f"{base_url}/").json() == {"sandboxes": sorted(SANDBOXES)}
        key = new_key()
        headers = {"Authorization": key}
        root = f"{base_url}/click-and-drop"
        assert httpx.get(f"{root}/api/v1/version").status_code == 200
        created = httpx.post(
            f"{root}/api/v1/orders",
            headers=headers,
            json={"items": [_minimal_order("A/B;C")]},
        ).json()["createdOrders"][0]
        # A reference with '/' and ';' still routes correctly below a mount point.
        response = httpx.get(f"{root}/api/v1/orders/%22A%252FB%253BC%22", headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()[0]["orderIdentifier"] == created["orderIdentifier"]
        assert httpx.get(f"{root}/_sandbox/faults").status_code == 200


def _minimal_order(reference: str) -> dict[str, object]:
    return {
        "orderReference": reference,
        "recipient": {"address": {"addressLine1": "1 Road", "city": "Leeds", "countryCode": "GB"}},
        "orderDate": "2026-03-01T10:00:00Z",
        "subtotal": 1,
        "shippingCostCharged": 0,
        "total": 1,
    }
