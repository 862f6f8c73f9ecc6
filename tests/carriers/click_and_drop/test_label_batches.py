"""Many labels from one call: the PDF is split by page, each page proven by its tracking number."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas

from shipmux.carriers.base import CarrierOrder, LabelRequest
from shipmux.carriers.click_and_drop import mapping
from tests.carriers.click_and_drop.conftest import Sandbox
from tests.factories import make_order, unique_reference

pytestmark = pytest.mark.anyio


def _text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


async def test_each_order_gets_its_own_page(sandbox: Sandbox) -> None:
    async with sandbox.connector(default_service_code="TPN24") as carrier:
        orders = [make_order(reference=unique_reference("B")) for _ in range(3)]
        created = [r.created for r in await carrier.create_orders(orders)]
        assert all(c is not None and c.tracking_number for c in created)
        documents = await carrier.fetch_labels([c for c in created if c], LabelRequest())
    assert set(documents) == {c.carrier_order_id for c in created if c}
    for order in created:
        assert order is not None
        assert order.tracking_number
        text = _text(documents[order.carrier_order_id].content)
        assert order.tracking_number in text
        others = [c.tracking_number for c in created if c and c is not order]
        assert not any(t and t in text for t in others), "a page went to the wrong order"


def _pdf(*lines: str) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    for line in lines:
        canvas.drawString(72, 720, line)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def test_a_page_naming_no_order_stops_the_split() -> None:
    orders = [CarrierOrder("1", "a", "TT000000011GB"), CarrierOrder("2", "b", "TT000000022GB")]
    assert mapping.split_label_pdf(_pdf("TT000000011GB", "no tracking here"), orders) == {}


def test_a_page_naming_two_orders_stops_the_split() -> None:
    orders = [CarrierOrder("1", "a", "TT000000011GB"), CarrierOrder("2", "b", "TT000000022GB")]
    both = "TT000000011GB TT000000022GB"
    assert mapping.split_label_pdf(_pdf(both, "TT000000022GB"), orders) == {}


def test_pages_go_to_their_orders_in_any_order() -> None:
    orders = [CarrierOrder("1", "a", "TT000000011GB"), CarrierOrder("2", "b", "TT000000022GB")]
    split = mapping.split_label_pdf(_pdf("TT000000022GB", "TT000000011GB"), orders)
    assert "TT000000011GB" in _text(split["1"])
    assert "TT000000022GB" in _text(split["2"])
