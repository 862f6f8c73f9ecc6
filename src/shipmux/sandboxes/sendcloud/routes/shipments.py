"""Shipments (list, retrieve, cancel), parcel tracking, and parcel documents (labels).

Spec ``sendcloud-shipments-openapi.yml`` (``GET /shipments``, ``GET /shipments/{id}``,
``POST /shipments/{id}/cancel``), ``sendcloud-v3-parcel-tracking-openapi.yml``
(``GET /parcels/tracking/{tracking_number}``) and ``sendcloud-v3-parcel-documents``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from starlette.responses import Response

from shipmux.sandboxes.kit.clock import format_timestamp
from shipmux.sandboxes.kit.jsonio import json_response
from shipmux.sandboxes.sendcloud.catalogue import find_option
from shipmux.sandboxes.sendcloud.context import Call
from shipmux.sandboxes.sendcloud.documents import (
    DEFAULT_DPI,
    MIME_TYPES,
    PAPER_SIZES,
    PDF,
    VALID_DPI,
)
from shipmux.sandboxes.sendcloud.errors import not_found, single_error
from shipmux.sandboxes.sendcloud.label_files import label_for
from shipmux.sandboxes.sendcloud.paging import decode_cursor, link_header, paginate
from shipmux.sandboxes.sendcloud.parcel_views import (
    order_number,
    parcel_body,
    ship_with,
    to_address,
    tracking_url,
)
from shipmux.sandboxes.sendcloud.store import Parcel, Shipment
from shipmux.sandboxes.sendcloud.tracking import (
    ANNOUNCED,
    ANNOUNCEMENT_FAILED,
    DELIVERED,
    READY_TO_SEND,
    current_status,
    statuses_reached,
)

DOCUMENT_TYPES = ("label", "customs-declaration", "air-waybill")


def shipment_body(call: Call, shipment: Shipment) -> dict[str, Any]:
    """A shipment (spec ``shipment-response``) with each parcel's current status."""
    step = call.state.settings.tracking_step_seconds
    return {
        "id": shipment.id,
        "to_address": to_address(shipment),
        "ship_with": ship_with(shipment),
        "order_number": order_number(shipment),
        "external_reference_id": shipment.order.order_id,
        "errors": shipment.errors,
        "parcels": [
            parcel_body(shipment, parcel, current_status(parcel, call.now, step))
            for parcel in shipment.parcels
        ],
    }


def _own_shipment(call: Call) -> Shipment | None:
    shipment = call.store.shipments.get(call.params["id"])
    if shipment is None or shipment.integration_id not in call.account_integration_ids:
        return None
    return shipment


async def retrieve_shipment(call: Call) -> Response:
    shipment = _own_shipment(call)
    if shipment is None:
        return not_found()
    return json_response({"data": shipment_body(call, shipment)})


MAX_IDS = 100
TIME_FILTERS = ("updated_before", "updated_after", "announced_before", "announced_after")


def _parse_time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _shipment_times(call: Call, shipment: Shipment) -> tuple[datetime, datetime]:
    """(announced, last updated): label creation, and the latest status entered."""
    step = call.state.settings.tracking_step_seconds
    updated = shipment.created_at
    for parcel in shipment.parcels:
        updated = max(updated, current_status(parcel, call.now, step).entered_at)
    return shipment.created_at, updated


def _shipment_matches(
    call: Call, shipment: Shipment, query: dict[str, str], times: dict[str, datetime]
) -> bool:
    step = call.state.settings.tracking_step_seconds
    statuses = {current_status(p, call.now, step).status for p in shipment.parcels}
    checks: dict[str, set[str]] = {
        "order_number": {order_number(shipment)},
        "external_reference_id": {shipment.order.order_id},
        "integration_id": {str(shipment.integration_id)},
        "tracking_number": {p.tracking_number for p in shipment.parcels},
        "parcel_status": {s.code for s in statuses} | {str(s.id) for s in statuses},
    }
    if any(name in query and query[name] not in values for name, values in checks.items()):
        return False
    if "ids" in query and shipment.id not in query["ids"].split(","):
        return False
    announced, updated = _shipment_times(call, shipment)
    bounds = (
        ("updated_before", updated, True),
        ("updated_after", updated, False),
        ("announced_before", announced, True),
        ("announced_after", announced, False),
    )
    for name, value, before in bounds:
        if name in times and (value >= times[name] if before else value <= times[name]):
            return False
    return True


