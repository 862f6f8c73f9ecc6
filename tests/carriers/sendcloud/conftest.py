"""A Sendcloud sandbox served over real HTTP for the connector's own tests."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from shipmux.carriers import build_carrier
from shipmux.carriers.sendcloud import Sendcloud, SendcloudSettings
from tests.support.live_server import serve


@dataclass
class Sandbox:
    root: str

    def settings(self, **overrides: Any) -> SendcloudSettings:
        # No limiter of ours: these tests are about the wire, and fast (the contract suite
        # checks the limiter).
        return SendcloudSettings.for_sandbox(
            self.root, **({"rate_limit_per_second": 0} | overrides)
        )

    @contextlib.asynccontextmanager
    async def connector(
        self, settings: SendcloudSettings | None = None, **overrides: Any
    ) -> AsyncIterator[Sendcloud]:
        carrier = build_carrier("sendcloud", settings or self.settings(**overrides))
        assert isinstance(carrier, Sendcloud)
        try:
            yield carrier
        finally:
            await carrier.aclose()

    def control(self, method: str, path: str, json: Any = None) -> Any:
        response = httpx.request(method, f"{self.root}/_sandbox{path}", json=json, timeout=10)
        response.raise_for_status()
        return response.json() if response.content else None

    def set_faults(self, **faults: Any) -> None:
        self.control("PUT", "/faults", faults)


@pytest.fixture(scope="module")
def sandbox_app_factory() -> Any:
    try:
        from shipmux.sandboxes.sendcloud import create_app
    except ImportError:
        pytest.skip("the Sendcloud sandbox is not there yet")
    return create_app


@pytest.fixture(scope="module")
def sandbox_server(sandbox_app_factory: Any) -> Iterator[Sandbox]:
    with serve(sandbox_app_factory()) as root:
        yield Sandbox(root)


@pytest.fixture
def sandbox(sandbox_server: Sandbox) -> Iterator[Sandbox]:
    """The module's sandbox, with its faults cleared after each test."""
    yield sandbox_server
    with contextlib.suppress(httpx.HTTPError):
        sandbox_server.set_faults()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
