"""The worker against the Click & Drop sandbox over real HTTP: orders to labels, exactly once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from shipmux.bootstrap import build_context, migrate_database
from shipmux.sandboxes.click_and_drop import create_app
from shipmux.services.context import HubContext
from shipmux.services.orders import get_order, read_label
from shipmux.storage.tables import ExchangeRow
from tests.conftest import make_settings
from tests.factories import make_order, unique_reference
from tests.support.hub import provision, run_worker_until_quiet, statuses, submit
from tests.support.live_server import serve


@pytest.fixture
def sandbox() -> Iterator[str]:
    with serve(create_app()) as url:
        yield url


def _orders(n: int) -> list[dict[str, Any]]:
    return [make_order(reference=unique_reference("W")).model_dump(mode="json") for _ in range(n)]


def _sandbox_references(sandbox: str) -> Counter[str]:
    orders = httpx.get(f"{sandbox}/_sandbox/orders").json()
    rows = orders["orders"] if isinstance(orders, dict) else orders
    return Counter(o["orderReference"] for o in rows)


def test_orders_become_labelled_with_pdf_labels(hub: HubContext, sandbox: str) -> None:
    tenant = provision(hub, sandbox)  # the spec's 5 calls/s, as the sandbox enforces
    ids = submit(hub, tenant, _orders(5))

    run_worker_until_quiet(hub)

    assert statuses(hub, tenant) == {"label_ready": 5}
    for order_id in ids:
        view = get_order(hub, tenant.id, order_id)
        assert view.carrier_order_id is not None
        assert view.tracking_number
        label = read_label(hub, tenant.id, order_id)
        content, media_type = label.content, label.media_type
        assert media_type == "application/pdf"
        text = "".join(page.extract_text() for page in PdfReader(_bytes_io(content)).pages)
        assert view.tracking_number.replace(" ", "") in text.replace(" ", "")
        assert [a["operation"] for a in view.attempts] == ["submit", "label"], view.attempts


def test_faults_never_duplicate_an_order(tmp_path: Path, database_url: str, sandbox: str) -> None:
    """30% errors, commit-then-timeout and a downtime window: each order lands once."""
    # Backoff scaled to the faults' few seconds, as production's is to real outages.
    settings = make_settings(
        tmp_path / "chaos",
        database_url,
        max_attempts=30,
        backoff_base_seconds=0.1,
        backoff_cap_seconds=1.0,
        breaker_cooldown_seconds=1.0,
    )
    hub = build_context(settings)
    migrate_database(hub)
    tenant = provision(hub, sandbox, rate_limit_per_second=0, timeout_seconds=0.5)
    now = datetime.now(UTC)
    faults = {
        "error_rate": 0.3,
        "commit_then_timeout_rate": 0.2,
        "hang_seconds": 1.5,
        "downtime": [{"start": now.isoformat(), "end": (now + timedelta(seconds=2)).isoformat()}],
        "seed": 7,
    }
    httpx.put(f"{sandbox}/_sandbox/settings", json={"rate_limit_per_second": 0}).raise_for_status()
    httpx.put(f"{sandbox}/_sandbox/faults", json=faults).raise_for_status()
    orders = _orders(120)
    submit(hub, tenant, orders)

    run_worker_until_quiet(hub, timeout=120)

    counts = _sandbox_references(sandbox)
    wanted = {o["reference"] for o in orders}
    assert set(counts) == wanted, (statuses(hub, tenant), _errors(hub))
    assert max(counts.values()) == 1
    assert statuses(hub, tenant) == {"label_ready": 120}
    with hub.db.reading() as session:
        failed = session.scalars(
            select(ExchangeRow).where((ExchangeRow.status >= 500) | ExchangeRow.error.is_not(None))
        ).all()
    with hub.db.reading() as session:
        every = session.scalars(select(ExchangeRow.status)).all()
    assert failed, f"failed attempts must be recorded as exchanges: {sorted(every)}"
    assert all(
        "Authorization" not in x.request_headers or x.request_headers["Authorization"] == "***"
        for x in failed
    )


def _bytes_io(content: bytes) -> Any:
    import io

    return io.BytesIO(content)


def _errors(hub: HubContext) -> list[str | None]:
    from shipmux.storage.tables import ShipmentRow

    with hub.db.reading() as session:
        return list(
            session.scalars(
                select(ShipmentRow.last_error).where(ShipmentRow.status != "label_ready")
            )
        )
