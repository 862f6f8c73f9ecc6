"""A whole hub over real HTTP: its API and every sandbox in one live server, as the demo.

Tests connect the accounts they need (``connect``) and drive the worker themselves.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from shipmux import carriers
from shipmux.api import create_app
from shipmux.carriers.settings import CarrierAccountSettings
from shipmux.sandboxes import create_sandboxes_app
from shipmux.services import accounts, tenants
from shipmux.services.context import HubContext
from tests.support.live_server import serve

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def example_order(name: str = "order-cheapest.json", **changes: Any) -> dict[str, Any]:
    order: dict[str, Any] = json.loads((EXAMPLES / name).read_text())
    return order | changes


@dataclass
class LiveHub:
    root: str
    ctx: HubContext
    tenant_id: str
    key: str

    def api(self, method: str, path: str, **kw: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.key}"}
        return httpx.request(method, f"{self.root}{path}", headers=headers, timeout=30, **kw)

    def sandbox_root(self, carrier: str) -> str:
        return f"{self.root}/sandbox/{carrier}"

    def sandbox(self, carrier: str, method: str, path: str, **json_body: Any) -> Any:
        url = f"{self.sandbox_root(carrier)}/_sandbox{path}"
        response = httpx.request(method, url, json=json_body or None, timeout=30)
        response.raise_for_status()
        return response.json() if response.content else None

    def connect(
        self, name: str, carrier: str, *, default: bool = False, **overrides: Any
    ) -> tuple[str, CarrierAccountSettings]:
        """A sandbox account of ``carrier`` connected to the tenant: its id and settings."""
        model = carriers.registry()[carrier].settings_model
        settings = model.for_sandbox(self.sandbox_root(carrier), **overrides)  # type: ignore[attr-defined]
        assert isinstance(settings, CarrierAccountSettings)
        view = accounts.connect_account(
            self.ctx.db,
            self.ctx.secret_box,
            self.tenant_id,
            name=name,
            carrier=carrier,
            settings=settings.plain_values(),
            is_default=default,
        )
        return view.id, settings

    def webhook_url(self, carrier: str, account_id: str) -> str:
        return f"{self.root}/v1/webhooks/{carrier}/{account_id}"

    def order(self, order_id: str) -> dict[str, Any]:
        response = self.api("GET", f"/v1/orders/{order_id}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture
def live_hub(hub: HubContext) -> Iterator[LiveHub]:
    app = create_app(hub, extra_mounts={"/sandbox": create_sandboxes_app()})
    with serve(app) as root:
        tenant_id = tenants.create_tenant(hub.db, "shop")
        key = tenants.issue_api_key(hub.db, tenant_id).secret
        yield LiveHub(root, hub, tenant_id, key)


def wait_for(check: Any, timeout: float = 30.0) -> Any:
    """Call ``check`` until it answers something true (or fail after ``timeout``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"not true after {timeout}s")
