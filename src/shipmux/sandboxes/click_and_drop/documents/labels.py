"""Postage label, returns label and despatch note pages for one order each."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from shipmux.sandboxes.click_and_drop.documents.drawing import (
    A4,
    LABEL_SIZE,
    address_lines,
    datamatrix_modules,
    draw_code128,
    draw_modules,
    sandbox_notice,
    text_lines,
)
from shipmux.sandboxes.click_and_drop.store import Order
from shipmux.sandboxes.kit.clock import format_timestamp

SERVICE_NAMES = {
    "OLP1": "Royal Mail 1st Class",
    "OLP2": "Royal Mail 2nd Class",
    "BPL1": "Royal Mail 1st Class",
    "BPL2": "Royal Mail 2nd Class",
    "BPR1": "Royal Mail Signed For 1st Class",
    "BPR2": "Royal Mail Signed For 2nd Class",
    "TPN24": "Royal Mail Tracked 24",
    "TPS48": "Royal Mail Tracked 48",
    "TRN24": "Royal Mail Tracked 24 (LBT)",
    "TRS48": "Royal Mail Tracked 48 (LBT)",
    "TOLP24": "Royal Mail Tracked 24",
    "TOLP48": "Royal Mail Tracked 48",
    "SD1": "Special Delivery Guaranteed by 1pm",
    "SD1OLP": "Special Delivery Guaranteed by 1pm",
}


def service_name(code: str | None) -> str:
    if not code:
        return "No service selected"
    return SERVICE_NAMES.get(code.upper(), f"Royal Mail service {code}")


def sender_lines(order: Order, return_address: Sequence[str]) -> list[str]:
    """The return address; the trading name from ``sender`` replaces the account's name."""
    trading_name = (order.request.get("sender") or {}).get("tradingName")
    lines = list(return_address)
    if trading_name and lines:
        lines[0] = str(trading_name)
    return lines


def _date(order: Order) -> str:
    return order.order_date.strftime("%d/%m/%Y") if order.order_date else "-"


def _mailmark_payload(order: Order) -> str:
    # Shaped like a Mailmark string (UPU id "JGB", format, class, item id, postcode).
    postcode = str((order.recipient.get("address") or {}).get("postcode") or "")
    item = order.tracking_number or f"{order.identifier:08d}"
    return f"JGB 62{order.service_code or 'NONE':<6}{item} {postcode.replace(' ', '')}"


def postage_label_page(canvas: Canvas, order: Order, return_address: Sequence[str]) -> None:
    width, height = LABEL_SIZE
    canvas.setPageSize(LABEL_SIZE)
    left = 5 * mm
    top = height - 9 * mm
    text_lines(canvas, left, top, ["Royal Mail"], size=14, bold=True)
    text_lines(canvas, left, top - 16, [service_name(order.service_code)], size=10, bold=True)
    text_lines(canvas, left, top - 30, [f"Service code: {order.service_code or '-'}"], size=9)
    text_lines(canvas, width - 38 * mm, top, ["Postage Paid GB"], size=8, bold=True)
    draw_modules(canvas, datamatrix_modules(_mailmark_payload(order)),
                 width - 33 * mm, height - 43 * mm, 28 * mm)  # fmt: skip
    y = text_lines(canvas, left, height - 52 * mm, ["TO:"], size=8, bold=True)
    recipient = address_lines(order.recipient.get("address"))
    y = text_lines(canvas, left, y, recipient, size=10, bold=True, leading=12)
    details = [
        f"Weight: {order.weight_in_grams} g    Format: {order.package_format or '-'}",
        f"Order: {order.identifier}    Ref: {order.reference or '-'}",
        f"Packages: {len(order.packages)}    Order date: {_date(order)}",
    ]
    y = text_lines(canvas, left, y - 4, details, size=8)
    barcode_value = order.tracking_number or f"CD{order.identifier}"
    if order.tracking_number:
        text_lines(canvas, left, y - 2, [f"Tracking number: {order.tracking_number}"], size=9)
    draw_code128(canvas, barcode_value, left, 17 * mm, height=14 * mm, max_width=width - 10 * mm)
    text_lines(canvas, left, 9 * mm, ["FROM:"], size=7, bold=True)
    text_lines(canvas, left + 12 * mm, 9 * mm,
               [", ".join(sender_lines(order, return_address))], size=7)  # fmt: skip
    sandbox_notice(canvas, width)
    canvas.showPage()


def returns_label_page(canvas: Canvas, order: Order, return_address: Sequence[str]) -> None:
    width, height = LABEL_SIZE
    canvas.setPageSize(LABEL_SIZE)
    left = 5 * mm
    top = height - 9 * mm
    text_lines(canvas, left, top, ["Royal Mail Returns"], size=14, bold=True)
    text_lines(canvas, left, top - 16, [f"Return of order {order.identifier}"], size=10)
    y = text_lines(canvas, left, height - 40 * mm, ["RETURN TO:"], size=8, bold=True)
    text_lines(canvas, left, y, sender_lines(order, return_address), size=11, bold=True)
    draw_code128(canvas, f"RTN{order.identifier}", left, 40 * mm, height=16 * mm,
                 max_width=width - 10 * mm)  # fmt: skip
    text_lines(canvas, left, 30 * mm, ["FROM:"], size=7, bold=True)
    text_lines(canvas, left + 12 * mm, 30 * mm,
               [", ".join(address_lines(order.recipient.get("address")))], size=7)  # fmt: skip
    sandbox_notice(canvas, width)
    canvas.showPage()


def despatch_note_page(canvas: Canvas, order: Order, return_address: Sequence[str]) -> None:
    width, height = A4
    canvas.setPageSize(A4)
    left = 20 * mm
    y = text_lines(canvas, left, height - 25 * mm, ["Despatch note"], size=18, bold=True)
    y = text_lines(canvas, left, y - 4, [
        f"Order {order.identifier}    Reference: {order.reference or '-'}",
        f"Order date: {format_timestamp(order.order_date) or '-'}",
        f"Service: {service_name(order.service_code)}",
    ], size=10)  # fmt: skip
    y = text_lines(canvas, left, y - 8, ["Deliver to:"], size=10, bold=True)
    y = text_lines(canvas, left, y, address_lines(order.recipient.get("address")), size=10)
    y = text_lines(canvas, left, y - 8, ["Items:"], size=10, bold=True)
    rows = [
        f"{line.get('quantity')} x {line.get('name') or line.get('SKU') or 'item'}"
        f"  (SKU {line.get('SKU') or '-'})"
        for line in order.lines
    ] or ["(no items listed)"]
    text_lines(canvas, left, y, rows, size=10)
    text_lines(canvas, left, 30 * mm, sender_lines(order, return_address), size=8)
    sandbox_notice(canvas, width)
    canvas.showPage()
