"""Fixtures: one live Parcel2Go sandbox per test module, reset before every test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from shipmux.sandboxes.parcel2go import create_app
from tests.support.live_server import serve

ALL_SCOPES = "public-api payment my-profile"


@pytest.fixture(scope="module")
def root() -> Iterator[str]:
    with serve(create_app()) as url:
        yield url


@pytest.fixture
def control(root: str) -> Iterator[httpx.Client]:
    """Client for the ``/_sandbox`` control routes; the sandbox is reset first."""
    with httpx.Client(base_url=f"{root}/_sandbox", timeout=10) as client:
        client.post("/reset").raise_for_status()
        yield client


def new_client_id() -> str:
    return f"client-{uuid.uuid4().hex[:12]}"


SECRET = "correct-horse-battery-staple"


def get_token(root: str, client_id: str, scope: str = ALL_SCOPES, secret: str = SECRET) -> str:
    response = httpx.post(
        f"{root}/auth/connect/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
            "scope": scope,
        },
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def api_client(root: str, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=f"{root}/api", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )


@pytest.fixture
def client_id() -> str:
    return new_client_id()


@pytest.fixture
def api(root: str, control: httpx.Client, client_id: str) -> Iterator[httpx.Client]:
    """The vendor API with a token holding every scope, for a fresh account."""
    with api_client(root, get_token(root, client_id)) as client:
        yield client
