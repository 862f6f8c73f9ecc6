"""The ``shipmux`` command: one thin group per concern, all built on services."""

from __future__ import annotations

import typer

from shipmux.cli import accounts, db, demo, serve, tenants, webhooks
from shipmux.config import load_settings
from shipmux.logs import configure_logging

__all__ = ["app", "main"]

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="shipmux: one hub, every carrier."
)
app.command("demo")(demo.demo)
app.command("api")(serve.api)
app.command("worker")(serve.worker)
app.command("sandbox")(serve.sandbox)
app.add_typer(db.app, name="db")
app.add_typer(tenants.app, name="tenants")
app.add_typer(accounts.app, name="accounts")
app.add_typer(webhooks.app, name="webhooks")


@app.callback()
def _setup() -> None:
    settings = load_settings()  # SHIPMUX_LOG_LEVEL, SHIPMUX_LOG_JSON
    configure_logging(settings.log_level, json=settings.log_json)


def main() -> None:
    app()
