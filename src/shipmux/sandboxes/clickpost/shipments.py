"""Calls on a manifested shipment: cancel, fetch its label, track it (v2 polling)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from shipmux.sandboxes.clickpost.context import Call
from shipmux.sandboxes.clickpost.couriers import courier_partner_id
from shipmux.sandboxes.clickpost.envelope import answer, failure
from shipmux.sandboxes.clickpost.ordering import label_url
from shipmux.sandboxes.clickpost.store import Order
from shipmux.sandboxes.clickpost.tracking import DELIVERED_CODE, Scan, polling_timestamp, scans_at


def _shipment(call: Call, waybill: str, courier: int | None) -> Order | None:
    """The caller's shipment with that waybill, once the courier has answered for it."""
    order = call.state.store.by_waybill(call.account.username, waybill)
    if order is None or not order.is_ready(call.now):
        return None
    if courier is not None and order.courier_partner_id != courier:
        return None
    return order


def _courier_param(call: Call) -> tuple[int | None, Response | None]:
    raw = call.query("cp_id")
    if not raw:
        return None, None
    courier = courier_partner_id(raw)
    return courier, (failure(302) if courier is None else None)


async def cancel_order(call: Call) -> Response:
    """_cancellation.md: 200 SUCCESS, 600 already cancelled, 350 courier refuses."""
    waybill = call.query("waybill")
    if not waybill:
        return failure(400, "waybill is required")
    courier, refusal = _courier_param(call)
    if refusal is not None:
        return refusal
    order = _shipment(call, waybill, courier)
    if order is None:
        return failure(330, waybill)
    if order.cancelled_at is not None:
        return answer(600, None, success=False)
    scans = scans_at(order, call.now, call.state.settings.tracking_step_seconds)
    if scans and scans[-1].stage.code == DELIVERED_CODE:
        return failure(350, f"shipment {waybill} is already delivered")
    order.cancelled_at = call.now
    return answer(200, None, message="SUCCESS")


async def fetch_label(call: Call) -> Response:
    """_shipping_label.md: the label's URL; ``regenerate=true`` makes a new one."""
    waybill = call.query("waybill")
    if not waybill:
        return failure(400, "waybill is required")
    courier, refusal = _courier_param(call)
    if refusal is not None:
        return refusal
    order = _shipment(call, waybill, courier)
    if order is None:
        return failure(330, waybill)
    if order.is_rvp:
        return failure(400, "no label is generated for RVP shipments")
    if (call.query("regenerate") or "").lower() == "true":
        order.label_version += 1
    order.wants_label = True
    return answer(200, {"shipping_label": label_url(call.root, order)}, message="SUCCESS")


def _scan_body(scan: Scan, tracking_id: int) -> dict[str, Any]:
    return {
        **scan.fields(polling_timestamp(scan.at)),
        "tracking_id": tracking_id,
        "checkpoint_id": scan.checkpoint_id,
    }


def _tracking_record(call: Call, order: Order | None) -> dict[str, Any]:
    if order is None:
        return {"valid": False}
    scans = scans_at(order, call.now, call.state.settings.tracking_step_seconds)
    latest = scans[-1]
    return {
        "latest_status": latest.fields(polling_timestamp(latest.at)),
        "additional": {
            "is_stuck": False,
            "order_detail": [],
            "courier_partner_edd": None,
            "rto_intransit_timestamp": None,
        },
        "scans": [_scan_body(scan, order.order_id) for scan in reversed(scans)],
        "valid": True,
    }


async def track_order(call: Call) -> Response:
    """_track.md "Tracking AWB Using Polling": one record per comma-separated waybill."""
    raw = call.query("waybill")
    waybills = [w.strip() for w in (raw or "").split(",") if w.strip()]
    if not waybills:
        return failure(400, "waybill is required")
    limit = call.state.settings.track_max_waybills
    if len(waybills) > limit:
        return failure(400, f"you can query upto {limit} waybills in one request")
    courier = courier_partner_id(call.query("cp_id"))
    if courier is None:
        return failure(302)
    result = {w: _tracking_record(call, _shipment(call, w, courier)) for w in waybills}
    return answer(200, result, message="SUCCESS")
