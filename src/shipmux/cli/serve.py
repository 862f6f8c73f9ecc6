"""``shipmux api``, ``shipmux worker`` and ``shipmux sandbox``: the long-running processes."""

from __future__ import annotations

import asyncio
import signal

import typer
import uvicorn

from shipmux.bootstrap import build_context, migrate_database
from shipmux.config import load_settings
from shipmux.sandboxes import create_sandboxes_app
from shipmux.worker.runner import Worker


def api(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = typer.Option(1, min=1, help="API processes (one per core is typical)"),
    migrate: bool = typer.Option(True, help="apply migrations before serving"),
) -> None:
    """Serve the hub API."""
    if migrate:
        migrate_database(build_context(load_settings()))
    # Our middleware logs every request with its id; uvicorn's access log would repeat it.
    uvicorn.run(
        "shipmux.api.asgi:create",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=False,
    )


def worker(worker_id: str | None = None) -> None:
    """Run a worker: claim outbox jobs and talk to the carriers until SIGTERM."""
    ctx = build_context(load_settings())
    asyncio.run(run_worker(Worker(ctx, worker_id)))


async def run_worker(w: Worker) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await w.run(stop)


def sandbox(host: str = "127.0.0.1", port: int = 8100) -> None:
    """Serve every carrier sandbox alone, each under /<carrier>/ (e.g. /click-and-drop/api/v1)."""
    uvicorn.run(create_sandboxes_app(), host=host, port=port, log_level="warning")
