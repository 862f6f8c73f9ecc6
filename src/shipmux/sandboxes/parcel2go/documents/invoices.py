"""A4 invoices: Parcel2Go's purchase invoice (the ``invoice`` link) and, for international
lines, a commercial invoice (``detailLevel=All`` / ``AdditionalDocuments``).

Research §3.8: the ``invoice`` link is Parcel2Go's own purchase invoice, not customs.
"""

from __future__ import annotations

from shipmux.sandboxes.parcel2go.binding import member, number, objects, text
from shipmux.sandboxes.parcel2go.documents.labels import SANDBOX_NOTICE, address_lines
from shipmux.sandboxes.parcel2go.documents.page import A4, Mark, Page, Rule, Text
from shipmux.sandboxes.parcel2go.store import Order, OrderLine


def purchase_invoice_page(order: Order) -> Page:
    width, height = A4
    paid = order.paid_at.strftime("%d/%m/%Y %H:%M UTC") if order.paid_at else "unpaid"
    marks: list[Mark] = [
        Text(40, height - 60, "Parcel2Go (sandbox) - Invoice", size=18, bold=True),
        Text(40, height - 84, f"Order {order.order_id}    Paid: {paid}", size=10),
        Rule(40, height - 96, width - 40, height - 96),
        Text(40, height - 116, "P2G number", size=10, bold=True),
        Text(160, height - 116, "Service", size=10, bold=True),
        Text(400, height - 116, "Ex VAT", size=10, bold=True),
        Text(480, height - 116, "Total", size=10, bold=True),
    ]
    y = height - 136
    for line in order.lines:
        marks += [
            Text(40, y, f"P2G{line.order_line_id}", size=10),
            Text(160, y, line.service.name, size=10),
            Text(400, y, f"£{line.price.ex_vat:.2f}", size=10),
            Text(480, y, f"£{line.price.total:.2f}", size=10),
        ]
        y -= 16
    marks += [
        Rule(40, y, width - 40, y),
        Text(360, y - 20, f"Total ex VAT: £{order.total_ex_vat:.2f}", size=10),
        Text(360, y - 36, f"VAT at 20%: £{order.total_vat:.2f}", size=10),
        Text(360, y - 52, f"Total: £{order.total_price:.2f}", size=11, bold=True),
        Text(40, 40, SANDBOX_NOTICE, size=8, bold=True),
    ]
    return Page(A4, tuple(marks))


def commercial_invoice_page(order: Order, line: OrderLine) -> Page:
    width, height = A4
    marks: list[Mark] = [
        Text(40, height - 60, "Commercial Invoice", size=18, bold=True),
        Text(40, height - 84, f"P2G{line.order_line_id}   Order {order.order_id}   "
                              f"{line.service.name}", size=10),
        Text(40, height - 110, "Sender:", size=10, bold=True),
    ]  # fmt: skip
    y = height - 124
    for address_line in address_lines(line.collection_address):
        marks.append(Text(40, y, address_line, size=9))
        y -= 12
    first_parcel = line.parcels[0] if line.parcels else {}
    y2 = height - 124
    marks.append(Text(320, height - 110, "Receiver:", size=10, bold=True))
    for address_line in address_lines(member(first_parcel, "DeliveryAddress")):
        marks.append(Text(320, y2, address_line, size=9))
        y2 -= 12
    y = min(y, y2) - 20
    marks.append(Rule(40, y, width - 40, y))
    y -= 20
    marks.append(Text(40, y, "Description", size=10, bold=True))
    marks.append(Text(330, y, "Qty", size=10, bold=True))
    marks.append(Text(400, y, "Value", size=10, bold=True))
    for parcel in line.parcels:
        for entry in objects(parcel, "Contents"):
            y -= 16
            marks += [
                Text(40, y, (text(entry, "Description") or "-")[:50], size=10),
                Text(330, y, str(number(entry, "Quantity") or 1), size=10),
                Text(400, y, f"£{number(entry, 'EstimatedValue') or 0:.2f}", size=10),
            ]
    marks += [
        Text(40, 40, "Terms: DDU.  " + SANDBOX_NOTICE, size=8, bold=True),
    ]
    return Page(A4, tuple(marks))
