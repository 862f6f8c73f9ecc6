"""The body and headers of one Clickpost tracking webhook (_track.md, research §2.6).

The outer fields describe the scan that triggered the webhook; ``additional.latest_status``
is the shipment's latest state when it is sent, so several webhooks sent together all
carry the same latest status, as Clickpost's best-practice page describes.

Two fields come from the seed and appear in no Clickpost document (research §2.6 "Not
found"): ``order_status_id`` (the id to dedupe on; equal to the scan's ``checkpoint_id``
and the same on every retry and duplicate) and ``latest_time_stamp``.
"""

from __future__ import annotations

from typing import Any

from shipmux.sandboxes.clickpost.store import SELECTED_STATUS_SERVICE, Account, Order
from shipmux.sandboxes.clickpost.tracking import Scan, webhook_timestamp

# docs.clickpost.ai notification-event table: clickpost_status_code -> event id, for the
# "selected status" webhooks (service_id 15). Codes not listed are not sent there.
NOTIFICATION_EVENTS = {25: 1, 4: 2, 5: 2, 6: 3, 9: 4, 8: 5, 10: 10}


def wanted(account: Account, scan: Scan) -> bool:
    if account.webhook_service_id != SELECTED_STATUS_SERVICE:
        return True
    return scan.stage.code in NOTIFICATION_EVENTS


def webhook_body(account: Account, order: Order, scan: Scan, latest: Scan) -> dict[str, Any]:
    latest_fields = latest.fields(webhook_timestamp(latest.at))
    latest_fields["reference_number"] = order.reference_number
    additional: dict[str, Any] = {
        "latest_status": latest_fields,
        "is_rvp": order.is_rvp,
        "courier_partner_edd": None,
        "order_id": (order.payload.get("additional") or {}).get("order_id"),
    }
    if account.webhook_service_id == SELECTED_STATUS_SERVICE:
        additional["notification_event_id"] = NOTIFICATION_EVENTS[scan.stage.code]
    outer = scan.fields(webhook_timestamp(scan.at))
    del outer["clickpost_status_bucket"], outer["clickpost_status_bucket_description"]
    return {
        "waybill": order.waybill,
        "cp_id": order.courier_partner_id,
        **outer,
        "additional": additional,
        "order_status_id": scan.checkpoint_id,
        "latest_time_stamp": webhook_timestamp(latest.at),
    }


def webhook_headers(account: Account) -> dict[str, str]:
    """``webhook_key: <key>``, or ``Authorization: <token>`` under basic token auth."""
    key = account.webhook_key or ""
    if account.webhook_auth == "basic_token":
        return {"Authorization": account.webhook_token or key}
    return {"webhook_key": key}
