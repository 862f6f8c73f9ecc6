"""Click & Drop's one label PDF per batch, through the whole hub over real HTTP: stored
once, each shipment pointing at its pages, each download only that order's pages."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from sqlalchemy import select

from shipmux.storage.tables import ShipmentRow
from tests.factories import make_international_order, unique_reference
from tests.support.hub import run_worker_until_quiet
from tests.worker.conftest import LiveHub, example_order


def _place(live: LiveHub, orders: list[dict[str, Any]]) -> list[str]:
    live.connect("royal-mail", "click-and-drop", default=True, default_service_code="TPN24")
    ids = []
    for order in orders:
        answer = live.api("POST", "/v1/orders", json=order)
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["order_id"])
    run_worker_until_quiet(live.ctx)
    return ids


def _tracking_numbers(live: LiveHub, ids: list[str]) -> dict[str, str]:
    views = {order_id: live.order(order_id) for order_id in ids}
    assert {v["status"] for v in views.values()} == {"label_ready"}, views
    return {order_id: str(v["tracking_number"]) for order_id, v in views.items()}


def _downloaded_pages(live: LiveHub, order_id: str) -> list[str]:
    answer = live.api("GET", f"/v1/orders/{order_id}/label")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(answer.content)).pages
    return [page.extract_text().replace(" ", "") for page in pages]


def _stored(live: LiveHub, ids: list[str]) -> list[tuple[str | None, str | None]]:
    with live.ctx.db.reading() as session:
        rows = session.execute(
            select(ShipmentRow.label_path, ShipmentRow.label_pages).where(
                ShipmentRow.order_id.in_(ids)
            )
        ).all()
    return [(path, pages) for path, pages in rows]


def _label_files(live: LiveHub) -> list[Path]:
    return sorted((live.ctx.settings.label_dir / live.tenant_id).iterdir())


def test_a_batch_label_is_stored_once_and_each_order_downloads_only_its_pages(
    live_hub: LiveHub,
) -> None:
    ids = _place(live_hub, [example_order(reference=unique_reference("L")) for _ in range(4)])
    numbers = _tracking_numbers(live_hub, ids)

    stored = _stored(live_hub, ids)
    assert len({path for path, _ in stored}) == 1, "one file for the whole batch"
    assert sorted(pages or "" for _, pages in stored) == ["0", "1", "2", "3"]
    assert len(_label_files(live_hub)) == 1
    assert not list(live_hub.ctx.settings.label_dir.rglob("*.part"))
    for order_id, number in numbers.items():
        pages = _downloaded_pages(live_hub, order_id)
        assert len(pages) == 1, "a domestic label is one page"
        assert number.replace(" ", "") in pages[0]
        others = [n.replace(" ", "") for o, n in numbers.items() if o != order_id]
        assert not any(n in page for n in others for page in pages), "another order's page"


def test_a_batch_that_proves_nothing_stores_each_label_whole(live_hub: LiveHub) -> None:
    # The CN23 of the international order prints no tracking number, so no page of the
    # batch PDF is proven: each order's label is fetched, and stored, on its own.
    abroad = make_international_order(reference=unique_reference("L")).model_dump(mode="json")
    home = [example_order(reference=unique_reference("L")) for _ in range(2)]
    ids = _place(live_hub, [abroad, *home])
    numbers = _tracking_numbers(live_hub, ids)

    stored = _stored(live_hub, ids)
    assert [pages for _, pages in stored] == [None, None, None]
    assert len({path for path, _ in stored}) == 3
    assert len(_label_files(live_hub)) == 3
    for order_id, number in numbers.items():
        text = "".join(_downloaded_pages(live_hub, order_id))
        assert number.replace(" ", "") in text
        assert not any(n.replace(" ", "") in text for o, n in numbers.items() if o != order_id)
