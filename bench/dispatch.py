"""Dispatch: N orders from intake to label stored against the Click & Drop sandbox,
beside the bare carrier calls alone (the same requests sent straight to the sandbox
with the same concurrency), in one run.

    python -m bench.dispatch [--orders 10000] [--concurrency 16]

The sandbox runs in its own process with its rate limit off (both sides alike).
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench.intake import make_orders
from bench.support import bench_hub, bench_tenant, report, sandbox_server
from shipmux import carriers
from shipmux.carriers.base import LabelRequest
from shipmux.carriers.click_and_drop import ClickAndDrop, ClickAndDropSettings
from shipmux.config import WorkerSettings
from shipmux.domain.orders import Order
from shipmux.services.intake import take_orders
from shipmux.storage.tables import ShipmentRow
from shipmux.worker.runner import Worker


def _account_settings(root: str) -> dict[str, Any]:
    return {
        "base_url": f"{root}/api/v1",
        "api_key": secrets.token_hex(18),
        "rate_limit_per_second": 0,
        "default_service_code": "TPN24",
    }


async def bare_calls(root: str, orders: list[dict[str, Any]], concurrency: int) -> float:
    """The hub's carrier requests, sent by the connector alone: no database, no outbox."""
    settings = ClickAndDropSettings.model_validate(_account_settings(root))
    connector = carriers.build_carrier(ClickAndDrop.slug, settings)
    models = [Order.model_validate(o) for o in orders]
    sem = asyncio.Semaphore(concurrency)

    async def labels(batch: list[Any]) -> None:
        async with sem:
            await connector.fetch_labels(batch, LabelRequest())

    async def create(batch: list[Order]) -> None:
        async with sem:
            results = await connector.create_orders(batch)
        # The hub fetches the labels of one create batch together, as here.
        await labels([r.created for r in results])

    start = time.perf_counter()
    size = ClickAndDrop.max_batch
    await asyncio.gather(*(create(models[i : i + size]) for i in range(0, len(models), size)))
    elapsed = time.perf_counter() - start
    await connector.aclose()
    return elapsed


def hub_run(root: str, data_dir: Path, orders: list[dict[str, Any]], concurrency: int) -> float:
    """Orders taken in 500 at a time with one worker running, until every label is stored."""
    ctx = bench_hub(data_dir, WorkerSettings(concurrency=concurrency, idle_sleep_seconds=0.02))
    tenant_id, _ = bench_tenant(ctx, **_account_settings(root))

    def labelled() -> int:
        with ctx.db.reading() as session:
            return (
                session.scalar(select(func.count()).where(ShipmentRow.status == "label_ready")) or 0
            )

    async def go() -> float:
        # The worker is running when the orders come in, as it always is in the hub: it
        # starts on the first batch of 500 while the rest are still being taken in.
        stop = asyncio.Event()
        task = asyncio.create_task(Worker(ctx, "bench").run(stop))
        start = time.perf_counter()
        for i in range(0, len(orders), 500):
            await asyncio.to_thread(
                take_orders, ctx.db, tenant_id, orders[i : i + 500], max_attempts=8
            )
        while await asyncio.to_thread(labelled) < len(orders):  # noqa: ASYNC110 -- polls the database
            await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - start
        stop.set()
        await task
        return elapsed

    elapsed = asyncio.run(go())
    ctx.db.dispose()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    with sandbox_server() as root:
        with tempfile.TemporaryDirectory() as tmp:
            bare = asyncio.run(bare_calls(root, make_orders(args.orders, "bare"), args.concurrency))
            hub = hub_run(root, Path(tmp), make_orders(args.orders, "hub"), args.concurrency)
    figures = {
        "orders": args.orders,
        "concurrency": args.concurrency,
        "hub_seconds_intake_to_labels": hub,
        "bare_carrier_calls_seconds": bare,
        "hub_over_bare": hub / bare,
        "target_hub_over_bare_at_most": 1.3,
    }
    print("dispatch (SQLite, Click & Drop sandbox):")
    report("dispatch", figures)


if __name__ == "__main__":
    main()
