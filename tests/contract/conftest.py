"""Fixtures of the carrier contract suite: every registered carrier against its own sandbox.

Each carrier's sandbox (``shipmux.sandboxes.SANDBOXES[slug]``) is served once per module
on a loopback port; each test gets a connector with a fresh account (``for_sandbox``
makes a new key), so tests share no orders. A carrier joins the suite by being in
``shipmux.carriers.registry()``; ``SCENARIO_HOOKS`` holds the little that a scenario
cannot say generically (which order this carrier refuses, and how it names the field).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from shipmux.carriers import CarrierEntry, build_carrier, registry
from shipmux.carriers.base import Capability, Carrier
from shipmux.carriers.settings import CarrierAccountSettings
from shipmux.domain.orders import Order
from shipmux.sandboxes import SANDBOXES
from tests.factories import make_address, make_order
from tests.support.live_server import serve


@dataclass(frozen=True)
class ScenarioHooks:
    """What the generic scenarios need to know about one carrier."""

    # An order our model and the carrier's limits accept but its API refuses, and the
    # field (in our paths) the refusal must name.
    refused_order: Callable[[], Order] = lambda: make_order(service_code="NO-SUCH-SERVICE")
    refused_field: str = "service_code"
    # A plain order this carrier takes (service codes differ from carrier to carrier).
    order: Callable[..., Order] = make_order
    # Extra settings every connector of this carrier is built with.
    settings: dict[str, Any] = field(default_factory=dict)


SCENARIO_HOOKS: dict[str, ScenarioHooks] = {
    # The sandbox (like the live API [obs]) refuses an OLP-only service on an OBA account.
    "click-and-drop": ScenarioHooks(refused_order=lambda: make_order(service_code="OLP1")),
    # No service named: the connector takes the cheapest the quote offers.
    "parcel2go": ScenarioHooks(
        refused_order=lambda: make_order(service_code="no-such-service"),
        order=lambda **kw: make_order(**({"service_code": None} | kw)),
    ),
    # No service named: the account's default courier. Clickpost itself refuses a drop
    # address without a postcode (meta status 314).
    "clickpost": ScenarioHooks(
        order=lambda **kw: make_order(**({"service_code": None} | kw)),
        refused_order=lambda: make_order(service_code=None, recipient=make_address(postcode=None)),
        refused_field="recipient.postcode",
    ),
    # No service named: the account's default shipping option.
    "sendcloud": ScenarioHooks(
        refused_order=lambda: make_order(service_code="no-such-option"),
        order=lambda **kw: make_order(**({"service_code": None} | kw)),
    ),
}


@dataclass
class LiveSandbox:
    """A carrier's sandbox served over real HTTP, and how to build connectors against it."""

    slug: str
    entry: CarrierEntry
    root: str
    hooks: ScenarioHooks

    def settings(self, **overrides: Any) -> CarrierAccountSettings:
        model = self.entry.settings_model
        values = self.hooks.settings | overrides
        return model.for_sandbox(self.root, **values)  # type: ignore[attr-defined,no-any-return]

    @contextlib.asynccontextmanager
    async def carrier(
        self, settings: CarrierAccountSettings | None = None, **overrides: Any
    ) -> AsyncIterator[Carrier]:
        connector = build_carrier(self.slug, settings or self.settings(**overrides))
        try:
            yield connector
        finally:
            await connector.aclose()

    def order(self, **overrides: Any) -> Order:
        return self.hooks.order(**overrides)

    def has(self, capability: Capability) -> bool:
        return capability in self.entry.connector.capabilities

    def require(self, capability: Capability) -> None:
        if not self.has(capability):
            pytest.skip(f"{self.slug} does not declare {capability}")

    # --- the shared control routes (``/_sandbox``) of every sandbox -----------------------

    def set_faults(self, **faults: Any) -> None:
        response = httpx.put(f"{self.root}/_sandbox/faults", json=faults, timeout=10)
        response.raise_for_status()

    def clear_faults(self) -> None:
        self.set_faults()


def malformed_credentials(settings: CarrierAccountSettings) -> CarrierAccountSettings:
    """The same account with every secret replaced by something no carrier would issue."""
    secrets = {
        name: SecretStr("not a key")
        for name, value in settings.__dict__.items()
        if isinstance(value, SecretStr)
    }
    return settings.model_copy(update=secrets)


@pytest.fixture(scope="module", params=sorted(registry()))
def sandbox(request: pytest.FixtureRequest) -> Iterator[LiveSandbox]:
    slug: str = request.param
    factory = SANDBOXES.get(slug)
    if factory is None:
        pytest.skip(f"no sandbox registered for {slug}")
    with serve(factory()) as root:
        live = LiveSandbox(slug, registry()[slug], root, SCENARIO_HOOKS.get(slug, ScenarioHooks()))
        yield live
        # Leave no fault behind for the next module that reuses nothing but good manners.
        live.clear_faults()


@pytest.fixture
def live(sandbox: LiveSandbox) -> Iterator[LiveSandbox]:
    """The module's sandbox, with its faults cleared after each test."""
    yield sandbox
    sandbox.clear_faults()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
