"""A page as a list of drawing operations, in PDF points from the bottom-left corner.

Describing a page once and rendering it twice keeps the PDF and PNG labels identical in
content. Only four kinds of marks are needed: text, lines, rectangles, barcode bars.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

from reportlab.graphics.barcode import code128

A4 = (595.2756, 841.8898)
LABEL_4X6 = (288.0, 432.0)  # 4 x 6 inches


@dataclass(frozen=True, slots=True)
class Text:
    x: float
    y: float  # baseline
    text: str
    size: float = 9.0
    bold: bool = False


@dataclass(frozen=True, slots=True)
class Rule:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float = 0.8
    dashed: bool = False


@dataclass(frozen=True, slots=True)
class Box:
    x: float
    y: float
    width: float
    height: float
    line_width: float = 1.0
    dashed: bool = False


@dataclass(frozen=True, slots=True)
class Bars:
    """Dark bars of a 1D barcode: ``(offset, width)`` pairs in points from ``x``."""

    x: float
    y: float
    height: float
    bars: tuple[tuple[float, float], ...]


Mark = Text | Rule | Box | Bars


@dataclass(frozen=True, slots=True)
class Page:
    size: tuple[float, float]
    marks: tuple[Mark, ...]


@lru_cache(maxsize=256)
def code128_modules(value: str) -> tuple[tuple[int, int], ...]:
    """Code 128 bars as ``(module offset, module width)``, encoded by reportlab."""
    barcode = code128.Code128(value, quiet=False)
    barcode.validate()  # type: ignore[no-untyped-call]
    barcode.encode()  # type: ignore[no-untyped-call]
    barcode.decompose()  # type: ignore[no-untyped-call]
    # ``decomposed``: upper-case letters are bars, lower-case spaces; A/a = 1 module.
    bars: list[tuple[int, int]] = []
    offset = 0
    for symbol in str(barcode.decomposed):
        width = ord(symbol.lower()) - ord("a") + 1
        if symbol.isupper():
            bars.append((offset, width))
        offset += width
    return tuple(bars)


def barcode(value: str, x: float, y: float, *, height: float, max_width: float) -> Bars:
    modules = code128_modules(value)
    total = max(offset + width for offset, width in modules)
    module = min(1.4, max_width / total)
    return Bars(x, y, height, tuple((offset * module, width * module) for offset, width in modules))


def placed(marks: tuple[Mark, ...], dx: float, dy: float, scale: float = 1.0) -> tuple[Mark, ...]:
    """The marks moved by ``(dx, dy)`` after scaling about the origin."""
    moved: list[Mark] = []
    for mark in marks:
        if isinstance(mark, Text):
            moved.append(replace(mark, x=mark.x * scale + dx, y=mark.y * scale + dy,
                                 size=mark.size * scale))  # fmt: skip
        elif isinstance(mark, Rule):
            moved.append(replace(mark, x1=mark.x1 * scale + dx, y1=mark.y1 * scale + dy,
                                 x2=mark.x2 * scale + dx, y2=mark.y2 * scale + dy))  # fmt: skip
        elif isinstance(mark, Box):
            moved.append(replace(mark, x=mark.x * scale + dx, y=mark.y * scale + dy,
                                 width=mark.width * scale, height=mark.height * scale))  # fmt: skip
        else:
            moved.append(
                Bars(mark.x * scale + dx, mark.y * scale + dy, mark.height * scale,
                     tuple((off * scale, width * scale) for off, width in mark.bars))
            )  # fmt: skip
    return tuple(moved)
