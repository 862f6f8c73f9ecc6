"""Real PDF documents of the Click & Drop sandbox (reportlab): labels, customs forms, manifests.

``render_documents`` answers ``GET /orders/{ids}/label``: one PDF for all the orders,
``documentType`` choosing the pages (postageLabel, despatchNote, CN22, CN23), with
``includeReturnsLabel`` adding a returns label page and ``includeCN`` adding the customs
form an international order needs.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

from reportlab.pdfgen.canvas import Canvas

from shipmux.sandboxes.click_and_drop.documents.customs import (
    cn22_page,
    cn23_page,
    form_for,
    is_international,
)
from shipmux.sandboxes.click_and_drop.documents.drawing import (
    datamatrix_modules,
    new_canvas,
    png_bytes,
    qr_modules,
)
from shipmux.sandboxes.click_and_drop.documents.labels import (
    despatch_note_page,
    postage_label_page,
    returns_label_page,
)
from shipmux.sandboxes.click_and_drop.documents.manifest import (
    render_manifest,
    render_return_label,
)
from shipmux.sandboxes.click_and_drop.store import Order

PageWriter = Callable[[Canvas, Order, Sequence[str]], None]

_SINGLE_DOCUMENTS: dict[str, PageWriter] = {
    "despatchNote": despatch_note_page,
    "CN22": cn22_page,
    "CN23": cn23_page,
}


def label_pages(order: Order, *, include_returns_label: bool, include_cn: bool) -> list[str]:
    """Names of the documents a postage label request produces for one order."""
    pages = ["postageLabel"]
    if include_returns_label:
        pages.append("returnsLabel")
    if include_cn and is_international(order):
        pages.append(form_for(order))
    return pages


def _writer(name: str) -> PageWriter:
    return {
        "postageLabel": postage_label_page,
        "returnsLabel": returns_label_page,
        **_SINGLE_DOCUMENTS,
    }[name]


def render_documents(
    orders: Sequence[Order],
    document_type: str,
    *,
    include_returns_label: bool,
    include_cn: bool,
    return_address: Sequence[str],
) -> bytes:
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, f"Click & Drop {document_type}")
    for order in orders:
        if document_type == "postageLabel":
            names = label_pages(
                order, include_returns_label=include_returns_label, include_cn=include_cn
            )
        else:
            names = [document_type]
        for name in names:
            _writer(name)(canvas, order, return_address)
    canvas.save()
    return buffer.getvalue()


__all__ = [
    "datamatrix_modules",
    "label_pages",
    "png_bytes",
    "qr_modules",
    "render_documents",
    "render_manifest",
    "render_return_label",
]
