"""Shipping labels as real files: PDF (reportlab), PNG (Pillow) and ZPL text.

Sendcloud's DPI rules (spec ``label_details.dpi``): PDF 72 only; PNG 150 or 300
(default 300); ZPL is not affected by DPI (carriers use 203). Paper size: A6 is the
label's own size, A4 and A5 put the same label on a bigger sheet.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4, A5, A6
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

PDF = "application/pdf"
PNG = "image/png"
ZPL = "application/zpl"
MIME_TYPES = (PDF, ZPL, PNG)
VALID_DPI = {PDF: (72,), PNG: (150, 300), ZPL: (72, 150, 203, 300, 600)}
DEFAULT_DPI = {PDF: 72, PNG: 300, ZPL: 203}
PAPER_SIZES = {"A4": A4, "A5": A5, "A6": A6}
LABEL_MM = (105.0, 148.0)  # A6 portrait


@dataclass(frozen=True, slots=True)
class LabelContent:
    tracking_number: str
    carrier: str
    service: str
    order_number: str
    to_lines: tuple[str, ...]
    parcel_number: int = 1
    parcel_count: int = 1


def render_label(content: LabelContent, mime_type: str, dpi: int, paper_size: str = "A6") -> bytes:
    if mime_type == PNG:
        return _png(content, dpi)
    if mime_type == ZPL:
        return _zpl(content)
    return _pdf(content, paper_size)


def _text_lines(content: LabelContent) -> list[tuple[str, bool]]:
    lines = [
        (content.carrier.upper(), True),
        (content.service, False),
        (f"Parcel {content.parcel_number}/{content.parcel_count}", False),
        ("", False),
        ("TO:", True),
        *((line, False) for line in content.to_lines),
        ("", False),
        (f"Order {content.order_number}", False),
        (content.tracking_number, True),
        ("SHIPMUX SENDCLOUD SANDBOX - NOT A REAL LABEL", False),
    ]
    return lines


def _bars(value: str) -> list[tuple[int, int]]:
    """A barcode-looking pattern of (offset, width) in modules; decorative, not scannable."""
    bars: list[tuple[int, int]] = []
    offset = 0
    for char in value:
        code = ord(char)
        for shift in range(0, 6, 2):
            width = 1 + ((code >> shift) & 1)
            bars.append((offset, width))
            offset += width + 1 + ((code >> (shift + 1)) & 1)
    return bars


def _pdf(content: LabelContent, paper_size: str) -> bytes:
    page_width, page_height = PAPER_SIZES.get(paper_size.upper(), A6)
    buffer = io.BytesIO()
    # invariant=1: identical input gives identical bytes (no timestamps or random ids).
    canvas = Canvas(buffer, pagesize=(page_width, page_height), invariant=1)
    canvas.setTitle(f"Label {content.tracking_number}")
    left, top = 8 * mm, page_height - 12 * mm
    canvas.rect(
        4 * mm,
        page_height - LABEL_MM[1] * mm + 4 * mm,
        LABEL_MM[0] * mm - 8 * mm,
        LABEL_MM[1] * mm - 8 * mm,
    )
    y = top
    for text, bold in _text_lines(content):
        canvas.setFont("Helvetica-Bold" if bold else "Helvetica", 10 if bold else 8)
        canvas.drawString(left, y, text)
        y -= 5 * mm
    module = 0.9
    for offset, width in _bars(content.tracking_number):
        canvas.rect(left + offset * module, y - 18 * mm, width * module, 16 * mm, stroke=0, fill=1)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _png(content: LabelContent, dpi: int) -> bytes:
    width = round(LABEL_MM[0] / 25.4 * dpi)
    height = round(LABEL_MM[1] / 25.4 * dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    scale = dpi / 72
    y = 12 * scale
    for text, _bold in _text_lines(content):
        draw.text((20 * scale, y), text, fill=0, font_size=max(8, round(9 * scale)))
        y += 14 * scale
    module = max(1, round(scale))
    for offset, bar_width in _bars(content.tracking_number):
        x = round(20 * scale) + offset * module
        draw.rectangle((x, y + 10, x + bar_width * module - 1, y + 10 + 45 * scale), fill=0)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(dpi, dpi))
    return buffer.getvalue()


def _zpl(content: LabelContent) -> bytes:
    rows = [
        f"^FO40,{40 + 40 * index}^A0N,30,30^FD{text}^FS"
        for index, (text, _bold) in enumerate(_text_lines(content))
        if text
    ]
    y = 80 + 40 * len(rows)
    body = "\n".join(
        [
            "^XA",
            "^CI28",
            *rows,
            f"^FO40,{y}^BY2^BCN,120,Y,N,N^FD{content.tracking_number}^FS",
            "^XZ",
            "",
        ]
    )
    return body.encode()
