"""An API client over a real hub database: one tenant, its keys, one Click & Drop account.

Carriers are never called here: intake only stores orders and their jobs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from shipmux.api import create_app
from shipmux.domain.shipments import ShipmentStatus
from shipmux.domain.tenants import Scope
from shipmux.services.accounts import connect_account
from shipmux.services.context import HubContext
from shipmux.services.shipments import move
from shipmux.services.tenants import create_tenant, issue_api_key
from shipmux.storage.tables import JobRow, OrderRow, ShipmentRow
from tests.factories import make_order

CND_SETTINGS = {"api_key": "x" * 36, "base_url": "http://127.0.0.1:9/api/v1"}


@dataclass
class Tenant:
    id: str
    admin_key: str
    write_key: str
    read_key: str


def make_tenant(hub: HubContext, name: str = "Acme") -> Tenant:
    tenant_id = create_tenant(hub.db, name)
    keys = {
        scope: issue_api_key(hub.db, tenant_id, scopes=frozenset({scope}), name=scope).secret
        for scope in Scope
    }
    connect_account(
        hub.db,
        hub.secret_box,
        tenant_id,
        name="royal-mail",
        carrier="click-and-drop",
        settings=CND_SETTINGS,
        is_default=True,
    )
    return Tenant(tenant_id, keys[Scope.ADMIN], keys[Scope.WRITE], keys[Scope.READ])


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def tenant(hub: HubContext) -> Tenant:
    return make_tenant(hub)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def api_client(app: Any, key: str | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        headers=bearer(key) if key else None,
    )


@pytest.fixture
async def client(hub: HubContext, tenant: Tenant) -> AsyncIterator[httpx.AsyncClient]:
    """A client that sends the tenant's write key unless a test says otherwise."""
    async with api_client(create_app(hub), tenant.write_key) as test_client:
        yield test_client


def order_json(**overrides: Any) -> dict[str, Any]:
    """A valid order as JSON; tests break one field of it at a time."""
    body: dict[str, Any] = make_order(**overrides).model_dump(mode="json", exclude_none=True)
    return body


def row_counts(hub: HubContext) -> dict[str, int]:
    with hub.db.reading() as session:
        return {
            table.__tablename__: session.scalar(select(func.count()).select_from(table)) or 0
            for table in (OrderRow, ShipmentRow, JobRow)
        }


NOTHING = {"orders": 0, "shipments": 0, "jobs": 0}


def set_status(
    hub: HubContext, order_id: str, status: ShipmentStatus, *, carrier_order_id: str | None = None
) -> None:
    """Move an order's shipment as the worker would have (carriers are not involved here)."""
    with hub.db.transaction() as session:
        shipment = session.scalars(
            select(ShipmentRow).where(ShipmentRow.order_id == order_id)
        ).one()
        if carrier_order_id is not None:
            shipment.carrier_order_id = carrier_order_id
        path = {
            ShipmentStatus.SUBMITTED: [ShipmentStatus.SUBMITTED],
            ShipmentStatus.LABEL_READY: [ShipmentStatus.SUBMITTED, ShipmentStatus.LABEL_READY],
            ShipmentStatus.DESPATCHED: [ShipmentStatus.SUBMITTED, ShipmentStatus.DESPATCHED],
        }[status]
        for step in path:
            move(session, shipment, step, datetime.now(UTC), "test")
        # The submit job is done once the carrier holds the order.
        for job in session.scalars(select(JobRow).where(JobRow.shipment_id == shipment.id)):
            job.state = "done"


def store_label(hub: HubContext, order_id: str, content: bytes, media_type: str) -> None:
    with hub.db.transaction() as session:
        shipment = session.scalars(
            select(ShipmentRow).where(ShipmentRow.order_id == order_id)
        ).one()
        shipment.label_path = hub.labels.save(shipment.tenant_id, shipment.id, content, media_type)
        shipment.label_media_type = media_type
