"""Render ``Page``s: a PDF through reportlab, a PNG through Pillow.

PNG labels come out at 200 dpi; a 4x6 label is 787 x 1181 px, the size measured on the
live sandbox's PNG labels (research §3.11: 100 x 150 mm at 200 dpi).
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from functools import lru_cache

import reportlab
from PIL import Image, ImageDraw, ImageFont
from reportlab.pdfgen.canvas import Canvas

from shipmux.sandboxes.parcel2go.documents.page import LABEL_4X6, Bars, Box, Page, Rule, Text

PNG_DPI = 200
LABEL_4X6_PIXELS = (787, 1181)
_FONT_DIR = os.path.join(os.path.dirname(reportlab.__file__), "fonts")


def pdf_bytes(pages: Sequence[Page], title: str) -> bytes:
    buffer = io.BytesIO()
    # invariant=1: identical input gives identical bytes (no timestamps or random ids).
    canvas = Canvas(buffer, pagesize=pages[0].size, invariant=1)
    canvas.setTitle(title)
    canvas.setAuthor("shipmux Parcel2Go sandbox")
    for page in pages:
        canvas.setPageSize(page.size)
        for mark in page.marks:
            _draw_pdf(canvas, mark)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_pdf(canvas: Canvas, mark: Text | Rule | Box | Bars) -> None:
    if isinstance(mark, Text):
        canvas.setFont("Helvetica-Bold" if mark.bold else "Helvetica", mark.size)
        canvas.drawString(mark.x, mark.y, mark.text)
    elif isinstance(mark, Rule):
        canvas.setLineWidth(mark.width)
        canvas.setDash(3, 3) if mark.dashed else canvas.setDash()
        canvas.line(mark.x1, mark.y1, mark.x2, mark.y2)
        canvas.setDash()
    elif isinstance(mark, Box):
        canvas.setLineWidth(mark.line_width)
        canvas.setDash(3, 3) if mark.dashed else canvas.setDash()
        canvas.rect(mark.x, mark.y, mark.width, mark.height, stroke=1, fill=0)
        canvas.setDash()
    else:
        for offset, width in mark.bars:
            canvas.rect(mark.x + offset, mark.y, width, mark.height, stroke=0, fill=1)


@lru_cache(maxsize=64)
def _font(size_px: int, bold: bool) -> ImageFont.FreeTypeFont:
    name = "VeraBd.ttf" if bold else "Vera.ttf"
    return ImageFont.truetype(os.path.join(_FONT_DIR, name), max(size_px, 1))


def png_bytes(page: Page) -> bytes:
    width_pt, height_pt = page.size
    if page.size == LABEL_4X6:
        pixels = LABEL_4X6_PIXELS
    else:
        pixels = (round(width_pt / 72 * PNG_DPI), round(height_pt / 72 * PNG_DPI))
    sx, sy = pixels[0] / width_pt, pixels[1] / height_pt
    image = Image.new("L", pixels, 255)
    draw = ImageDraw.Draw(image)

    def at(x: float, y: float) -> tuple[float, float]:
        return x * sx, (height_pt - y) * sy

    for mark in page.marks:
        if isinstance(mark, Text):
            font = _font(round(mark.size * sy), mark.bold)
            draw.text(at(mark.x, mark.y), mark.text, fill=0, font=font, anchor="ls")
        elif isinstance(mark, Rule):
            draw.line([at(mark.x1, mark.y1), at(mark.x2, mark.y2)], fill=0,
                      width=max(1, round(mark.width * sx)))  # fmt: skip
        elif isinstance(mark, Box):
            left, top = at(mark.x, mark.y + mark.height)
            right, bottom = at(mark.x + mark.width, mark.y)
            draw.rectangle([left, top, right, bottom], outline=0,
                           width=max(1, round(mark.line_width * sx)))  # fmt: skip
        else:
            for offset, width in mark.bars:
                left, top = at(mark.x + offset, mark.y + mark.height)
                right, bottom = at(mark.x + offset + width, mark.y)
                draw.rectangle([left, top, max(left, right - 1), bottom], fill=0)
    buffer = io.BytesIO()
    image.convert("1", dither=Image.Dither.NONE).save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()
