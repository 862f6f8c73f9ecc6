"""Manifest (collection summary) PDF and the stand-alone returns label of ``POST /returns``."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from reportlab.lib.units import mm

from shipmux.sandboxes.click_and_drop.documents.drawing import (
    A4,
    LABEL_SIZE,
    draw_code128,
    draw_modules,
    new_canvas,
    qr_modules,
    sandbox_notice,
    text_lines,
)
from shipmux.sandboxes.click_and_drop.store import Order
from shipmux.sandboxes.kit.clock import format_timestamp

ROWS_PER_PAGE = 40


def render_manifest(
    number: int, carrier_name: str, created_on: datetime, orders: Sequence[Order]
) -> bytes:
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, f"Manifest {number}")
    width, height = A4
    left = 15 * mm
    chunks = [orders[i : i + ROWS_PER_PAGE] for i in range(0, len(orders), ROWS_PER_PAGE)]
    for page, chunk in enumerate(chunks or [[]], start=1):
        canvas.setPageSize(A4)
        y = text_lines(canvas, left, height - 20 * mm, [f"Manifest {number}"], size=16, bold=True)
        y = text_lines(canvas, left, y, [
            f"Carrier: {carrier_name}",
            f"Created: {format_timestamp(created_on)}",
            f"Items: {len(orders)}    Page {page} of {max(len(chunks), 1)}",
        ], size=9)  # fmt: skip
        draw_code128(canvas, f"MAN{number}", width - 80 * mm, height - 32 * mm,
                     height=12 * mm, max_width=65 * mm)  # fmt: skip
        rows = [
            f"{o.identifier:>8}  {(o.reference or '-')[:40]:<40}  {o.service_code or '-':<8}"
            f"  {o.tracking_number or '-':<13}  {o.weight_in_grams:>6} g"
            for o in chunk
        ]
        canvas.setFont("Courier", 8)
        for row in rows:
            y -= 10
            canvas.drawString(left, y - 10, row)
        sandbox_notice(canvas, width)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def render_return_label(
    tracking_number: str, service_code: str, shipping: dict[str, Any], returning_to: dict[str, Any]
) -> bytes:
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, f"Return {tracking_number}")
    width, height = LABEL_SIZE
    left = 5 * mm
    y = text_lines(canvas, left, height - 10 * mm, ["Royal Mail Tracked Returns"], size=13,
                   bold=True)  # fmt: skip
    y = text_lines(canvas, left, y, [f"Service: {service_code}"], size=9)
    y = text_lines(canvas, left, y - 6, ["RETURN TO:"], size=8, bold=True)
    y = text_lines(canvas, left, y, _return_address_lines(returning_to), size=11, bold=True)
    text_lines(canvas, left, y - 4, ["FROM: " + ", ".join(_return_address_lines(shipping))],
               size=7)  # fmt: skip
    draw_modules(canvas, qr_modules(tracking_number), width - 33 * mm, 50 * mm, 28 * mm)
    draw_code128(canvas, tracking_number, left, 25 * mm, height=16 * mm, max_width=width - 10 * mm)
    sandbox_notice(canvas, width)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _return_address_lines(address: dict[str, Any]) -> list[str]:
    name = " ".join(str(address[k]) for k in ("title", "firstName", "lastName") if address.get(k))
    keys = ("companyName", "addressLine1", "addressLine2", "addressLine3", "city", "county",
            "postcode", "country")  # fmt: skip
    return [name, *(str(address[k]) for k in keys if address.get(k))]
