"""A carrier's sandbox served over real HTTP for its connector's own tests.

Each carrier's ``conftest.py`` names its connector and settings; the serving, the
connector set-up and the control calls are the same for every carrier.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import httpx

from shipmux.carriers import build_carrier
from shipmux.carriers.settings import CarrierAccountSettings
from shipmux.sandboxes import SANDBOXES
from tests.support.live_server import serve

C = TypeVar("C")
S = TypeVar("S", bound=CarrierAccountSettings)


@dataclass
class CarrierSandbox(Generic[C, S]):
    slug: str
    root: str
    connector_type: type[C]
    settings_type: type[S]
    # Every connector of these tests is built with these (e.g. no rate limit of ours:
    # the tests are about the wire; the contract suite checks the limiter).
    defaults: dict[str, Any] = field(default_factory=lambda: {"rate_limit_per_second": 0})

    def settings(self, **overrides: Any) -> S:
        made = self.settings_type.for_sandbox(self.root, **(self.defaults | overrides))  # type: ignore[attr-defined]
        assert isinstance(made, self.settings_type)
        return made

    @contextlib.asynccontextmanager
    async def connector(self, settings: S | None = None, **overrides: Any) -> AsyncIterator[C]:
        carrier = build_carrier(self.slug, settings or self.settings(**overrides))
        assert isinstance(carrier, self.connector_type)
        try:
            yield carrier
        finally:
            await carrier.aclose()

    def control(self, method: str, path: str, json: Any = None, **fields: Any) -> Any:
        """A control call (``/_sandbox``); the body is ``json`` or the keyword fields."""
        body = json if json is not None else (fields or None)
        response = httpx.request(method, f"{self.root}/_sandbox{path}", json=body, timeout=10)
        response.raise_for_status()
        return response.json() if response.content else None

    def configure(self, **changes: Any) -> None:
        """Change the sandbox's settings (merged into the current ones)."""
        self.control("PUT", "/settings", changes)

    def set_faults(self, **faults: Any) -> None:
        self.control("PUT", "/faults", faults)

    def advance(self, seconds: float) -> None:
        self.control("POST", "/clock/advance", {"seconds": seconds})

    def reset(self) -> None:
        self.control("POST", "/reset")


@contextlib.contextmanager
def served(slug: str) -> Iterator[str]:
    """The carrier's registered sandbox on a loopback port; its root URL."""
    with serve(SANDBOXES[slug]()) as root:
        yield root
