"""A Clickpost sandbox served over real HTTP for the connector's own tests."""

from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from shipmux.carriers import build_carrier
from shipmux.carriers.clickpost import Clickpost, ClickpostSettings
from tests.support.live_server import serve


@dataclass
class Sandbox:
    root: str

    def settings(self, **overrides: Any) -> ClickpostSettings:
        # No limiter of ours: these tests are about the wire (the contract suite checks it).
        return ClickpostSettings.for_sandbox(
            self.root, **({"rate_limit_per_second": 0} | overrides)
        )

    @contextlib.asynccontextmanager
    async def connector(
        self, settings: ClickpostSettings | None = None, **overrides: Any
    ) -> AsyncIterator[Clickpost]:
        carrier = build_carrier("clickpost", settings or self.settings(**overrides))
        assert isinstance(carrier, Clickpost)
        try:
            yield carrier
        finally:
            await carrier.aclose()

    def control(self, method: str, path: str, json: Any = None) -> Any:
        response = httpx.request(method, f"{self.root}/_sandbox{path}", json=json, timeout=10)
        response.raise_for_status()
        return response.json() if response.content else None

    def configure(self, **changes: Any) -> None:
        """Change the sandbox's settings (merged into the current ones)."""
        self.control("PUT", "/settings", changes)

    def set_faults(self, **faults: Any) -> None:
        self.control("PUT", "/faults", faults)

    def advance(self, seconds: float) -> None:
        self.control("POST", "/clock/advance", {"seconds": seconds})


@pytest.fixture(scope="module")
def sandbox_app_factory() -> Any:
    if importlib.util.find_spec("shipmux.sandboxes.clickpost") is None:
        pytest.skip("the Clickpost sandbox is not there yet")
    from shipmux.sandboxes.clickpost import create_app

    return create_app


@pytest.fixture(scope="module")
def sandbox_server(sandbox_app_factory: Any) -> Iterator[Sandbox]:
    with serve(sandbox_app_factory()) as root:
        yield Sandbox(root)


@pytest.fixture
def sandbox(sandbox_server: Sandbox) -> Iterator[Sandbox]:
    """The module's sandbox, returned to its initial settings after each test."""
    yield sandbox_server
    sandbox_server.control("POST", "/reset")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
