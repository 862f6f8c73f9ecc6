"""Fixtures: one live Click & Drop sandbox per test module, reset before every test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from shipmux.sandboxes.click_and_drop import ClickAndDropSandboxSettings, create_app
from tests.support.live_server import serve


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    # The limiter is off by default in tests (a test makes several calls in a second);
    # the rate-limit tests switch it on through PUT /_sandbox/settings.
    app = create_app(ClickAndDropSandboxSettings(rate_limit_per_second=0))
    with serve(app) as url:
        yield url


@pytest.fixture
def control(base_url: str) -> Iterator[httpx.Client]:
    """Client for the ``/_sandbox`` control routes; the sandbox is reset first."""
    with httpx.Client(base_url=f"{base_url}/_sandbox", timeout=10) as client:
        client.post("/reset").raise_for_status()
        yield client


def new_key(prefix: str = "") -> str:
    """A fresh 36-character key (a new, isolated account)."""
    key = str(uuid.uuid4())
    return (prefix + key)[:36]


@pytest.fixture
def api_key() -> str:
    return new_key()


def api_client(base_url: str, key: str) -> httpx.Client:
    return httpx.Client(base_url=f"{base_url}/api/v1", headers={"Authorization": key}, timeout=10)


@pytest.fixture
def api(base_url: str, control: httpx.Client, api_key: str) -> Iterator[httpx.Client]:
    """Client of the vendor API, authenticated as a fresh OBA account."""
    with api_client(base_url, api_key) as client:
        yield client


@pytest.fixture
def olp_api(base_url: str, control: httpx.Client) -> Iterator[httpx.Client]:
    """Client authenticated as an OLP account (key starts with the ``olp`` prefix)."""
    with api_client(base_url, new_key("olp")) as client:
        yield client


@pytest.fixture
def channel_shipper_api(base_url: str, control: httpx.Client) -> Iterator[httpx.Client]:
    """Client authenticated as a ChannelShipper account (key prefix ``chs``)."""
    with api_client(base_url, new_key("chs")) as client:
        yield client
