"""kill -9 under load: every webhook answered 200 is in the database after the crash.

The hub runs as a real server process (uvicorn with ``shipmux.api.asgi:create``) over
this test's database (SQLite, or PostgreSQL with ``SHIPMUX_TEST_POSTGRES_URL``).
Signed Clickpost-style events are posted by many concurrent clients; the server is
SIGKILLed mid-load, restarted, and every event id that got a 200 must be stored,
exactly once. The events are then all sent again: all 200, still one receipt each.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from shipmux.services.accounts import connect_account
from shipmux.services.context import HubContext
from shipmux.services.tenants import create_tenant
from shipmux.storage.tables import WebhookReceiptRow

KEY = "durability-webhook-key-0123456789"
EVENTS = int(os.environ.get("SHIPMUX_KILL9_EVENTS", "300"))
CLIENTS = 32


def clickpost_account(hub: HubContext) -> str:
    tenant_id = create_tenant(hub.db, "durable")
    view = connect_account(
        hub.db,
        hub.secret_box,
        tenant_id,
        name="clickpost",
        carrier="clickpost",
        settings={
            "base_url": "http://127.0.0.1:9",
            "username": "durable",
            "key": "k" * 36,
            "webhook_key": KEY,
            "default_courier": {"courier_partner_id": 1, "account_code": "default"},
        },
    )
    return view.id


def event(n: int) -> bytes:
    return json.dumps(
        {
            "waybill": f"DUR{n:08d}",
            "cp_id": 9,
            "clickpost_status_code": 5,
            "clickpost_status_description": "InTransit",
            "status": "In transit",
            "remark": "Shipment in transit",
            "location": "DEL",
            "timestamp": "2026-11-20T10:04:20Z",
            "order_status_id": f"dur-{n}",
        }
    ).encode()


def start_server(hub: HubContext, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "SHIPMUX_DATA_DIR": str(hub.settings.data_dir),
        "SHIPMUX_DATABASE_URL": hub.settings.resolved_database_url,
        "SHIPMUX_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "shipmux.api.asgi:create",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        assert process.poll() is None, "the server exited while starting"
        time.sleep(0.1)
    process.kill()
    raise AssertionError("the server did not start")


async def post_all(
    url: str, ids: list[int], on_ack: Any = None, stop_after: int | None = None
) -> tuple[set[int], dict[int, int]]:
    """Post events ``ids`` with CLIENTS in flight; the ids answered 200, and other statuses."""
    acked: set[int] = set()
    other: dict[int, int] = {}
    queue = list(reversed(ids))
    limits = httpx.Limits(max_connections=CLIENTS)
    async with httpx.AsyncClient(timeout=10, limits=limits) as client:

        async def worker() -> None:
            while queue:
                n = queue.pop()
                try:
                    response = await client.post(
                        url, content=event(n), headers={"webhook_key": KEY}
                    )
                except httpx.HTTPError:
                    continue  # the server died under this request: not acknowledged
                if response.status_code == 200:
                    acked.add(n)
                    if on_ack is not None and stop_after is not None and len(acked) == stop_after:
                        on_ack()
                else:
                    other[n] = response.status_code

        await asyncio.gather(*(worker() for _ in range(CLIENTS)))
    return acked, other


def stored_ids(hub: HubContext, account_id: str) -> list[str]:
    with hub.db.reading() as session:
        return list(
            session.scalars(
                select(WebhookReceiptRow.event_id).where(
                    WebhookReceiptRow.carrier_account_id == account_id
                )
            )
        )


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_no_acknowledged_webhook_is_lost_to_kill_9(hub: HubContext, tmp_path: Path) -> None:
    account_id = clickpost_account(hub)
    port = free_port()
    url = f"http://127.0.0.1:{port}/webhooks/clickpost/{account_id}"
    server = start_server(hub, port)
    try:

        def kill() -> None:
            server.send_signal(signal.SIGKILL)

        acked, other = asyncio.run(
            post_all(url, list(range(EVENTS)), on_ack=kill, stop_after=EVENTS // 3)
        )
        server.wait(timeout=10)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert server.returncode == -signal.SIGKILL
    assert not other, f"answers other than 200 before the kill: {other}"
    assert EVENTS // 3 <= len(acked) < EVENTS, "the kill did not land mid-load"

    # After the crash, before anything else touches the database: every 200 is on disk.
    stored = stored_ids(hub, account_id)
    assert len(stored) == len(set(stored))
    lost = {f"dur-{n}" for n in acked} - set(stored)
    assert not lost, f"{len(lost)} acknowledged events lost: {sorted(lost)[:10]}"

    # The restarted hub takes everything again: new ones stored, repeats answered 200.
    server = start_server(hub, port)
    try:
        again, other = asyncio.run(post_all(url, list(range(EVENTS))))
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert not other, other
    assert again == set(range(EVENTS))
    stored = stored_ids(hub, account_id)
    assert sorted(stored) == sorted(f"dur-{n}" for n in range(EVENTS))
    with hub.db.reading() as session:
        raw = session.scalar(
            select(WebhookReceiptRow.raw_body).where(WebhookReceiptRow.event_id == "dur-7")
        )
        assert raw == event(7).decode()
        assert session.scalar(select(func.count()).select_from(WebhookReceiptRow)) == EVENTS
