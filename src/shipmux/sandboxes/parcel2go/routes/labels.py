"""``GET /labels/{reference}`` (ADR 0006 §9) and the public document links (seed "Links").

Labels need a paid order: before payment the answer is 400 ``The order has not been
paid for.``. A PDF answer is one document holding every page; a PNG answer is one image
per page. ``detailLevel=All`` adds a commercial invoice for international lines;
``AdditionalDocuments``/``CommercialInvoice`` return only those, or 404 ``No documents``
when there are none (research §3.11).
"""

from __future__ import annotations

import base64

from starlette.requests import Request
from starlette.responses import Response

from shipmux.sandboxes.kit.jsonio import json_response
from shipmux.sandboxes.parcel2go.access import line_for, order_for
from shipmux.sandboxes.parcel2go.context import Call, SandboxState, query_param
from shipmux.sandboxes.parcel2go.documents.invoices import (
    commercial_invoice_page,
    purchase_invoice_page,
)
from shipmux.sandboxes.parcel2go.documents.labels import (
    label_4x6_page,
    label_a4_4x6_page,
    label_a4_page,
    label_contents,
)
from shipmux.sandboxes.parcel2go.documents.page import Page
from shipmux.sandboxes.parcel2go.documents.render import pdf_bytes, png_bytes
from shipmux.sandboxes.parcel2go.errors import NOT_PAID, message
from shipmux.sandboxes.parcel2go.store import Order, OrderLine

LABEL_MEDIA = {"a4": label_a4_page, "label4x6": label_4x6_page}
DETAIL_LEVELS = {"all", "labels", "additionaldocuments", "commercialinvoice", "instructions"}


def _choice(call: Call, name: str, default: str, allowed: set[str]) -> str | None:
    value = (call.query(name) or default).lower()
    return value if value in allowed else None


async def get_labels(call: Call) -> Response:
    reference_type = _choice(call, "referenceType", "OrderId", {"orderid", "orderlineid"})
    detail = _choice(call, "detailLevel", "Labels", DETAIL_LEVELS)
    media = _choice(call, "labelMedia", "A4", set(LABEL_MEDIA))
    label_format = _choice(call, "labelFormat", "PDF", {"pdf", "png"})
    if reference_type is None or detail is None or media is None or label_format is None:
        return message(400, "The request is invalid.")
    reference = call.params["reference"]
    if reference_type == "orderlineid":
        found = line_for(call, reference)
        if isinstance(found, Response):
            return found
        order, lines = found[0], [found[1]]
    else:
        order_found = order_for(call, reference)
        if isinstance(order_found, Response):
            return order_found
        order, lines = order_found, list(order_found.lines)
    if order.paid_at is None:
        return message(400, NOT_PAID)
    pages = _pages(order, lines, detail, media)
    if not pages:
        return message(404, "No documents")
    if label_format == "png":
        encoded = [base64.b64encode(png_bytes(page)).decode() for page in pages]
    else:
        encoded = [base64.b64encode(pdf_bytes(pages, f"Order {order.order_id}")).decode()]
    label_count = sum(len(line.parcels) for line in lines) if detail in {"all", "labels"} else 0
    return json_response(
        {"SuccessfulLabels": label_count, "FailedLabels": 0, "Base64EncodedLabels": encoded}
    )


def _pages(order: Order, lines: list[OrderLine], detail: str, media: str) -> list[Page]:
    pages: list[Page] = []
    if detail in {"all", "labels"}:
        layout = LABEL_MEDIA[media]
        for line in lines:
            pages.extend(layout(content) for content in label_contents(order, line))
    if detail in {"all", "additionaldocuments", "commercialinvoice"}:
        pages.extend(commercial_invoice_page(order, line) for line in lines if line.international)
    return pages


DOCUMENT_LAYOUTS = {
    "labels-a4": label_a4_page,
    "labels-4x6": label_4x6_page,
    "labels-a4-4x6": label_a4_4x6_page,
}


async def get_document(state: SandboxState, request: Request, params: dict[str, str]) -> Response:
    """A public document link: no token, the order's hash in the query (seed "Documents")."""
    order = state.store.find_order(params["OrderId"])
    supplied = query_param(request, "hash")
    kind = params["kind"].lower()
    if order is None or supplied != order.hash:
        return message(404, "Document not found.")
    if order.paid_at is None:
        return message(400, NOT_PAID)
    if kind == "invoice":
        pages = [purchase_invoice_page(order)]
    elif kind in DOCUMENT_LAYOUTS:
        layout = DOCUMENT_LAYOUTS[kind]
        pages = [layout(content) for line in order.lines for content in label_contents(order, line)]
    else:
        return message(404, "Document not found.")
    body = pdf_bytes(pages, f"{kind} {order.order_id}")
    headers = {"Content-Disposition": f'inline; filename="{kind}-{order.order_id}.pdf"'}
    return Response(body, media_type="application/pdf", headers=headers)
