"""``shipmux demo``: the hub, a worker and every sandbox on one machine, ready to use.

SQLite in the data folder, a demo tenant whose key is printed, and a Click &
Drop account connected to the sandbox mounted in the same server.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import typer
import uvicorn
from rich.console import Console

from shipmux.bootstrap import build_context, migrate_database
from shipmux.config import load_settings
from shipmux.domain.tenants import Scope
from shipmux.sandboxes import create_sandboxes_app
from shipmux.services import accounts, tenants
from shipmux.services.context import HubContext

DEMO_ACCOUNT = "click-and-drop"


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
        accounts.connect_account(
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
  sandboxes: {base}/sandbox/click-and-drop/api/v1
Try:
  curl -s -X POST {base}/v1/orders -H 'Authorization: Bearer {key}' \\
       -H 'Content-Type: application/json' -d @examples/order.json
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
    from shipmux.api.app import create_app

    app = create_app(ctx, extra_mounts={"/sandbox": create_sandboxes_app()})
    worker = _start_worker(settings.data_dir)
    _banner(port, key)
    try:
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")
    finally:
        worker.terminate()
        worker.wait(timeout=30)
