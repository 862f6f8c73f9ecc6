"""Driving a hub in tests: a tenant with a carrier account, and a worker run to quiet."""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from shipmux.services import accounts, tenants
from shipmux.services.context import HubContext
from shipmux.services.intake import take_orders
from shipmux.storage.tables import JobRow, ShipmentRow
from shipmux.worker.runner import Worker


@dataclass(frozen=True)
class Tenant:
    id: str
    key: str
    account_id: str


def provision(ctx: HubContext, sandbox_root: str, **settings: Any) -> Tenant:
    """A tenant with an admin key and a default Click & Drop account on ``sandbox_root``."""
    tenant_id = tenants.create_tenant(ctx.db, "test")
    key = tenants.issue_api_key(ctx.db, tenant_id).secret
    view = accounts.connect_account(
        ctx.db,
        ctx.secret_box,
        tenant_id,
        name="cd",
        carrier="click-and-drop",
        settings={
            "base_url": f"{sandbox_root}/api/v1",
            "api_key": secrets.token_hex(18),
            "default_service_code": "TPN24",
            **settings,
        },
        is_default=True,
    )
    return Tenant(tenant_id, key, view.id)


def submit(ctx: HubContext, tenant: Tenant, orders: list[dict[str, Any]]) -> list[str]:
    answer = take_orders(ctx.db, tenant.id, orders, max_attempts=ctx.settings.worker.max_attempts)
    bad = [r for r in answer.results if r.outcome == "rejected"]
    assert not bad, bad
    return [r.order_id for r in answer.results if r.order_id]


def open_jobs(ctx: HubContext) -> int:
    with ctx.db.reading() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(JobRow)
                .where(JobRow.state.in_(("queued", "running")))
            )
            or 0
        )


def statuses(ctx: HubContext, tenant: Tenant) -> dict[str, int]:
    with ctx.db.reading() as session:
        rows = session.execute(
            select(ShipmentRow.status, func.count())
            .where(ShipmentRow.tenant_id == tenant.id)
            .group_by(ShipmentRow.status)
        ).all()
    return {str(status): int(count) for status, count in rows}


def run_worker_until_quiet(ctx: HubContext, timeout: float = 60.0) -> None:
    """Run one worker until no job is queued or running (or fail after ``timeout``)."""

    async def go() -> None:
        worker = Worker(ctx, "test-worker")
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run(stop))
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                await asyncio.sleep(0.1)
                if await asyncio.to_thread(open_jobs, ctx) == 0:
                    return
            raise AssertionError(f"jobs still open after {timeout}s: {open_jobs(ctx)}")
        finally:
            stop.set()
            await task

    asyncio.run(go())
