"""CN22 and CN23 customs declaration pages.

CN22 is the small form for items up to GBP 270; above that a CN23 is needed (UPU rule).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from shipmux.sandboxes.click_and_drop.documents.drawing import (
    A4,
    LABEL_SIZE,
    address_lines,
    sandbox_notice,
    text_lines,
)
from shipmux.sandboxes.click_and_drop.documents.labels import sender_lines
from shipmux.sandboxes.click_and_drop.store import Order

CN22_LIMIT = Decimal(270)
DOMESTIC_COUNTRIES = frozenset({"GB", "GBR", "UK"})


def is_international(order: Order) -> bool:
    country = str((order.recipient.get("address") or {}).get("countryCode") or "GB")
    return country.upper() not in DOMESTIC_COUNTRIES


def contents_value(order: Order) -> Decimal:
    lines_total = sum(
        (Decimal(line.get("unitValue") or 0) * int(line.get("quantity") or 0)
         for line in order.lines),
        Decimal(0),
    )  # fmt: skip
    return lines_total or Decimal(order.request.get("subtotal") or 0)


def form_for(order: Order) -> str:
    return "CN22" if contents_value(order) <= CN22_LIMIT else "CN23"


def _item_rows(order: Order) -> list[str]:
    rows = []
    for line in order.lines:
        description = line.get("customsDescription") or line.get("name") or "goods"
        rows.append(
            f"{line.get('quantity')} x {description}  "
            f"{line.get('unitWeightInGrams') or 0} g  "
            f"{_money(line.get('unitValue'))}  HS {line.get('customsCode') or '-'}  "
            f"origin {line.get('originCountryCode') or '-'}"
        )
    return rows or ["(no contents declared)"]


def _money(value: Any) -> str:
    return f"{Decimal(value or 0):.2f}"


def _category(order: Order) -> str:
    for line in order.lines:
        if line.get("customsDeclarationCategory"):
            return str(line["customsDeclarationCategory"])
    return "none"


def cn22_page(canvas: Canvas, order: Order, return_address: Sequence[str]) -> None:
    width, height = LABEL_SIZE
    canvas.setPageSize(LABEL_SIZE)
    left = 5 * mm
    y = text_lines(canvas, left, height - 10 * mm, ["CUSTOMS DECLARATION CN 22"], size=12,
                   bold=True)  # fmt: skip
    y = text_lines(canvas, left, y, [
        "May be opened officially",
        f"Order {order.identifier}  Ref {order.reference or '-'}",
        f"Category: {_category(order)}",
    ], size=8)  # fmt: skip
    y = text_lines(canvas, left, y - 4, _item_rows(order), size=7)
    currency = order.request.get("currencyCode") or "GBP"
    text_lines(canvas, left, y - 4, [
        f"Total weight: {order.weight_in_grams} g",
        f"Total value: {_money(contents_value(order))} {currency}",
        "I certify that the particulars given in this declaration are correct.",
    ], size=8)  # fmt: skip
    sandbox_notice(canvas, width)
    canvas.showPage()


def cn23_page(canvas: Canvas, order: Order, return_address: Sequence[str]) -> None:
    width, height = A4
    canvas.setPageSize(A4)
    left = 20 * mm
    y = text_lines(canvas, left, height - 25 * mm, ["CUSTOMS DECLARATION CN 23"], size=16,
                   bold=True)  # fmt: skip
    y = text_lines(canvas, left, y - 4, ["From:"], size=9, bold=True)
    y = text_lines(canvas, left, y, sender_lines(order, return_address), size=9)
    y = text_lines(canvas, left, y - 4, ["To:"], size=9, bold=True)
    y = text_lines(canvas, left, y, address_lines(order.recipient.get("address")), size=9)
    postage = order.request.get("postageDetails") or {}
    y = text_lines(canvas, left, y - 6, [
        f"Order {order.identifier}  Reference {order.reference or '-'}",
        f"Category of item: {_category(order)}",
        f"Delivery term: {order.request.get('deliveryTerm') or 'DDU_DAP'}",
        f"IOSS: {postage.get('IOSSNumber') or '-'}  "
        f"EORI: {postage.get('recipientEoriNumber') or '-'}",
        f"Commercial invoice: {postage.get('commercialInvoiceNumber') or '-'}",
    ], size=9)  # fmt: skip
    y = text_lines(canvas, left, y - 6, _item_rows(order), size=9)
    currency = order.request.get("currencyCode") or "GBP"
    text_lines(canvas, left, y - 6, [
        f"Total gross weight: {order.weight_in_grams} g",
        f"Total value: {_money(contents_value(order))} {currency}",
        f"Postal charges: {_money(order.request.get('shippingCostCharged'))} {currency}",
    ], size=9)  # fmt: skip
    sandbox_notice(canvas, width)
    canvas.showPage()
