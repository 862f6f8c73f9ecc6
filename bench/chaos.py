"""Chaos: N orders through the hub while the Click & Drop sandbox misbehaves, then a
count of what the sandbox holds: every order exactly once.

    python -m bench.chaos [--orders 1000] [--error-rate 0.3] [--downtime 5]

Faults: a share of calls answered 500, creates stored and then left unanswered past
the client's timeout (commit-then-timeout), and a downtime window at the start.
The CI-sized version of this run is tests/worker/test_dispatch.py.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import func, or_, select

from bench.intake import make_orders
from bench.support import bench_hub, bench_tenant, report, sandbox_server
from shipmux.config import WorkerSettings
from shipmux.services.context import HubContext
from shipmux.services.intake import take_orders
from shipmux.storage.tables import ExchangeRow, JobRow, ShipmentRow
from shipmux.worker.runner import Worker


def _hub(data_dir: Path) -> HubContext:
    worker = WorkerSettings(
        max_attempts=30,
        backoff_base_seconds=0.2,
        backoff_cap_seconds=3.0,
        breaker_cooldown_seconds=2.0,
        idle_sleep_seconds=0.05,
    )
    return bench_hub(data_dir, worker)


def _open_jobs(ctx: HubContext) -> int:
    with ctx.db.reading() as session:
        query = select(func.count()).where(JobRow.state.in_(("queued", "running")))
        return session.scalar(query) or 0


async def _drain(ctx: HubContext, deadline: float) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(Worker(ctx, "chaos").run(stop))
    while await asyncio.to_thread(_open_jobs, ctx) and time.monotonic() < deadline:  # noqa: ASYNC110 -- polls the database
        await asyncio.sleep(0.2)
    stop.set()
    await task


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--error-rate", type=float, default=0.3)
    parser.add_argument("--timeout-rate", type=float, default=0.1)
    parser.add_argument("--downtime", type=float, default=5.0, help="seconds, from the start")
    args = parser.parse_args()
    with sandbox_server() as root:
        now = datetime.now(UTC)
        faults = {
            "error_rate": args.error_rate,
            "commit_then_timeout_rate": args.timeout_rate,
            "hang_seconds": 3.0,
            "downtime": [
                {
                    "start": now.isoformat(),
                    "end": (now + timedelta(seconds=args.downtime)).isoformat(),
                }
            ],
            "seed": 1,
        }
        httpx.put(f"{root}/_sandbox/faults", json=faults).raise_for_status()
        with tempfile.TemporaryDirectory() as tmp:
            ctx = _hub(Path(tmp))
            tenant_id, _ = bench_tenant(ctx, base_url=f"{root}/api/v1", timeout_seconds=1.0)
            orders = make_orders(args.orders, "chaos")
            for i in range(0, len(orders), 500):
                take_orders(ctx.db, tenant_id, orders[i : i + 500], max_attempts=30)
            start = time.monotonic()
            asyncio.run(_drain(ctx, start + 900))
            elapsed = time.monotonic() - start
            with ctx.db.reading() as session:
                statuses = dict(
                    session.execute(
                        select(ShipmentRow.status, func.count()).group_by(ShipmentRow.status)
                    ).all()
                )
                failed_exchanges = session.scalar(
                    select(func.count()).where(
                        or_(ExchangeRow.status >= 500, ExchangeRow.error.is_not(None))
                    )
                )
        stored = httpx.get(f"{root}/_sandbox/orders").json()
    rows = stored["orders"] if isinstance(stored, dict) else stored
    counts = Counter(o["orderReference"] for o in rows if o["orderReference"].startswith("chaos"))
    figures = {
        "orders": args.orders,
        "faults": f"{args.error_rate:.0%} errors, {args.timeout_rate:.0%} commit-then-timeout, "
        f"{args.downtime:g}s downtime",
        "seconds": elapsed,
        "shipment_statuses": statuses,
        "orders_at_carrier": len(counts),
        "orders_at_carrier_more_than_once": sum(1 for c in counts.values() if c > 1),
        "orders_missing_at_carrier": args.orders - len(counts),
        "failed_exchanges_recorded": failed_exchanges,
    }
    print("chaos (SQLite, Click & Drop sandbox):")
    report("chaos", figures)


if __name__ == "__main__":
    main()
