"""``shipmux demo``: the hub, a worker and every sandbox on one machine, ready to use.

SQLite in the data folder, a demo tenant whose key is printed, a Click & Drop
account (priced by the example rate card) and a Parcel2Go account, both connected
to the sandboxes mounted in the same server, and routing by the cheapest quote.
Parcel2Go's sandbox pushes signed tracking webhooks back to the hub, a stage every
few seconds, so an order reaches "delivered" while you watch.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import typer
import uvicorn
from rich.console import Console

from shipmux import carriers
from shipmux.bootstrap import build_context, migrate_database
from shipmux.config import load_settings
from shipmux.domain.rate_cards import read_csv
from shipmux.domain.routing import RoutingPolicy, Strategy
from shipmux.domain.tenants import Scope
from shipmux.sandboxes import create_sandboxes_app
from shipmux.services import accounts, rate_cards, routing, tenants
from shipmux.services.context import HubContext

RATE_CARD = Path(__file__).resolve().parents[3] / "examples" / "rate-cards" / "click-and-drop.csv"
# Simulated seconds between two tracking stages in the demo's Parcel2Go sandbox.
TRACKING_STEP = 5.0


def _demo_tenant(ctx: HubContext) -> str:
    state = ctx.settings.data_dir / "demo.json"
    if state.exists():
        return str(json.loads(state.read_text())["tenant_id"])
    tenant_id = tenants.create_tenant(ctx.db, "demo")
    state.write_text(json.dumps({"tenant_id": tenant_id}))
    return tenant_id


def _demo_key(ctx: HubContext, tenant_id: str, given: str | None) -> str:
    if given:
        try:
            if tenants.authenticate(ctx.db, given).tenant_id == tenant_id:
                return given
        except Exception:  # unknown key: register it below
            pass
    return tenants.issue_api_key(
        ctx.db, tenant_id, scopes=frozenset({Scope.ADMIN}), name="demo", secret=given
    ).secret


@dataclass(frozen=True)
class SandboxAccount:
    """A demo account on one carrier's sandbox, and what that sandbox is told about it."""

    name: str
    carrier: str
    default: bool = False
    overrides: dict[str, Any] = field(default_factory=dict)


# Click & Drop is the default (no quote API: priced by the example rate card).
DEMO_ACCOUNTS = (
    SandboxAccount("click-and-drop", "click-and-drop", True, {"default_service_code": "TPN24"}),
    SandboxAccount("parcel2go", "parcel2go"),
    SandboxAccount("sendcloud", "sendcloud"),
    SandboxAccount("clickpost", "clickpost"),
)


def _connect_sandboxes(ctx: HubContext, tenant_id: str, port: int) -> list[dict[str, Any]]:
    """Connect (or refresh) each demo account; what each sandbox must be told, in order.

    Sandboxes keep nothing between runs, so every run starts their accounts afresh
    with new credentials (they take any well-formed ones on first use).
    """
    setups = []
    for demo in DEMO_ACCOUNTS:
        root = f"http://127.0.0.1:{port}/sandbox/{demo.carrier}"
        model = carriers.registry()[demo.carrier].settings_model
        values = model.for_sandbox(root, **demo.overrides).plain_values()  # type: ignore[attr-defined]
        existing = accounts.find_account(ctx.db, tenant_id, demo.name)
        if existing is None:
            existing = accounts.connect_account(
                ctx.db,
                ctx.secret_box,
                tenant_id,
                name=demo.name,
                carrier=demo.carrier,
                settings=values,
                is_default=demo.default,
            )
        else:
            accounts.update_account(ctx.db, ctx.secret_box, tenant_id, existing.id, values)
        hook = f"http://127.0.0.1:{port}/v1/webhooks/{demo.carrier}/{existing.id}"
        setups.append(_sandbox_setup(demo.carrier, root, values, hook))
        if demo.carrier == "click-and-drop" and RATE_CARD.exists():
            lines = read_csv(RATE_CARD.read_text())
            rate_cards.replace_rate_card(ctx.db, tenant_id, existing.id, lines)
    return [setup for setup in setups if setup]


