"""Drawing primitives for sandbox documents: canvases, text blocks and real barcodes.

Barcodes are genuine: Code 128 (reportlab) for tracking numbers, an ECC200 44x44 Data
Matrix (the size Royal Mail's Mailmark uses) and QR codes. 2D codes are drawn as one
1-bit image rather than hundreds of rectangles, which keeps a label at a few ms.
"""

from __future__ import annotations

import io
import operator
from collections.abc import Iterable, Sequence
from typing import Any

from PIL import Image
from reportlab.graphics.barcode import code128, qrencoder
from reportlab.graphics.barcode.ecc200datamatrix import (  # type: ignore[attr-defined]
    ALOGVAL,
    FACTORS,
    LOGVAL,
    ECC200DataMatrix,
)
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

LABEL_SIZE = (101.6 * mm, 152.4 * mm)  # 4 x 6 inch thermal label
A4 = (210 * mm, 297 * mm)
SANDBOX_NOTICE = "SANDBOX - NOT VALID FOR POSTAGE"

Modules = list[list[bool]]


def new_canvas(buffer: io.BytesIO, title: str) -> Canvas:
    # invariant=1 makes the output byte-identical for identical input (no timestamps/ids).
    canvas = Canvas(buffer, pagesize=LABEL_SIZE, invariant=1)
    canvas.setTitle(title)
    canvas.setAuthor("shipmux Click & Drop sandbox")
    return canvas


def text_lines(
    canvas: Canvas,
    x: float,
    y: float,
    lines: Iterable[str],
    *,
    size: float = 9,
    bold: bool = False,
    leading: float | None = None,
) -> float:
    """Draw lines downwards from ``y``; return the y below the last line."""
    canvas.setFont("Helvetica-Bold" if bold else "Helvetica", size)
    step = leading or size * 1.2
    for line in lines:
        canvas.drawString(x, y, line)
        y -= step
    return y


def address_lines(address: dict[str, Any] | None) -> list[str]:
    address = address or {}
    keys = ("fullName", "companyName", "addressLine1", "addressLine2", "addressLine3", "city",
            "county", "postcode", "countryCode")  # fmt: skip
    return [str(address[key]) for key in keys if address.get(key)]


def draw_code128(
    canvas: Canvas, value: str, x: float, y: float, *, height: float, max_width: float
) -> None:
    """A Code 128 barcode with its human-readable text underneath."""
    bar_width = 0.36 * mm
    barcode = code128.Code128(value, barHeight=height, barWidth=bar_width, quiet=False)
    if barcode.width > max_width:
        barcode = code128.Code128(
            value, barHeight=height, barWidth=bar_width * max_width / barcode.width, quiet=False
        )
    barcode.drawOn(canvas, x, y)
    canvas.setFont("Helvetica", 9)
    canvas.drawString(x, y - 11, value)


class _FastDataMatrix(ECC200DataMatrix):
    """reportlab's encoder with a vectorised Reed-Solomon step (it dominated label time)."""

    def _get_reed_solomon_code(self, data: Sequence[int], num_code_words: int) -> list[int]:
        factor_logs = [LOGVAL[factor] for factor in FACTORS[num_code_words]]
        code = [0] * num_code_words
        for word in data:
            feedback = word ^ code[-1]
            if feedback == 0:
                code = [0, *code[:-1]]
                continue
            log_feedback = LOGVAL[feedback]
            products = [ALOGVAL[(log_feedback + log) % 255] for log in factor_logs]
            code = [products[0], *map(operator.xor, code[:-1], products[1:])]
        code.reverse()
        return code


def datamatrix_modules(payload: str) -> Modules:
    """Modules of a 44x44 ECC200 Data Matrix (C40; lower-case is folded to upper)."""
    matrix = _FastDataMatrix(value=payload.upper()[:90])
    matrix.validate()
    rows: Sequence[Sequence[int]] = matrix.encode()  # type: ignore[no-untyped-call]
    # encode() returns the rows bottom-up (PDF order); images are top-down.
    return [[bool(cell) for cell in row] for row in reversed(rows)]


def qr_modules(payload: str) -> Modules:
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(payload)
    qr.make()
    return [[bool(cell) for cell in row] for row in qr.modules]


def modules_image(modules: Modules, *, quiet_zone: int = 2, scale: int = 1) -> Image.Image:
    size = len(modules) + 2 * quiet_zone
    image = Image.new("1", (size, size), 1)
    pixels = image.load()
    assert pixels is not None
    for row_index, row in enumerate(modules):
        for col_index, dark in enumerate(row):
            if dark:
                pixels[col_index + quiet_zone, row_index + quiet_zone] = 0
    if scale > 1:
        image = image.resize((size * scale, size * scale), Image.Resampling.NEAREST)
    return image


def draw_modules(canvas: Canvas, modules: Modules, x: float, y: float, size: float) -> None:
    canvas.drawImage(ImageReader(modules_image(modules)), x, y, size, size)


def png_bytes(modules: Modules, *, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    modules_image(modules, quiet_zone=4, scale=scale).save(buffer, format="PNG")
    return buffer.getvalue()


def sandbox_notice(canvas: Canvas, width: float) -> None:
    canvas.setFont("Helvetica-Bold", 7)
    canvas.drawCentredString(width / 2, 4 * mm, SANDBOX_NOTICE)
