"""PDFs for label tests: one page per line of text, made with reportlab."""

from __future__ import annotations

import io

from reportlab.pdfgen.canvas import Canvas

__all__ = ["pdf_of_pages"]


def pdf_of_pages(*lines: str) -> bytes:
    """A PDF whose n-th page prints ``lines[n]``."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    for line in lines:
        canvas.drawString(72, 720, line)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
