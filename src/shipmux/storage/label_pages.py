"""A shipment's pages of a label document that several shipments share.

Click & Drop answers one PDF for a whole batch of orders. It is stored once, each
shipment keeps which of its pages are its own (``shipments.label_pages``, "3,4"),
and a shipment's label is cut out of it only when someone reads that label.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from pypdf import PdfReader, PdfWriter

__all__ = ["cut_pages", "format_pages", "parse_pages"]


def format_pages(pages: Sequence[int] | None) -> str | None:
    """The ``label_pages`` column's text for 0-based pages; None for a whole document."""
    if pages is None:
        return None
    if not pages:
        # An empty list would read back as "no pages": a blank label, never a whole one.
        raise ValueError("a shipment's share of a document needs at least one page")
    return ",".join(str(page) for page in pages)


def parse_pages(text: str | None) -> tuple[int, ...] | None:
    """The pages a ``label_pages`` column names; None: the whole document is the label."""
    if text is None:
        return None
    return tuple(int(page) for page in text.split(","))


def cut_pages(pdf: bytes, pages: Sequence[int]) -> bytes:
    """A PDF of just ``pages`` (0-based) of ``pdf``, in that order."""
    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter()
    for page in pages:
        writer.add_page(reader.pages[page])
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
