"""``shipmux tenants``: tenants and their API keys."""

from __future__ import annotations

import typer
from rich.console import Console

from shipmux.bootstrap import build_context
from shipmux.config import load_settings
from shipmux.domain.tenants import Scope
from shipmux.services import tenants

app = typer.Typer(no_args_is_help=True, help="Tenants and API keys.")


@app.command("create")
def create(name: str) -> None:
    """Create a tenant and print its first admin key (shown once)."""
    ctx = build_context(load_settings())
    tenant_id = tenants.create_tenant(ctx.db, name)
    key = tenants.issue_api_key(ctx.db, tenant_id)
    Console().print(f"tenant {tenant_id}\nadmin key (shown once): {key.secret}")


@app.command("key")
def key(
    tenant_id: str,
    scope: list[Scope] = typer.Option([Scope.READ], help="read, write or admin"),
    name: str = "cli",
) -> None:
    """Issue another key for a tenant (shown once)."""
    ctx = build_context(load_settings())
    issued = tenants.issue_api_key(ctx.db, tenant_id, scopes=frozenset(scope), name=name)
    Console().print(f"key (shown once): {issued.secret}")
