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
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import typer
import uvicorn
from rich.console import Console

from shipmux.bootstrap import build_context, migrate_database
from shipmux.carriers.parcel2go.settings import SANDBOX_COLLECTION_ADDRESS
from shipmux.config import load_settings
from shipmux.domain.rate_cards import read_csv
from shipmux.domain.routing import RoutingPolicy, Strategy
from shipmux.domain.tenants import Scope
from shipmux.sandboxes import create_sandboxes_app
from shipmux.services import accounts, rate_cards, routing, tenants
from shipmux.services.context import HubContext

DEMO_ACCOUNT = "click-and-drop"
P2G_ACCOUNT = "parcel2go"
RATE_CARD = Path(__file__).resolve().parents[3] / "examples" / "rate-cards" / "click-and-drop.csv"
# Simulated seconds between two tracking stages in the demo's Parcel2Go sandbox.
TRACKING_STEP_SECONDS = 5.0


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


def _connect_sandbox(ctx: HubContext, tenant_id: str, port: int) -> None:
    base_url = f"http://127.0.0.1:{port}/sandbox/click-and-drop/api/v1"
    existing = accounts.find_account(ctx.db, tenant_id, DEMO_ACCOUNT)
    if existing is None:
        existing = accounts.connect_account(
            ctx.db,
            ctx.secret_box,
            tenant_id,
            name=DEMO_ACCOUNT,
            carrier="click-and-drop",
            settings={
                "base_url": base_url,
                "api_key": secrets.token_hex(18),
                "default_service_code": "TPN24",
            },
            is_default=True,
        )
    else:  # the port may differ from the last run
        accounts.update_account(
            ctx.db, ctx.secret_box, tenant_id, existing.id, {"base_url": base_url}
        )
    if RATE_CARD.exists() and not rate_cards.read_rate_card(ctx.db, tenant_id, existing.id):
        lines = read_csv(RATE_CARD.read_text())
        rate_cards.replace_rate_card(ctx.db, tenant_id, existing.id, lines)


def _connect_parcel2go(ctx: HubContext, tenant_id: str, port: int) -> dict[str, Any]:
    """The Parcel2Go account, and what its sandbox must be told (webhook URL and secret)."""
    base_url = f"http://127.0.0.1:{port}/sandbox/parcel2go"
    existing = accounts.find_account(ctx.db, tenant_id, P2G_ACCOUNT)
    state = ctx.settings.data_dir / "demo-parcel2go.json"
    if existing is None or not state.exists():
        credentials = {
            "client_id": f"shipmux-demo-{secrets.token_hex(4)}",
            "client_secret": secrets.token_urlsafe(24),
            "webhook_secret": secrets.token_urlsafe(24),
        }
        state.write_text(json.dumps(credentials))
    credentials = json.loads(state.read_text())
    # The demo merchant ships from the seed's example address (orders carry no sender).
    collection = SANDBOX_COLLECTION_ADDRESS.model_dump(mode="json", exclude_none=True)
    values = {"base_url": base_url, "collection_address": collection, **credentials}
    if existing is None:
        existing = accounts.connect_account(
            ctx.db,
            ctx.secret_box,
            tenant_id,
            name=P2G_ACCOUNT,
            carrier="parcel2go",
            settings=values,
        )
    else:
        accounts.update_account(ctx.db, ctx.secret_box, tenant_id, existing.id, values)
    return {
        "root": base_url,
        "client_id": credentials["client_id"],
        "webhook_url": f"http://127.0.0.1:{port}/v1/webhooks/parcel2go/{existing.id}",
        "webhook_secret": credentials["webhook_secret"],
    }


def _route_by_cheapest(ctx: HubContext, tenant_id: str) -> None:
    if routing.load_policy(ctx.db, tenant_id).updated_at is None:  # keep the tenant's own
        routing.save_policy(ctx.db, tenant_id, RoutingPolicy(strategy=Strategy.CHEAPEST))


def _tell_sandbox(port: int, parcel2go: dict[str, Any]) -> None:
    """Once the server is up, give the Parcel2Go sandbox its webhook URL and a fast clock."""

    def run() -> None:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        root = parcel2go["root"]
        httpx.put(
            f"{root}/_sandbox/accounts/{parcel2go['client_id']}",
            json={
                "webhook_url": parcel2go["webhook_url"],
                "webhook_secret": parcel2go["webhook_secret"],
            },
            timeout=10,
        ).raise_for_status()
        httpx.put(
            f"{root}/_sandbox/settings",
            json={"tracking_step_seconds": TRACKING_STEP_SECONDS},
            timeout=10,
        ).raise_for_status()

    threading.Thread(target=run, name="demo-sandbox-setup", daemon=True).start()


def _start_worker(data_dir: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SHIPMUX_DATA_DIR": str(data_dir)}
    return subprocess.Popen(
        [sys.executable, "-m", "shipmux", "worker", "--worker-id", "demo"], env=env
    )


def _banner(port: int, key: str) -> None:
    base = f"http://127.0.0.1:{port}"
    Console().print(
        f"""
[bold green]shipmux demo[/bold green] on {base}  (API docs: {base}/docs)
  API key:   [bold]{key}[/bold]
  sandboxes: {base}/sandbox/click-and-drop/api/v1, {base}/sandbox/parcel2go/api
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
    settings = load_settings()
    ctx = build_context(settings)
    migrate_database(ctx)
    tenant_id = _demo_tenant(ctx)
    key = _demo_key(ctx, tenant_id, api_key)
    _connect_sandbox(ctx, tenant_id, port)
    parcel2go = _connect_parcel2go(ctx, tenant_id, port)
    _route_by_cheapest(ctx, tenant_id)
    from shipmux.api.app import create_app

    app = create_app(ctx, extra_mounts={"/sandbox": create_sandboxes_app()})
    worker = _start_worker(settings.data_dir)
    _tell_sandbox(port, parcel2go)
    _banner(port, key)
    try:
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
    finally:
        worker.terminate()
        worker.wait(timeout=30)
