"""A Click & Drop sandbox served over real HTTP for the connector's own tests."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from shipmux.carriers import build_carrier
from shipmux.carriers.click_and_drop import ClickAndDrop, ClickAndDropSettings
from shipmux.sandboxes.click_and_drop import create_app
from tests.support.live_server import serve


@dataclass
class Sandbox:
    root: str

    def settings(self, **overrides: Any) -> ClickAndDropSettings:
        return ClickAndDropSettings.for_sandbox(self.root, **overrides)

    @contextlib.asynccontextmanager
    async def connector(
        self, settings: ClickAndDropSettings | None = None, **overrides: Any
    ) -> AsyncIterator[ClickAndDrop]:
        carrier = build_carrier("click-and-drop", settings or self.settings(**overrides))
        assert isinstance(carrier, ClickAndDrop)
        try:
            yield carrier
        finally:
            await carrier.aclose()

    def control(self, method: str, path: str, **json: Any) -> Any:
        response = httpx.request(method, f"{self.root}/_sandbox{path}", json=json, timeout=10)
        response.raise_for_status()
        return response.json()

    def make_olp(self, settings: ClickAndDropSettings) -> None:
        key = settings.api_key.get_secret_value()
        self.control("PUT", f"/accounts/{key}", type="OLP")

    def stored_orders(self) -> list[dict[str, Any]]:
        orders: list[dict[str, Any]] = self.control("GET", "/orders")["orders"]
        return orders


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with serve(create_app()) as root:
        yield Sandbox(root)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
