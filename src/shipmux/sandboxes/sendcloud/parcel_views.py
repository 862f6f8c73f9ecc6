"""How shipments and parcels are written: v3 API bodies and the v2-shaped webhook parcel."""

from __future__ import annotations

import uuid
from typing import Any

from shipmux.sandboxes.kit.clock import format_timestamp
from shipmux.sandboxes.sendcloud.catalogue import find_option
from shipmux.sandboxes.sendcloud.store import Parcel, Shipment
from shipmux.sandboxes.sendcloud.tracking import StatusEvent

ISO_3 = {
    "NL": ("NLD", "Netherlands"),
    "BE": ("BEL", "Belgium"),
    "DE": ("DEU", "Germany"),
    "FR": ("FRA", "France"),
    "GB": ("GBR", "United Kingdom"),
    "US": ("USA", "United States"),
    "ES": ("ESP", "Spain"),
    "IT": ("ITA", "Italy"),
    "AT": ("AUT", "Austria"),
}


def to_address(shipment: Shipment) -> dict[str, Any]:
    address = shipment.order.latest.get("shipping_address")
    return dict(address) if isinstance(address, dict) else {}


def order_number(shipment: Shipment) -> str:
    return str(shipment.order.latest.get("order_number", ""))


def ship_with(shipment: Shipment) -> dict[str, Any]:
    properties: dict[str, Any] = {"shipping_option_code": shipment.shipping_option_code}
    if shipment.contract_id is not None:
        properties["contract_id"] = shipment.contract_id
    return {"type": "shipping_option_code", "properties": properties}


def tracking_url(shipment: Shipment, parcel: Parcel) -> str:
    address = to_address(shipment)
    country = str(address.get("country_code", "")).lower()
    postal = str(address.get("postal_code", "")).replace(" ", "")
    return (
        f"https://tracking.sendcloud.sc/forward?code={parcel.tracking_number}"
        f"&destination={country}&verification={postal}"
    )


def documents(shipment: Shipment, parcel: Parcel) -> list[dict[str, Any]]:
    if parcel.announcement_failed:
        return []
    link = f"{shipment.api_root}/parcels/{parcel.id}/documents/label"
    return [{"type": "label", "size": "a6", "link": link}]


def parcel_body(shipment: Shipment, parcel: Parcel, event: StatusEvent) -> dict[str, Any]:
    """A parcel inside a v3 shipment (spec ``GET /shipments/{id}``)."""
    return {
        "id": parcel.id,
        "status": {"code": event.status.code, "message": event.status.message},
        "documents": documents(shipment, parcel),
        "weight": {"value": parcel.weight_kg, "unit": "kg"},
        "tracking_url": tracking_url(shipment, parcel),
        "tracking_number": parcel.tracking_number,
        "additional_carrier_data": {"awb_tracking_number": None, "box_number": None},
        "created_at": format_timestamp(parcel.created_at),
        "updated_at": format_timestamp(event.entered_at),
        "announced_at": format_timestamp(parcel.created_at),
    }


def unix_ms(event: StatusEvent) -> int:
    return int(event.entered_at.timestamp() * 1000)


def webhook_payload(shipment: Shipment, parcel: Parcel, event: StatusEvent) -> dict[str, Any]:
    """``parcel_status_changed`` (spec webhooks file): the v2 parcel object, numeric status."""
    address = to_address(shipment)
    country = str(address.get("country_code", ""))
    iso_3, country_name = ISO_3.get(country, (None, country))
    option = find_option(shipment.shipping_option_code)
    label_link = documents(shipment, parcel)
    return {
        "action": "parcel_status_changed",
        "timestamp": unix_ms(event),
        "carrier_status_change_timestamp": unix_ms(event),
        "parcel": {
            "id": parcel.id,
            "name": address.get("name", ""),
            "company_name": address.get("company_name", ""),
            "address": " ".join(
                str(part)
                for part in (address.get("address_line_1"), address.get("house_number"))
                if part
            ),
            "address_divided": {
                "street": address.get("address_line_1", ""),
                "house_number": address.get("house_number", ""),
            },
            "city": address.get("city", ""),
            "postal_code": address.get("postal_code", ""),
            "telephone": address.get("phone_number", ""),
            "email": address.get("email", ""),
            "date_created": parcel.created_at.strftime("%d-%m-%Y %H:%M:%S"),
            "tracking_number": parcel.tracking_number,
            "tracking_url": tracking_url(shipment, parcel),
            "weight": parcel.weight_kg,
            "label": {
                "normal_printer": [label_link[0]["link"]] if label_link else [],
                "label_printer": label_link[0]["link"] if label_link else "",
            },
            "customs_declaration": {},
            "status": {"id": event.status.id, "message": event.status.message},
            "data": {},
            "country": {"iso_3": iso_3, "iso_2": country, "name": country_name},
            "shipment": {
                "id": option.contract_id if option else 0,
                "name": option.name if option else shipment.shipping_option_code,
            },
            "carrier": {"code": option.carrier_code if option else ""},
            "order_number": order_number(shipment),
            "shipment_uuid": str(
                uuid.uuid5(uuid.NAMESPACE_URL, f"sendcloud-shipment:{shipment.id}")
            ),
            "external_order_id": shipment.order.order_id,
            "external_shipment_id": shipment.id,
        },
    }
