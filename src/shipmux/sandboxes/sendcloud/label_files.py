"""The label of one parcel, in the format asked for."""

from __future__ import annotations

from shipmux.sandboxes.sendcloud.catalogue import find_option
from shipmux.sandboxes.sendcloud.documents import LabelContent, render_label
from shipmux.sandboxes.sendcloud.parcel_views import order_number, to_address
from shipmux.sandboxes.sendcloud.store import Parcel, Shipment


def label_for(
    shipment: Shipment, parcel: Parcel, mime_type: str, dpi: int, paper_size: str
) -> bytes:
    address = to_address(shipment)
    street = " ".join(
        str(address[key]) for key in ("address_line_1", "house_number") if address.get(key)
    )
    to_lines = tuple(
        line
        for line in (
            str(address.get("name", "")),
            str(address.get("company_name", "")),
            street,
            f"{address.get('postal_code', '')} {address.get('city', '')}".strip(),
            str(address.get("country_code", "")),
        )
        if line
    )
    option = find_option(shipment.shipping_option_code)
    content = LabelContent(
        tracking_number=parcel.tracking_number,
        carrier=option.carrier_name if option else "carrier",
        service=option.name if option else shipment.shipping_option_code,
        order_number=order_number(shipment),
        to_lines=to_lines,
        parcel_number=shipment.parcels.index(parcel) + 1,
        parcel_count=len(shipment.parcels),
    )
    return render_label(content, mime_type, dpi, paper_size)
