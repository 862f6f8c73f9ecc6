"""``shipmux accounts``: connect carrier accounts to a tenant."""

from __future__ import annotations

import asyncio
import json

import typer
from rich.console import Console
from rich.table import Table

from shipmux import carriers
from shipmux.bootstrap import build_context
from shipmux.config import load_settings
from shipmux.services import accounts, webhooks

app = typer.Typer(no_args_is_help=True, help="Carrier accounts.")


@app.command("carriers")
def list_carriers() -> None:
    """The carriers this hub can talk to."""
    for slug in carriers.available_carriers():
        Console().print(f"{slug}\t{carriers.registry()[slug].title}")


@app.command("connect")
def connect(
    tenant_id: str,
    name: str,
    carrier: str,
    settings: str = typer.Option(..., help="the carrier's settings as JSON"),
    default: bool = False,
) -> None:
    """Connect an account (its secrets are encrypted before they are stored)."""
    ctx = build_context(load_settings())
    view = accounts.connect_account(
        ctx.db,
        ctx.secret_box,
        tenant_id,
        name=name,
        carrier=carrier,
        settings=json.loads(settings),
        is_default=default,
    )
    Console().print(f"connected {view.name} ({view.carrier}) as {view.id}")


@app.command("list")
def list_(tenant_id: str) -> None:
    ctx = build_context(load_settings())
    table = Table("id", "name", "carrier", "default", "paused")
    for view in accounts.list_accounts(ctx.db, tenant_id):
        table.add_row(
            view.id, view.name, view.carrier, str(view.is_default), view.paused_reason or ""
        )
    Console().print(table)


@app.command("register-webhook")
def register_webhook(
    tenant_id: str,
    account_id: str,
    hub_url: str = typer.Option(..., help="the hub's public base URL the carrier can reach"),
) -> None:
    """Ask the carrier to push this account's tracking to the hub (Clickpost)."""
    ctx = build_context(load_settings())

    async def register() -> None:
        try:
            await webhooks.register_webhook(ctx, tenant_id, account_id, hub_url)
        finally:
            await ctx.carriers.aclose()

    asyncio.run(register())
    Console().print(f"{account_id}: webhooks go to {hub_url.rstrip('/')}/v1/webhooks/...")
