"""``shipmux webhooks``: the merchant webhooks' dead letters, and sending one again."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from shipmux.bootstrap import build_context
from shipmux.config import load_settings
from shipmux.domain.errors import ShipmuxError
from shipmux.services.notifications import deliveries

app = typer.Typer(no_args_is_help=True, help="Merchant webhooks: dead letters and replay.")


@app.command("dead")
def dead(
    tenant: str | None = typer.Option(None, help="one tenant's only (default: every tenant)"),
    limit: int = typer.Option(100, min=1, max=5000),
) -> None:
    """Deliveries that ran out of tries (or met a 410), newest first."""
    ctx = build_context(load_settings())
    table = Table("id", "tenant", "endpoint", "event", "tries", "last status", "last error")
    views = deliveries.list_deliveries(ctx.db, tenant, state="dead", limit=limit)
    for view in views:
        table.add_row(
            view.id,
            view.tenant_id,
            view.endpoint_id,
            view.event_type,
            str(view.attempts),
            str(view.last_status or ""),
            view.last_error or "",
        )
    Console(width=200).print(table)


@app.command("replay")
def replay(
    delivery_id: str,
    tenant: str | None = typer.Option(None, help="refuse unless it is this tenant's"),
) -> None:
    """Queue a delivery again, now, with a fresh round of tries."""
    ctx = build_context(load_settings())
    try:
        view = deliveries.replay_delivery(ctx.db, tenant, delivery_id)
    except ShipmuxError as exc:
        Console(stderr=True).print(f"cannot replay: {exc.message}")
        raise typer.Exit(1) from exc
    Console().print(f"queued {view.id} again for endpoint {view.endpoint_id}")