async def list_shipments(call: Call) -> Response:
    """``GET /shipments``: the spec's filters; cursor paging as on ``GET /orders``."""
    query = dict(call.request.query_params)
    page_size_text = query.get("page_size", "40")
    if not page_size_text.isdigit() or not 1 <= int(page_size_text) <= 100:
        return single_error(
            400, "invalid", "Ensure this value is between 1 and 100.", parameter="page_size"
        )
    if "ids" in query and len(query["ids"].split(",")) > MAX_IDS:
        detail = f"Ensure this list has at most {MAX_IDS} items."
        return single_error(400, "invalid", detail, parameter="ids")
    times: dict[str, datetime] = {}
    for name in TIME_FILTERS:
        if name in query:
            moment = _parse_time(query[name])
            if moment is None:
                detail = "Enter a valid date/time (ISO 8601)."
                return single_error(400, "invalid", detail, parameter=name)
            times[name] = moment
    cursor = None
    if "cursor" in query:
        cursor = decode_cursor(query["cursor"])
        if cursor is None:
            return single_error(400, "invalid", "Invalid cursor", parameter="cursor")
    mine = set(call.account_integration_ids)
    found = [
        shipment
        for shipment in call.store.shipments.values()
        if shipment.integration_id in mine and _shipment_matches(call, shipment, query, times)
    ]
    found.sort(key=lambda shipment: int(shipment.id), reverse=True)  # newest first
    page = paginate(found, lambda shipment: int(shipment.id), cursor, int(page_size_text))
    base_query = {key: value for key, value in query.items() if key != "cursor"}
    headers: dict[str, str] = {}
    link = link_header(f"{call.api_root}/shipments", base_query, page)
    if link:
        headers["Link"] = link
    data = [shipment_body(call, shipment) for shipment in page.rows]
    return json_response({"data": data}, headers=headers)


CANCEL_DEADLINE = timedelta(days=42)


def _cancel_status(status: str, message: str, code: int) -> Response:
    return json_response({"data": {"status": status, "message": message}}, code)


async def cancel_shipment(call: Call) -> Response:
    """``POST /shipments/{id}/cancel``: 200 cancelled, 202 queued, 409 rejected, 404.

    Every parcel of the shipment is cancelled together (multicollo: cancelling one
    label cancels the whole shipment). An announced parcel is cancelled at once; a
    "ready to send" or in-transit one is queued ("Cancellation requested") and becomes
    "Cancelled" after ``cancellation_watch_seconds``. Either way it stops advancing.
    """
    shipment = _own_shipment(call)
    if shipment is None:
        return single_error(404, "not_found", "Not found")
    parcels = shipment.parcels
    step = call.state.settings.tracking_step_seconds
    current = [current_status(p, call.now, step).status for p in parcels]
    if any(p.cancel_requested_at is not None for p in parcels):
        return single_error(409, "invalid", "This shipment is already being cancelled.")
    if DELIVERED in current:
        return single_error(409, "invalid", "This shipment has been delivered.")
    if call.now - shipment.created_at > CANCEL_DEADLINE:
        detail = "This shipment was announced more than 42 days ago and can not be cancelled."
        return single_error(409, "invalid", detail)
    immediate = all(status in (ANNOUNCED, ANNOUNCEMENT_FAILED) for status in current)
    watch = timedelta(seconds=call.state.settings.cancellation_watch_seconds)
    for parcel in parcels:
        parcel.cancel_requested_at = call.now
        parcel.cancelled_at = call.now if immediate else call.now + watch
    call.state.webhooks.ensure_running()
    if immediate:
        return _cancel_status("cancelled", "Shipment has been cancelled", 200)
    return _cancel_status("queued", "Shipment cancellation has been queued", 202)


def _find_parcel(call: Call, tracking_number: str) -> tuple[Shipment, Parcel] | None:
    mine = set(call.account_integration_ids)
    for shipment in call.store.shipments.values():
        if shipment.integration_id not in mine:
            continue
        for parcel in shipment.parcels:
            if parcel.tracking_number == tracking_number:
                return shipment, parcel
    return None


