"""``GET /tracking/{OrderLineId}`` (ADR 0006 §10): stages computed from the clock.

Any authenticated client may track a P2G number, as on Parcel2Go's public tracking page.
Before payment there are no events (an empty ``Results``, as the official plugin expects).
"""

from __future__ import annotations

from starlette.responses import Response

from shipmux.sandboxes.kit.jsonio import json_response
from shipmux.sandboxes.parcel2go.context import Call
from shipmux.sandboxes.parcel2go.errors import message
from shipmux.sandboxes.parcel2go.tracking import DELIVERED, events_reached
from shipmux.sandboxes.parcel2go.webhooks.signing import wire_timestamp


async def get_tracking(call: Call) -> Response:
    found = call.state.store.find_line(call.params["OrderLineId"])
    if found is None:
        return message(404, "No tracking information was found for this order line.")
    order, line = found
    step = call.state.settings.tracking_step_seconds
    events = events_reached(line.service, order.paid_at, call.now, step)
    latest = events[-1].definition.stage if events else None
    results = [
        {
            "Timestamp": wire_timestamp(event.entered_at),
            "Stage": event.definition.stage,
            "StatusCode": event.definition.status_code,
            "Description": event.definition.description,
            "Details": f"{line.service.courier_name}: {event.definition.description}",
            "Location": event.definition.location,
        }
        for event in reversed(events)
    ]
    return json_response(
        {
            "OrderLineId": line.order_line_id,
            "Stage": latest,
            "Delivered": latest == DELIVERED.stage,
            "TrackingNumber": None,
            "Results": results,
        }
    )