def _sandbox_setup(carrier: str, root: str, values: dict[str, Any], hook: str) -> dict[str, Any]:
    """The control calls that point a pushing sandbox at the hub and speed its clock up."""
    fast = {"url": f"{root}/_sandbox/settings", "json": {"tracking_step_seconds": TRACKING_STEP}}
    if carrier == "parcel2go":
        account = {
            "url": f"{root}/_sandbox/accounts/{values['client_id']}",
            "json": {"webhook_url": hook, "webhook_secret": values["webhook_secret"]},
        }
    elif carrier == "sendcloud":
        account = {
            "url": f"{root}/_sandbox/accounts/{values['public_key']}",
            "json": {"webhook_url": hook, "secret_key": values["secret_key"]},
        }
    elif carrier == "clickpost":
        account = {
            "url": f"{root}/_sandbox/accounts/{values['username']}",
            "json": {
                "key": values["key"],
                "webhook_url": hook,
                "webhook_key": values["webhook_key"],
            },
        }
    else:
        return {}
    return {"calls": [account, fast]}


def _route_by_cheapest(ctx: HubContext, tenant_id: str) -> None:
    if routing.load_policy(ctx.db, tenant_id).updated_at is None:  # keep the tenant's own
        routing.save_policy(ctx.db, tenant_id, RoutingPolicy(strategy=Strategy.CHEAPEST))


def _tell_sandboxes(port: int, setups: list[dict[str, Any]]) -> None:
    """Once the server is up, make the control calls (the sandboxes live in it)."""

    def run() -> None:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        for setup in setups:
            for call in setup["calls"]:
                httpx.put(call["url"], json=call["json"], timeout=10).raise_for_status()

    threading.Thread(target=run, name="demo-sandbox-setup", daemon=True).start()


def _start_worker(data_dir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SHIPMUX_DATA_DIR": str(data_dir),
        "SHIPMUX_ALLOW_PRIVATE_WEBHOOK_URLS": "true",  # as the demo's API (see demo())
    }
    return subprocess.Popen(
        [sys.executable, "-m", "shipmux", "worker", "--worker-id", "demo"], env=env
    )


def _banner(port: int, key: str) -> None:
    base = f"http://127.0.0.1:{port}"
    Console().print(
        f"""
[bold green]shipmux demo[/bold green] on {base}  (API docs: {base}/docs)
  API key:   [bold]{key}[/bold]
  sandboxes: {base}/sandbox/<carrier>/ for click-and-drop, parcel2go, sendcloud, clickpost
  routing:   cheapest quote (Click & Drop by its rate card, Parcel2Go by its quote API)
Try:
  curl -s -X POST {base}/v1/quotes -H 'Authorization: Bearer {key}' \\
       -H 'Content-Type: application/json' -d @examples/order-cheapest.json
  curl -s -X POST {base}/v1/orders -H 'Authorization: Bearer {key}' \\
       -H 'Content-Type: application/json' -d @examples/order-cheapest.json
  curl -s {base}/v1/orders?reference=ORDER-2001 -H 'Authorization: Bearer {key}'
"""
    )


def demo(
    port: int = typer.Option(8000, help="port of the hub and its sandboxes"),
    api_key: str | None = typer.Option(None, help="use this API key for the demo tenant"),
) -> None:
    """Run the hub, a worker and the carrier sandboxes, with a demo tenant and account."""
    # Demo merchants listen on this machine (127.0.0.1), which a real hub refuses.
    settings = load_settings(allow_private_webhook_urls=True)
    ctx = build_context(settings)
    migrate_database(ctx)
    tenant_id = _demo_tenant(ctx)
    key = _demo_key(ctx, tenant_id, api_key)
    setups = _connect_sandboxes(ctx, tenant_id, port)
    _route_by_cheapest(ctx, tenant_id)
    from shipmux.api.app import create_app

    app = create_app(ctx, extra_mounts={"/sandbox": create_sandboxes_app()})
    worker = _start_worker(settings.data_dir)
    _tell_sandboxes(port, setups)
    _banner(port, key)
    try:
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
    finally:
        worker.terminate()
        worker.wait(timeout=30)
