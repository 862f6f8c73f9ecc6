"""``GET /shipments/{id}`` and ``GET /parcels/{id}/documents/{type}`` (labels as files)."""

from __future__ import annotations

from starlette.responses import Response

from shipmux.sandboxes.kit.jsonio import json_response
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
from shipmux.sandboxes.sendcloud.parcel_views import (
    order_number,
    parcel_body,
    ship_with,
    to_address,
)
from shipmux.sandboxes.sendcloud.tracking import current_status

DOCUMENT_TYPES = ("label", "customs-declaration", "air-waybill")


async def retrieve_shipment(call: Call) -> Response:
    shipment = call.store.shipments.get(call.params["id"])
    if shipment is None or shipment.integration_id not in call.account_integration_ids:
        return not_found()
    step = call.state.settings.tracking_step_seconds
    return json_response(
        {
            "data": {
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
        }
    )


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
