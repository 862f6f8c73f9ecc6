"""``shipmux db``: schema migrations."""

from __future__ import annotations

import typer
from rich.console import Console

from shipmux.bootstrap import build_context, migrate_database
from shipmux.config import load_settings

app = typer.Typer(no_args_is_help=True, help="Database schema.")


@app.command("upgrade")
def upgrade() -> None:
    """Apply every migration (SHIPMUX_DATABASE_URL, or SQLite in the data folder)."""
    ctx = build_context(load_settings())
    migrate_database(ctx)
    Console().print(f"[green]database at head[/green]: {ctx.db.engine.url!r}")
