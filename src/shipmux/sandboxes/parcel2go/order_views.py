"""How orders look on the wire: the create answer, the read-back, and their ``Links``.

Shapes: the seed's create example (ADR 0006 §5), the read-back of ADR §6, the pay
answer's ``[{"Name", "Link"}]`` list (ADR §8). ``OrderId`` and ``OrderLineId`` are
strings, as in the seed's create example.
"""

from __future__ import annotations

from typing import Any

from shipmux.sandboxes.parcel2go.context import quoted
from shipmux.sandboxes.parcel2go.store import Order, OrderLine
from shipmux.sandboxes.parcel2go.webhooks.signing import wire_timestamp

# The seed's "Documents" keys the sandbox serves (``label-a4-21`` is SmartSend-only).
DOCUMENT_KINDS = ("labels-a4", "labels-4x6", "labels-a4-4x6", "invoice")


def document_url(root: str, order: Order, kind: str) -> str:
    return f"{root}/api/documents/{order.order_id}/{kind}?hash={quoted(order.hash)}"


def document_links(root: str, order: Order) -> dict[str, str]:
    """Document links (public, no auth) appear once the order is paid (ADR §6)."""
    if order.paid_at is None:
        return {}
    return {kind: document_url(root, order, kind) for kind in DOCUMENT_KINDS}


def redirect_links(root: str, order: Order) -> dict[str, str]:
    return {
        "tracking-page": f"{root}/tracking/{order.order_id}",
        "help": f"{root}/help-centre",
    }


def create_body(root: str, order: Order) -> dict[str, Any]:
    order_hash = quoted(order.hash)
    return {
        "OrderId": str(order.order_id),
        "Links": {
            "PayWithPrePay": f"{root}/api/orders/{order.order_id}/paywithprepay?hash={order_hash}",
            "payment": f"{root}/order/payment?id={order.order_id}&hash={order_hash}",
            "help": f"{root}/help-centre",
        },
        "TotalPrice": order.total_price,
        "TotalVat": order.total_vat,
        "TotalPriceExVat": order.total_ex_vat,
        "Hash": order.hash,
        "OrderlineIdMap": [
            {"Hash": line.hash, "OrderLineId": str(line.order_line_id), "ItemId": line.item_id}
            for line in order.lines
        ],
        "TotalDiscount": 0,
    }


def read_body(root: str, order: Order) -> dict[str, Any]:
    return {
        "OrderId": str(order.order_id),
        "Hash": order.hash,
        "CreatedDate": wire_timestamp(order.created_at),
        "PaidDate": wire_timestamp(order.paid_at) if order.paid_at else None,
        "TotalPrice": order.total_price,
        "TotalPriceExVat": order.total_ex_vat,
        "TotalVat": order.total_vat,
        "Items": [_item_body(line) for line in order.lines],
        "Links": {**redirect_links(root, order), **document_links(root, order)},
    }


def pay_body(root: str, order: Order) -> dict[str, Any]:
    links = {**document_links(root, order), **redirect_links(root, order)}
    return {"Links": [{"Name": name, "Link": link} for name, link in links.items()]}


def _item_body(line: OrderLine) -> dict[str, Any]:
    return {
        "Id": line.item_id,
        "Reference": line.reference,
        "OrderLineId": str(line.order_line_id),
        "Hash": line.hash,
        "Service": line.service.slug,
        "TotalPrice": line.price.total,
        "TotalPriceExVat": line.price.ex_vat,
        "Upsells": [{"Type": extra.type, "Amount": extra.price} for extra in line.price.extras],
        "Parcels": [
            {**parcel, "ParcelId": parcel_id}
            for parcel, parcel_id in zip(line.parcels, line.parcel_ids, strict=True)
        ],
    }
