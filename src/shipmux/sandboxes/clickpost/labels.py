"""The shipping label PDF (4x6 inch, reportlab) served at the ``label`` URL."""

from __future__ import annotations

import io

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas

from shipmux.sandboxes.clickpost.couriers import courier_name
from shipmux.sandboxes.clickpost.store import Order

LABEL_SIZE = (4 * inch, 6 * inch)


def label_pdf(order: Order) -> bytes:
    height = LABEL_SIZE[1]
    buffer = io.BytesIO()
    # invariant=1: the same order gives the same bytes; uncompressed so the text is greppable.
    canvas = Canvas(buffer, pagesize=LABEL_SIZE, invariant=1, pageCompression=0)
    canvas.setTitle(f"Shipping label {order.waybill}")
    canvas.setAuthor("shipmux Clickpost sandbox")
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(18, height - 36, courier_name(order.courier_partner_id))
    canvas.setFont("Helvetica", 9)
    canvas.drawString(
        18, height - 52, f"cp_id {order.courier_partner_id}   label v{order.label_version}"
    )
    barcode = Code128(order.waybill, barHeight=60, barWidth=1.2)
    barcode.drawOn(canvas, 12, height - 140)
    canvas.setFont("Helvetica-Bold", 14)
    canvas.drawString(18, height - 160, f"AWB {order.waybill}")
    canvas.setFont("Helvetica", 10)
    canvas.drawString(18, height - 190, f"Ref: {order.reference_number}")
    canvas.drawString(18, height - 210, f"To: {order.drop_name}, {order.drop_city}")
    canvas.drawString(18, height - 230, f"From: {order.pickup_city}")
    canvas.setFont("Helvetica-Bold", 8)
    canvas.drawString(18, 18, "SANDBOX LABEL - NOT VALID FOR SHIPPING")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
