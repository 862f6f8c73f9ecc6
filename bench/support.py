"""What the benchmarks share: temporary hubs, server processes, timing and reporting."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from shipmux.bootstrap import build_context, migrate_database
from shipmux.config import Settings, WorkerSettings
from shipmux.services import accounts, tenants
from shipmux.services.context import HubContext

RESULTS = Path(__file__).parent / "results"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server_process(args: list[str], env: dict[str, str], health_url: str) -> Iterator[None]:
    """Run ``python -m shipmux <args>`` until the block ends; wait until it answers."""
    process = subprocess.Popen(
        [sys.executable, "-m", "shipmux", *args],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(health_url, timeout=1).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                err = process.stderr.read().decode() if process.stderr else ""
                raise RuntimeError(f"server did not start: {err[-2000:]}")
            time.sleep(0.1)
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


def report(name: str, figures: dict[str, Any]) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(figures, indent=2, default=str))
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        shown = f"{value:,.2f}" if isinstance(value, float) else str(value)
        print(f"  {key:<{width}}  {shown}")


def bench_hub(data_dir: Path, worker: WorkerSettings | None = None) -> HubContext:
    """A migrated hub on SQLite in ``data_dir``, blind to the caller's environment."""
    settings = Settings(data_dir=data_dir, worker=worker or WorkerSettings(), _env_file=None)  # type: ignore[call-arg]
    ctx = build_context(settings)
    migrate_database(ctx)
    return ctx


def bench_tenant(ctx: HubContext, **account: Any) -> tuple[str, str]:
    """A tenant with a default Click & Drop account; its id and the account's id."""
    tenant_id = tenants.create_tenant(ctx.db, "bench")
    view = accounts.connect_account(
        ctx.db,
        ctx.secret_box,
        tenant_id,
        name="cd",
        carrier="click-and-drop",
        settings={"api_key": secrets.token_hex(18), "rate_limit_per_second": 0, **account},
        is_default=True,
    )
    return tenant_id, view.id


@contextmanager
def sandbox_server() -> Iterator[str]:
    """Every sandbox in its own process, rate limits off; yields Click & Drop's root URL."""
    port = free_port()
    root = f"http://127.0.0.1:{port}/click-and-drop"
    with server_process(["sandbox", "--port", str(port)], {}, f"{root}/api/v1/version"):
        httpx.put(f"{root}/_sandbox/settings", json={"rate_limit_per_second": 0}).raise_for_status()
        yield root