async def parcel_tracking(call: Call) -> Response:
    """``GET /parcels/tracking/{tracking_number}``: the parcel and its status history.

    The spec answers this one unwrapped (no ``data``), with FastAPI-style errors.
    """
    tracking_number = call.params["tracking_number"]
    if not 1 <= len(tracking_number) <= 255:
        error = {
            "loc": ["path", "tracking_number"],
            "msg": "String should have at most 255 characters",
            "type": "string_too_long",
        }
        return json_response({"detail": [error]}, 422)
    found = _find_parcel(call, tracking_number)
    if found is None:
        return json_response({"detail": "Parcel does not exist"}, 404)
    shipment, parcel = found
    option = find_option(shipment.shipping_option_code)
    carrier = option.carrier_code if option else shipment.shipping_option_code.split(":")[0]
    events = statuses_reached(parcel, call.now, call.state.settings.tracking_step_seconds)
    if not events:
        events = [current_status(parcel, call.now, call.state.settings.tracking_step_seconds)]
    address = to_address(shipment)
    return json_response(
        {
            "announced_at": format_timestamp(parcel.created_at),
            "created_at": format_timestamp(parcel.created_at),
            "updated_at": format_timestamp(events[-1].entered_at),
            "source_id": shipment.order.order_id,
            "details": {
                "integration_id": shipment.integration_id,
                "is_return": False,
                "is_mail_box": False,
                "is_to_service_point": False,
            },
            "events": [
                {
                    "event_at": format_timestamp(event.entered_at),
                    "event_type": "internal" if event.status is READY_TO_SEND else "carrier",
                    "status_code": event.status.code,
                    "status_description": event.status.message,
                    "status_type": event.status.code,
                }
                for event in events
            ],
            "from_address": SENDER_ADDRESS,
            "to_address": {key: address[key] for key in TRACKING_ADDRESS_FIELDS if key in address},
            "ship_with": ship_with(shipment),
            "tracking_numbers": [
                {
                    "carrier_code": carrier,
                    "tracking_number": parcel.tracking_number,
                    "tracking_url": tracking_url(shipment, parcel),
                }
            ],
        }
    )


# ``ParcelTrackingAddress`` allows only these fields (additionalProperties: false).
TRACKING_ADDRESS_FIELDS = (
    "name",
    "company_name",
    "address_line_1",
    "address_line_2",
    "house_number",
    "postal_code",
    "city",
    "country_code",
    "state_province_code",
    "email",
    "phone_number",
    "po_box",
)
# The account's sender address is not simulated; every parcel leaves from here.
SENDER_ADDRESS = {
    "name": "Sandbox Shop",
    "address_line_1": "Stadhuisplein",
    "house_number": "10",
    "postal_code": "5611EM",
    "city": "Eindhoven",
    "country_code": "NL",
}


def _accepted_mime(accept: str | None) -> str | None:
    """The first supported type in ``Accept``; PDF when absent or ``*/*``."""
    if not accept:
        return PDF
    for part in accept.split(","):
        media = part.split(";")[0].strip().lower()
        if media in MIME_TYPES:
            return media
        if media in ("*/*", "application/*"):
            return PDF
    return None


async def parcel_document(call: Call) -> Response:
    kind = call.params["type"]
    if kind not in DOCUMENT_TYPES:
        return single_error(
            400, "invalid", f"Invalid document type {kind}", title="InvalidType", parameter="type"
        )
    raw_id = call.params["id"]
    parcel = call.store.parcels.get(int(raw_id)) if raw_id.isdigit() else None
    shipment = call.store.shipments.get(parcel.shipment_id) if parcel else None
    if (
        parcel is None
        or shipment is None
        or shipment.integration_id not in call.account_integration_ids
    ):
        return not_found()
    if kind != "label" or parcel.announcement_failed:
        return not_found(f"No {kind} document is available for parcel {parcel.id}.")
    mime_type = _accepted_mime(call.request.headers.get("accept"))
    if mime_type is None:
        return single_error(406, "not_acceptable", "Could not satisfy the request Accept header.")
    dpi_text = call.request.query_params.get("dpi", str(DEFAULT_DPI[mime_type]))
    if not dpi_text.isdigit() or int(dpi_text) not in VALID_DPI[mime_type]:
        return single_error(
            400, "invalid", f"DPI {dpi_text} is not valid for {mime_type}", parameter="dpi"
        )
    paper_size = call.request.query_params.get("paper_size", "A6").upper()
    if paper_size not in PAPER_SIZES:
        return single_error(
            400, "invalid", f"Invalid paper size {paper_size}", parameter="paper_size"
        )
    content = label_for(shipment, parcel, mime_type, int(dpi_text), paper_size)
    return Response(content, media_type=mime_type)
