"""OAuth2 client credentials, scopes, expiry on the sandbox clock (ADR 0006 §2)."""

from __future__ import annotations

import httpx
import pytest

from tests.sandboxes.parcel2go.conftest import SECRET, api_client, get_token, new_client_id

UNAUTHORIZED = {"Message": "Authorization has been denied for this request."}


def token_request(root: str, **fields: str) -> httpx.Response:
    data = {"grant_type": "client_credentials", "client_id": new_client_id(),
            "client_secret": SECRET, "scope": "public-api"} | fields  # fmt: skip
    return httpx.post(f"{root}/auth/connect/token", data=data)


def test_token_answers_the_documented_shape(root: str, control: httpx.Client) -> None:
    response = token_request(root, scope="public-api payment")
    assert response.status_code == 200
    body = response.json()
    assert body["expires_in"] == 7200
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "public-api payment"
    assert body["access_token"]


@pytest.mark.parametrize(
    ("client_id", "secret"),
    [
        ("short", SECRET),  # fewer than 8 characters
        ("has space in it", SECRET),
        ("x" * 101, SECRET),
        ("client-ok-123", "tooshort"),
        ("client-ok-123", "sixteen chars ok"),  # whitespace
    ],
)
def test_malformed_credentials_are_invalid_client(
    root: str, control: httpx.Client, client_id: str, secret: str
) -> None:
    response = token_request(root, client_id=client_id, client_secret=secret)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_client"}


def test_first_request_registers_the_secret(root: str, control: httpx.Client) -> None:
    client_id = new_client_id()
    assert token_request(root, client_id=client_id).status_code == 200
    again = token_request(root, client_id=client_id)
    assert again.status_code == 200
    wrong = token_request(root, client_id=client_id, client_secret="another-secret-entirely")
    assert wrong.status_code == 400
    assert wrong.json() == {"error": "invalid_client"}


def test_unknown_scope_and_grant_type(root: str, control: httpx.Client) -> None:
    assert token_request(root, scope="public-api admin").json() == {"error": "invalid_scope"}
    response = token_request(root, grant_type="password")
    assert response.status_code == 400
    assert response.json() == {"error": "unsupported_grant_type"}


def test_missing_and_unknown_tokens_are_401(root: str, control: httpx.Client) -> None:
    missing = httpx.get(f"{root}/api/countries")
    assert missing.status_code == 401
    assert missing.json() == UNAUTHORIZED
    assert missing.headers["www-authenticate"] == "Bearer"
    with api_client(root, "not-a-token") as api:
        assert api.get("/countries").status_code == 401


def test_token_expires_on_the_sandbox_clock(root: str, control: httpx.Client) -> None:
    with api_client(root, get_token(root, new_client_id())) as api:
        assert api.get("/services").status_code == 200
        control.post("/clock/advance", json={"seconds": 7199}).raise_for_status()
        assert api.get("/services").status_code == 200
        control.put("/clock", json={"seconds": 1}).raise_for_status()
        response = api.get("/services")
        assert response.status_code == 401
        assert response.json() == UNAUTHORIZED


def test_token_lifetime_can_be_shortened(root: str, control: httpx.Client) -> None:
    control.put("/settings", json={"token_lifetime_seconds": 60}).raise_for_status()
    response = token_request(root)
    assert response.json()["expires_in"] == 60
    with api_client(root, response.json()["access_token"]) as api:
        control.post("/clock/advance", json={"seconds": 61}).raise_for_status()
        assert api.get("/services").status_code == 401


def test_missing_scopes_are_403(root: str, control: httpx.Client) -> None:
    with api_client(root, get_token(root, new_client_id(), scope="public-api")) as api:
        assert api.get("/countries").status_code == 200
        for path in ("/prepay", "/me/orders/detail"):
            response = api.get(path)
            assert response.status_code == 403
            assert "Message" in response.json()
        paying = api.post("/orders/1/paywithprepay")
        assert paying.status_code == 403
    with api_client(root, get_token(root, new_client_id(), scope="payment")) as api:
        assert api.get("/prepay").status_code == 403  # public-api is needed for any call
