"""Label pages: one per parcel, showing the P2G number, the service and both addresses.

Three layouts, after the seed's "Documents" keys: a 4x6 page (``labels-4x6``,
``labelMedia=Label4X6``), an A4 page with an enlarged label and instructions
(``labels-a4``, ``labelMedia=A4``), and an A4 page carrying a 4x6 label area to cut out
(``labels-a4-4x6``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shipmux.sandboxes.parcel2go.binding import member, number, text
from shipmux.sandboxes.parcel2go.documents.page import (
    A4,
    LABEL_4X6,
    Box,
    Mark,
    Page,
    Rule,
    Text,
    barcode,
    placed,
)
from shipmux.sandboxes.parcel2go.services import CollectionType
from shipmux.sandboxes.parcel2go.store import Order, OrderLine

SANDBOX_NOTICE = "SANDBOX - NOT A REAL SHIPMENT"
ADDRESS_KEYS = ("ContactName", "Organisation", "Property", "Street", "Locality", "Town",
                "County", "Postcode", "CountryIsoCode")  # fmt: skip


@dataclass(frozen=True, slots=True)
class LabelContent:
    p2g_number: str
    courier: str
    service: str
    drop_off: bool
    to_lines: tuple[str, ...]
    from_lines: tuple[str, ...]
    order_id: int
    parcel_number: int
    parcel_count: int
    weight: str
    reference: str | None


def address_lines(address: Any) -> tuple[str, ...]:
    lines: list[str] = []
    property_, street = text(address, "Property"), text(address, "Street")
    for key in ADDRESS_KEYS:
        if key == "Street":
            continue
        if key == "Property":
            joined = " ".join(part for part in (property_, street) if part)
            if joined:
                lines.append(joined)
            continue
        value = text(address, key)
        if value:
            lines.append(value)
    return tuple(line[:40] for line in lines)


def label_contents(order: Order, line: OrderLine) -> list[LabelContent]:
    count = len(line.parcels)
    return [
        LabelContent(
            p2g_number=f"P2G{line.order_line_id}",
            courier=line.service.courier_name,
            service=line.service.name,
            drop_off=line.service.collection_type is CollectionType.SHOP,
            to_lines=address_lines(member(parcel, "DeliveryAddress")),
            from_lines=address_lines(line.collection_address),
            order_id=order.order_id,
            parcel_number=index,
            parcel_count=count,
            weight=f"{number(parcel, 'Weight') or 0} kg",
            reference=line.reference,
        )
        for index, parcel in enumerate(line.parcels, start=1)
    ]


def label_marks(content: LabelContent) -> tuple[Mark, ...]:
    """The 4x6 label (288 x 432 pt), bottom-left origin."""
    width, height = LABEL_4X6
    marks: list[Mark] = [
        Box(4, 4, width - 8, height - 8, line_width=1.5),
        Text(14, 404, content.courier, size=18, bold=True),
        Text(14, 388, content.service, size=10),
        Text(14, 372, "DROP OFF AT A SHOP" if content.drop_off else "COURIER COLLECTION",
             size=9, bold=True),
        Rule(4, 362, width - 4, 362, width=1.2),
        Text(14, 340, content.p2g_number, size=20, bold=True),
        barcode(content.p2g_number, 14, 282, height=48, max_width=width - 28),
        Rule(4, 270, width - 4, 270, width=1.2),
        Text(14, 256, "DELIVER TO:", size=8, bold=True),
    ]  # fmt: skip
    y = 242.0
    for line in content.to_lines[:8]:
        marks.append(Text(14, y, line, size=11, bold=True))
        y -= 13
    marks += [Rule(4, 124, width - 4, 124), Text(14, 112, "FROM:", size=7, bold=True)]
    y = 102.0
    for line in content.from_lines[:6]:
        marks.append(Text(14, y, line, size=7))
        y -= 9
    reference = f"Ref: {content.reference}" if content.reference else "Ref: -"
    marks += [
        Rule(4, 44, width - 4, 44),
        Text(14, 32, f"Order {content.order_id}   Parcel {content.parcel_number} of "
                     f"{content.parcel_count}   {content.weight}", size=8),
        Text(14, 22, reference[:50], size=8),
        Text(width / 2 - 62, 10, SANDBOX_NOTICE, size=7, bold=True),
    ]  # fmt: skip
    return tuple(marks)


def label_4x6_page(content: LabelContent) -> Page:
    return Page(LABEL_4X6, label_marks(content))


def label_a4_page(content: LabelContent) -> Page:
    """An A4 page: the label enlarged in the top half, folding instructions below."""
    width, height = A4
    scale = 1.25
    left = (width - LABEL_4X6[0] * scale) / 2
    bottom = height - 30 - LABEL_4X6[1] * scale
    instructions = (
        "1. Print this page at 100% scale.",
        "2. Cut along the dashed line and attach the label to the largest side of the parcel.",
        "3. Make sure the barcode is flat and not covered by tape.",
    )
    marks: list[Mark] = [*placed(label_marks(content), left, bottom, scale)]
    marks.append(Rule(20, bottom - 16, width - 20, bottom - 16, dashed=True))
    y = bottom - 40
    marks.append(Text(40, y, "Instructions", size=12, bold=True))
    for line in instructions:
        y -= 16
        marks.append(Text(40, y, line, size=10))
    return Page(A4, tuple(marks))


def label_a4_4x6_page(content: LabelContent) -> Page:
    """An A4 page with a true 4x6 label area at the top left, to cut out."""
    _, height = A4
    left, bottom = 28.0, height - 28 - LABEL_4X6[1]
    marks = (
        *placed(label_marks(content), left, bottom),
        Box(left - 6, bottom - 6, LABEL_4X6[0] + 12, LABEL_4X6[1] + 12, line_width=0.5,
            dashed=True),
        Text(left, bottom - 22, "Cut along the dashed line: 4 x 6 inch label.", size=9),
    )  # fmt: skip
    return Page(A4, marks)
