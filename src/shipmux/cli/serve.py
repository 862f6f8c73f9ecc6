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
    migrate: bool = typer.Option(True, help="apply migrations before serving"),
) -> None:
    """Serve the hub API."""
    from shipmux.api.app import create_app  # the API pulls in FastAPI: only when serving

    ctx = build_context(load_settings())
    if migrate:
        migrate_database(ctx)
    uvicorn.run(create_app(ctx), host=host, port=port, log_level="info")


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
