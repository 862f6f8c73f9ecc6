"""Many labels from one call: one shared PDF, each order given the pages that print its
tracking number; what cannot be proven is fetched on its own."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from shipmux.carriers.base import CarrierOrder, LabelDocument, LabelRequest
from shipmux.carriers.click_and_drop import ClickAndDrop, mapping
from tests.carriers.click_and_drop.conftest import Sandbox
from tests.factories import make_order, unique_reference
from tests.support.pdfs import pdf_of_pages

pytestmark = pytest.mark.anyio


def _page_texts(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def _own_text(document: LabelDocument) -> str:
    texts = _page_texts(document.content)
    pages = range(len(texts)) if document.pages is None else document.pages
    return "".join(texts[i] for i in pages)


async def _created(carrier: ClickAndDrop, n: int) -> list[CarrierOrder]:
    orders = [make_order(reference=unique_reference("B")) for _ in range(n)]
    created = [r.created for r in await carrier.create_orders(orders)]
    assert all(c is not None and c.tracking_number for c in created)
    return [c for c in created if c is not None]


async def test_orders_share_one_pdf_each_with_its_own_pages(sandbox: Sandbox) -> None:
    async with sandbox.connector(default_service_code="TPN24") as carrier:
        created = await _created(carrier, 3)
        documents = await carrier.fetch_labels(created, LabelRequest())
    assert set(documents) == {c.carrier_order_id for c in created}
    shared = documents[created[0].carrier_order_id].content
    assert all(d.content is shared for d in documents.values()), "one PDF, not one per order"
    owned = sorted(p for d in documents.values() for p in d.pages or ())
    assert owned == list(range(len(_page_texts(shared)))), "every page has exactly one owner"
    for order in created:
        assert order.tracking_number
        text = _own_text(documents[order.carrier_order_id])
        assert order.tracking_number in text
        others = [c.tracking_number for c in created if c is not order]
        assert not any(t and t in text for t in others), "a page went to the wrong order"


async def test_a_page_naming_no_order_means_each_label_is_fetched_whole(
    sandbox: Sandbox,
) -> None:
    # The returns label page prints no tracking number: the batch PDF proves nothing.
    async with sandbox.connector(default_service_code="TPN24") as carrier:
        created = await _created(carrier, 2)
        documents = await carrier.fetch_labels(created, LabelRequest(include_returns_label=True))
    first, second = (documents[c.carrier_order_id] for c in created)
    assert first.pages is None
    assert second.pages is None
    assert first.content is not second.content
    for order, document in zip(created, (first, second), strict=True):
        assert order.tracking_number
        text = _own_text(document)
        assert order.tracking_number in text
        assert not any(c.tracking_number in text for c in created if c is not order)


_ORDERS = [CarrierOrder("1", "a", "TT000000011GB"), CarrierOrder("2", "b", "TT000000022GB")]


def test_a_page_naming_no_order_proves_nothing() -> None:
    assert mapping.pages_by_order(pdf_of_pages("TT000000011GB", "no tracking here"), _ORDERS) == {}


def test_a_page_naming_two_orders_proves_nothing() -> None:
    both = "TT000000011GB TT000000022GB"
    assert mapping.pages_by_order(pdf_of_pages(both, "TT000000022GB"), _ORDERS) == {}


def test_pages_go_to_their_orders_in_any_order() -> None:
    content = pdf_of_pages("TT000000022GB", "TT000000011GB")
    assert mapping.pages_by_order(content, _ORDERS) == {"1": (1,), "2": (0,)}


def test_an_order_owns_every_page_that_prints_its_number() -> None:
    # Customs forms print the order's tracking number too: label and CN23 are both its own.
    content = pdf_of_pages("TT000000011GB", "TT000000022GB", "CN23 for TT000000011GB")
    assert mapping.pages_by_order(content, _ORDERS) == {"1": (0, 2), "2": (1,)}
