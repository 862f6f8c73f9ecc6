"""Webhook ingest: signed Clickpost-style events into the hub, beside a naive receiver
that commits once per request and a bare endpoint that writes nothing, in one run.

    python -m bench.webhooks [--events 4000] [--clients 64] [--latency-seconds 5] [--rounds 1]
                             [--known-shipments 4000]

(a) hub: ``shipmux api`` (one process, SQLite default: WAL, synchronous=FULL), a
    Clickpost account with a webhook key; ``POST /webhooks/clickpost/{account}``.
(b) naive: ``naive_app`` below, same stack (FastAPI, uvicorn, SQLAlchemy, shipmux's
    ``Database`` with the same SQLite settings): checks the key, parses the JSON,
    writes one row per request in its own transaction.
(c) bare: ``bare_app`` below, reads the body and answers 200; writes nothing.
(a') hub, known shipments (no target; 0 skips it): the same events, minutes old, for
    shipments the hub holds, labelled at the account, with a merchant endpoint: each
    is applied (timeline, stage, status) and queued for the merchant.

Each server gets the same events: first as fast as ``--clients`` keep-alive
connections can send them (sustained rate), then paced at half that rate for
``--latency-seconds`` (p50/p99 measured from each request's scheduled time, so a
queue is counted). The bare endpoint is also paced at the hub's half rate: its tail
there is what the load generator and the machine add to any server's at that pace.
With two or more cores, servers run on one core and the load generator on the others.
After each writer, every 200 is checked against the rows (and for (a'), that every
receipt was applied). The load generator is a lean asyncio HTTP/1.1 client in this
process; its garbage collector is paused while it times.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import hmac
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response
from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from bench.intake import make_orders
from bench.support import bench_hub, bench_tenant, free_port, report
from shipmux.domain.shipments import ShipmentStatus
from shipmux.services import accounts
from shipmux.services.context import HubContext
from shipmux.services.intake import take_orders
from shipmux.services.notifications.endpoints import EndpointSpec, create_endpoint
from shipmux.storage.db import Database
from shipmux.storage.tables import ShipmentRow, WebhookReceiptRow

KEY = "bench-webhook-key-7e7cc4c4-273d-49ce"
_NAIVE_DB_ENV = "BENCH_NAIVE_DATABASE_URL"

# -- events -------------------------------------------------------------------------


def clickpost_event(
    run: str, n: int, *, waybill: int | None = None, at: str = "2026-11-20T10:04:20Z"
) -> bytes:
    """A Clickpost all-status webhook (the shape of the sandbox's), its own status id.

    By default each names its own waybill, one the hub does not know, and happened
    days ago; ``waybill`` and ``at`` make it news for a shipment the hub holds.
    """
    waybill = n if waybill is None else waybill
    return json.dumps(
        {
            "additional": {
                "latest_status": {
                    "remark": "Shipment is Out for Delivery",
                    "clickpost_status_code": 6,
                    "reference_number": f"REF-{n:07d}",
                    "timestamp": at,
                    "clickpost_status_bucket_description": "Out for delivery",
                    "location": "DEL_GeetaColony",
                    "clickpost_status_description": "OutForDelivery",
                    "clickpost_status_bucket": 4,
                    "status": "OFD",
                },
                "is_rvp": False,
                "courier_partner_edd": "2026-11-25",
                "order_id": f"ORD-{n:07d}",
            },
            "remark": "Shipment is Out for Delivery",
            "clickpost_status_description": "OutForDelivery",
            "timestamp": at,
            "location": "DEL_GeetaColony",
            "status": "OFD",
            "cp_id": 9,
            "clickpost_status_code": 6,
            "waybill": f"WB{waybill:010d}",
            "order_status_id": f"{run}-{n}",
        }
    ).encode()


def raw_request(path: str, body: bytes) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"webhook_key: {KEY}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


# -- the baselines ------------------------------------------------------------------

_metadata = MetaData()
_naive = Table(
    "naive_receipts",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("event_id", String(100), unique=True, nullable=False),
    Column("body", Text, nullable=False),
    Column("received_at", DateTime, nullable=False),
)


def naive_app() -> FastAPI:
    """Key check, JSON parse, one row per request in its own transaction (threadpool)."""
    db = Database(os.environ[_NAIVE_DB_ENV])
    _metadata.create_all(db.engine)
    app = FastAPI()

    def store(headers: dict[str, str], body: bytes) -> int:
        if not hmac.compare_digest(headers.get("webhook_key", "").encode(), KEY.encode()):
            return 401
        event_id = json.loads(body)["order_status_id"]
        try:
            with db.transaction() as session:
                session.execute(
                    insert(_naive).values(
                        event_id=event_id, body=body.decode(), received_at=datetime.now(UTC)
                    )
                )
        except IntegrityError:
            pass  # a repeat: 200, nothing changed
        return 200

    @app.post("/webhooks/{carrier}/{account_id}")
    async def receive(carrier: str, account_id: str, request: Request) -> Response:
        body = await request.body()
        status = await run_in_threadpool(store, dict(request.headers), body)
        return Response(b'{"status":"applied"}', status, media_type="application/json")

    @app.get("/healthz")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


def bare_app() -> FastAPI:
    """Reads the body, answers 200, writes nothing."""
    app = FastAPI()

    @app.post("/webhooks/{carrier}/{account_id}")
    async def receive(carrier: str, account_id: str, request: Request) -> Response:
        await request.body()
        return Response(b'{"status":"ok"}', 200, media_type="application/json")

    @app.get("/healthz")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


# -- servers ------------------------------------------------------------------------

# With two or more cores the server under test and the load generator get their own, so
# neither's scheduling lands in the other's figures (the same for all three servers).
_CORES = sorted(os.sched_getaffinity(0))
SERVER_CORES = {_CORES[0]} if len(_CORES) > 1 else set(_CORES)
LOAD_CORES = set(_CORES[1:]) or set(_CORES)


def _on_server_core() -> None:
    os.sched_setaffinity(0, SERVER_CORES)


@contextmanager
def uvicorn_process(factory: str, port: int, env: dict[str, str]) -> Iterator[str]:
    """``uvicorn --factory <factory>`` on ``port`` (one process) until the block ends."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            factory,
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env={**os.environ, "SHIPMUX_LOG_LEVEL": "WARNING", **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=_on_server_core,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{factory} did not start")
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


# -- the load -----------------------------------------------------------------------


class Conn:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Conn:
        return cls(*await asyncio.open_connection("127.0.0.1", port))

    async def send(self, request: bytes) -> int:
        self.writer.write(request)
        await self.writer.drain()
        status = int((await self.reader.readline()).split()[1])
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        await self.reader.readexactly(length)
        return status

    def close(self) -> None:
        self.writer.close()


async def sustained(port: int, requests: list[bytes], clients: int) -> tuple[float, int]:
    """Send all ``requests`` over ``clients`` connections, each as soon as the last is answered."""
    conns = [await Conn.open(port) for _ in range(clients)]
    pending = list(reversed(requests))
    oks = 0

    async def run(conn: Conn) -> None:
        nonlocal oks
        while pending:
            status = await conn.send(pending.pop())
            assert status == 200, status
            oks += 1

    with collector_paused():
        start = time.perf_counter()
        await asyncio.gather(*(run(c) for c in conns))
        elapsed = time.perf_counter() - start
    for c in conns:
        c.close()
    return len(requests) / elapsed, oks


async def paced(port: int, requests: list[bytes], rate: float, clients: int) -> list[float]:
    """Send ``requests`` at ``rate`` per second; each latency from its scheduled time (ms).

    One producer sleeps until each request's time and only then starts it: starting a
    task per request up front kept the loop busy past the first due times, which then
    showed as the server's latency.
    """
    idle: asyncio.Queue[Conn] = asyncio.Queue()
    for _ in range(clients):
        idle.put_nowait(await Conn.open(port))
    loop = asyncio.get_running_loop()
    latencies: list[float] = []

    async def one(due: float, request: bytes) -> None:
        conn = await idle.get()
        status = await conn.send(request)
        latencies.append((loop.time() - due) * 1000)
        idle.put_nowait(conn)
        assert status == 200, status

    sent: set[asyncio.Task[None]] = set()
    with collector_paused():
        start = loop.time() + 0.05
        for i, request in enumerate(requests):
            due = start + i / rate
            await asyncio.sleep(max(0.0, due - loop.time()))
            task = asyncio.create_task(one(due, request))
            sent.add(task)
            task.add_done_callback(sent.discard)
        while sent:
            await asyncio.gather(*list(sent))
    while not idle.empty():
        idle.get_nowait().close()
    return latencies


@contextmanager
def collector_paused() -> Iterator[None]:
    """No collection in the load generator while it times: its full passes over the
    requests it holds took 50-70 ms, and every request in flight counted the pause as
    the server's latency (the bench's p99 at half rate was mostly this)."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# -- the three ----------------------------------------------------------------------


def hub_run(tmp: Path, args: argparse.Namespace, run: str, known: int = 0) -> dict[str, float]:
    """The hub's figures; with ``known`` > 0, for events naming that many labelled
    shipments it holds (applied, timelined, queued for a merchant endpoint)."""
    data_dir = tmp / ("hub-known" if known else "hub")
    ctx = bench_hub(data_dir)
    tenant_id, _ = bench_tenant(ctx)
    account_id = accounts.connect_account(
        ctx.db,
        ctx.secret_box,
        tenant_id,
        name="clickpost",
        carrier="clickpost",
        settings={
            "base_url": "http://127.0.0.1:9",
            "username": "bench",
            "key": "k" * 36,
            "webhook_key": KEY,
            "default_courier": {"courier_partner_id": 1, "account_code": "default"},
        },
    ).id
    event: Callable[[str, int], bytes] = clickpost_event
    if known:
        _labelled_at(ctx, tenant_id, account_id, known)
        # Minutes old: news the merchant is told of (a day old would be stored only).
        at = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")

        def news(run: str, n: int) -> bytes:
            return clickpost_event(run, n, waybill=n % known, at=at)

        event = news

    ctx.db.dispose()
    port = free_port()
    with uvicorn_process("shipmux.api.asgi:create", port, {"SHIPMUX_DATA_DIR": str(data_dir)}):
        figures = _measure_at(port, f"/webhooks/clickpost/{account_id}", run, args, event)
    db = Database(f"sqlite:///{data_dir / 'shipmux.db'}")
    with db.reading() as session:
        stored = session.scalar(select(func.count()).select_from(WebhookReceiptRow)) or 0
        applied = session.scalar(select(func.count()).where(WebhookReceiptRow.outcome == "applied"))
    db.dispose()
    assert stored == figures["acked"], (stored, figures["acked"])  # every 200 is a row
    assert applied == (stored if known else 0), (applied, stored)
    return figures


def _labelled_at(ctx: HubContext, tenant_id: str, account_id: str, count: int) -> None:
    """``count`` shipments labelled at the Clickpost account, waybills WB0000000000 on,
    and a merchant endpoint for every event (nothing delivers it during the run)."""
    for start in range(0, count, 500):
        orders = make_orders(min(500, count - start), f"known{start}")
        take_orders(ctx.db, tenant_id, orders, max_attempts=5)
    with ctx.db.transaction() as session:
        shipments = session.scalars(select(ShipmentRow).order_by(ShipmentRow.id)).all()
        for n, shipment in enumerate(shipments):
            shipment.carrier_account_id, shipment.carrier = account_id, "clickpost"
            shipment.carrier_shipment_ref = shipment.tracking_number = f"WB{n:010d}"
            shipment.carrier_order_id = f"CP{n}"
            shipment.status = ShipmentStatus.LABEL_READY.value
    create_endpoint(
        ctx.db,
        ctx.secret_box,
        tenant_id,
        EndpointSpec(url="http://127.0.0.1:9/hooks"),
        allow_private=True,
    )


def naive_run(tmp: Path, args: argparse.Namespace, run: str) -> dict[str, float]:
    url = f"sqlite:///{tmp / 'naive.db'}"
    port = free_port()
    with uvicorn_process("bench.webhooks:naive_app", port, {_NAIVE_DB_ENV: url}):
        figures = _measure_at(port, "/webhooks/clickpost/naive", run, args)
    db = Database(url)
    with db.reading() as session:
        stored = session.scalar(select(func.count()).select_from(_naive)) or 0
    db.dispose()
    assert stored == figures["acked"], (stored, figures["acked"])
    return figures


def bare_run(tmp: Path, args: argparse.Namespace, run: str, hub_rate: float) -> dict[str, float]:
    """The bare endpoint's figures, plus its latency at the hub's half rate: what the load
    generator and the machine add to any server's tail at that pace."""
    port = free_port()
    path = "/webhooks/clickpost/bare"
    with uvicorn_process("bench.webhooks:bare_app", port, {}):
        figures = _measure_at(port, path, run, args)
        count = max(200, int(hub_rate / 2 * args.latency_seconds))
        slow = [raw_request(path, clickpost_event(f"{run}h", n)) for n in range(count)]
        lat = sorted(asyncio.run(paced(port, slow, hub_rate / 2, args.clients)))
    figures["p50_ms_at_hub_half_rate"] = statistics.median(lat)
    figures["p99_ms_at_hub_half_rate"] = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
    return figures


def _measure_at(
    port: int,
    path: str,
    run: str,
    args: argparse.Namespace,
    event: Callable[[str, int], bytes] = clickpost_event,
) -> dict[str, float]:
    def requests(tag: str, count: int) -> list[bytes]:
        return [raw_request(path, event(f"{run}{tag}", n)) for n in range(count)]

    warm = requests("w", 200)
    load = requests("s", args.events)
    asyncio.run(sustained(port, warm, args.clients))
    rate, oks = asyncio.run(sustained(port, load, args.clients))
    count = max(200, int(rate / 2 * args.latency_seconds))
    slow = requests("p", count)
    lat = sorted(asyncio.run(paced(port, slow, rate / 2, args.clients)))
    return {
        "rate": rate,
        "acked": float(oks + len(warm) + len(slow)),
        "p50_ms": statistics.median(lat),
        "p99_ms": lat[min(len(lat) - 1, int(len(lat) * 0.99))],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--latency-seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=1, help="hub, naive and bare alternate")
    parser.add_argument(
        "--known-shipments",
        type=int,
        default=4000,
        help="also run the hub on events for this many shipments it holds (0: skip)",
    )
    args = parser.parse_args()
    os.sched_setaffinity(0, LOAD_CORES)
    hubs, naives, bares, knowns = [], [], [], []
    for round_ in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            run = f"r{round_}"
            naives.append(naive_run(Path(tmp), args, run))
            hubs.append(hub_run(Path(tmp), args, run))
            bares.append(bare_run(Path(tmp), args, run, hubs[-1]["rate"]))
            if args.known_shipments:
                knowns.append(hub_run(Path(tmp), args, run, args.known_shipments))
    over_naive = [h["rate"] / n["rate"] for h, n in zip(hubs, naives, strict=True)]
    over_bare = [h["rate"] / b["rate"] for h, b in zip(hubs, bares, strict=True)]

    def med(rows: list[dict[str, float]], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    figures: dict[str, Any] = {
        "events_per_round": args.events,
        "clients": args.clients,
        "rounds": args.rounds,
        "hub_events_per_second": med(hubs, "rate"),
        "naive_events_per_second": med(naives, "rate"),
        "bare_requests_per_second": med(bares, "rate"),
        "hub_over_naive_per_round": [round(r, 2) for r in over_naive],
        "hub_over_naive_median": statistics.median(over_naive),
        "hub_over_bare_per_round": [round(r, 2) for r in over_bare],
        "hub_over_bare_median": statistics.median(over_bare),
        "hub_p50_ms_at_half_rate": med(hubs, "p50_ms"),
        "hub_p99_ms_at_half_rate": med(hubs, "p99_ms"),
        "hub_p99_ms_per_round": [round(h["p99_ms"], 1) for h in hubs],
        "naive_p50_ms_at_half_its_rate": med(naives, "p50_ms"),
        "naive_p99_ms_at_half_its_rate": med(naives, "p99_ms"),
        "bare_p50_ms_at_half_its_rate": med(bares, "p50_ms"),
        "bare_p99_ms_at_half_its_rate": med(bares, "p99_ms"),
        "bare_p50_ms_at_hub_half_rate": med(bares, "p50_ms_at_hub_half_rate"),
        "bare_p99_ms_at_hub_half_rate": med(bares, "p99_ms_at_hub_half_rate"),
        "targets": "hub/naive >= 3, hub/bare >= 0.5, hub p99 < 50 ms",
    }
    if knowns:  # no target: what the same events cost when they move shipments
        figures |= {
            "known_shipments": args.known_shipments,
            "hub_known_events_per_second": med(knowns, "rate"),
            "hub_known_over_naive_per_round": [
                round(k["rate"] / n["rate"], 2) for k, n in zip(knowns, naives, strict=True)
            ],
            "hub_known_p50_ms_at_half_rate": med(knowns, "p50_ms"),
            "hub_known_p99_ms_per_round": [round(k["p99_ms"], 1) for k in knowns],
        }
    print("webhooks (SQLite, one API process each):")
    report("webhooks", figures)


if __name__ == "__main__":
    main()
