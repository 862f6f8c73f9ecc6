"""The sandbox over real HTTP for the connector's own tests (tests/carriers/sandbox.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shipmux.carriers.sendcloud import Sendcloud, SendcloudSettings
from tests.carriers.sandbox import CarrierSandbox, served

Sandbox = CarrierSandbox[Sendcloud, SendcloudSettings]


@pytest.fixture(scope="module")
def sandbox_server() -> Iterator[Sandbox]:
    with served("sendcloud") as root:
        yield Sandbox("sendcloud", root, Sendcloud, SendcloudSettings)


@pytest.fixture
def sandbox(sandbox_server: Sandbox) -> Iterator[Sandbox]:
    """The module's sandbox, back to its initial settings and faults after each test."""
    yield sandbox_server
    sandbox_server.reset()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
