"""Receipts written and looked up on the driver's cursor (SQLite) are the ORM's rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shipmux.services.context import HubContext
from shipmux.storage import webhook_receipts
from shipmux.storage.tables import WebhookReceiptRow
from shipmux.storage.webhook_receipts import (
    RECEIPT_COLUMNS,
    insert_receipts,
    known_event_ids,
    shipment_ids_by_ref,
)
from tests.api.conftest import make_tenant
from tests.support.merchant import labelled_shipment


def receipt(tenant_id: str, account_id: str, event_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "carrier_account_id": account_id,
        "event_id": event_id,
        "event_type": "tracking",
        "shipment_id": None,
        "outcome": "unknown_shipment",
        "body": {"waybill": "W1", "nested": {"a": [1, 2.5, None]}, "text": "naïve ✓"},
        "raw_body": '{"waybill": "W1"}',
        "headers": {"content-type": "application/json", "webhook_key": "***"},
        "received_at": datetime(2026, 11, 29, 17, 0, 0, 123456, tzinfo=UTC),
    } | extra


def test_a_receipt_reads_back_as_written(hub: HubContext) -> None:
    tenant = make_tenant(hub)
    shipment = labelled_shipment(hub, tenant.id, ref="REF-7")
    account_id = shipment.carrier_account_id
    assert account_id is not None
    # Given in another zone: stored as UTC, as the ORM's column type does.
    at = datetime(2026, 11, 29, 19, 0, tzinfo=UTC).astimezone(ZoneInfo("Europe/Berlin"))
    row = receipt(tenant.id, account_id, "E1", shipment_id=shipment.id, received_at=at)
    with hub.db.transaction() as session:
        insert_receipts(session, [row, receipt(tenant.id, account_id, "E2", headers=None)])
    with hub.db.reading() as session:
        stored = session.scalars(select(WebhookReceiptRow).order_by(WebhookReceiptRow.id)).all()
    assert [r.event_id for r in stored] == ["E1", "E2"]
    first = stored[0]
    assert first.body == row["body"]
    assert first.headers == row["headers"]
    assert first.raw_body == row["raw_body"]
    assert first.shipment_id == shipment.id
    assert first.received_at == datetime(2026, 11, 29, 19, 0, tzinfo=UTC)
    assert first.received_at.tzinfo is not None
    assert stored[1].headers is None


def test_lookups_find_taken_ids_and_named_shipments_of_this_tenant_only(hub: HubContext) -> None:
    tenant, other = make_tenant(hub), make_tenant(hub)
    mine = labelled_shipment(hub, tenant.id, ref="SHARED")
    theirs = labelled_shipment(hub, other.id, ref="SHARED")
    account_id = mine.carrier_account_id
    assert account_id is not None
    assert theirs.carrier_account_id is not None
    with hub.db.transaction() as session:
        insert_receipts(session, [receipt(tenant.id, account_id, f"E{n}") for n in range(3)])
    with hub.db.reading() as session:
        # IN-lists of several lengths: each is its own compiled statement.
        assert known_event_ids(session, account_id, ["E0"]) == {"E0"}
        assert known_event_ids(session, account_id, ["E9", "E2", "E1"]) == {"E1", "E2"}
        assert known_event_ids(session, theirs.carrier_account_id, ["E0", "E1"]) == set()
        named = shipment_ids_by_ref(session, tenant.id, account_id, ["SHARED", "NOPE"])
        assert named == {"SHARED": mine.id}
        # Another tenant's account id with this tenant's id names nothing.
        assert shipment_ids_by_ref(session, tenant.id, theirs.carrier_account_id, ["SHARED"]) == {}


def test_a_repeated_event_id_is_integrity_error_and_nothing_of_the_batch_stays(
    hub: HubContext,
) -> None:
    tenant = make_tenant(hub)
    account_id = labelled_shipment(hub, tenant.id).carrier_account_id
    assert account_id is not None
    with hub.db.transaction() as session:
        insert_receipts(session, [receipt(tenant.id, account_id, "E1")])
    with pytest.raises(IntegrityError), hub.db.transaction() as session:
        insert_receipts(
            session, [receipt(tenant.id, account_id, "E2"), receipt(tenant.id, account_id, "E1")]
        )
    with hub.db.reading() as session:
        assert known_event_ids(session, account_id, ["E1", "E2"]) == {"E1"}


def test_receipt_times_sort_as_times(hub: HubContext) -> None:
    """SQLite keeps text: what the cursor writes must compare like the ORM's values."""
    tenant = make_tenant(hub)
    account_id = labelled_shipment(hub, tenant.id).carrier_account_id
    assert account_id is not None
    base = datetime(2026, 11, 29, 9, 59, 59, 999999, tzinfo=UTC)
    times = [base + timedelta(microseconds=n) for n in range(3)]
    rows = [receipt(tenant.id, account_id, f"E{n}", received_at=at) for n, at in enumerate(times)]
    with hub.db.transaction() as session:
        insert_receipts(session, rows)
    with hub.db.reading() as session:
        later = session.scalars(
            select(WebhookReceiptRow.event_id).where(WebhookReceiptRow.received_at > base)
        ).all()
    assert sorted(later) == ["E1", "E2"]


def test_every_receipt_column_but_the_id_is_written() -> None:
    columns = {column.name for column in WebhookReceiptRow.__table__.columns} - {"id"}
    assert set(RECEIPT_COLUMNS) == columns


def test_the_reference_lookup_uses_the_tenant_account_reference_index(hub: HubContext) -> None:
    """SQLite keeps no statistics: with the reference indexed alone it chose the
    (tenant, status) index and read every shipment of the tenant for each webhook."""
    if hub.db.dialect != "sqlite":
        pytest.skip("the query plan checked is SQLite's")
    sql = str(webhook_receipts._by_ref(2).compile(dialect=hub.db.engine.dialect))
    with hub.db.engine.connect() as connection:
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", ("t", "a", "r1", "r2")).all()
    details = " ".join(str(row[-1]) for row in plan)
    assert "ix_shipments_tenant_account_ref" in details, details
