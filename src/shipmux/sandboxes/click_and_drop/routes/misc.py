"""Version (no auth), carriers, and the returns endpoints (OBA only)."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from starlette.responses import Response

from shipmux.sandboxes.click_and_drop.context import Call, SandboxState
from shipmux.sandboxes.click_and_drop.documents import png_bytes, qr_modules, render_return_label
from shipmux.sandboxes.click_and_drop.errors import error_response
from shipmux.sandboxes.click_and_drop.ordering import OBA_ONLY
from shipmux.sandboxes.click_and_drop.schemas import CREATE_RETURN_REQUEST
from shipmux.sandboxes.click_and_drop.validation import check
from shipmux.sandboxes.kit.clock import format_timestamp
from shipmux.sandboxes.kit.jsonio import InvalidJson, json_response, read_json

RELEASE_DATE = datetime(2026, 1, 22, 10, 20, 54, tzinfo=UTC)
SANDBOX_NAMESPACE = uuid.UUID("6f1d2c52-4a39-4c1e-9a55-0c8f3b1d7e10")
# Spec example of GET /returns/services.
RETURN_SERVICES = (
    {
        "carrierGuid": "e90e87c8-4ea6-49ec-a387-64ba37f66d84",
        "carrierServiceGuid": "3824a10c-1a2b-4e66-b82f-efa236a86cd9",
        "serviceName": "Tracked Returns 24",
        "serviceCode": "TSN",
    },
    {
        "carrierGuid": "e90e87c8-4ea6-49ec-a387-64ba37f66d84",
        "carrierServiceGuid": "262a663e-633c-4507-a834-fa69a6b7d112",
        "serviceName": "Tracked Returns 48",
        "serviceCode": "TSS",
    },
)


async def get_version(state: SandboxState) -> Response:
    return json_response(
        {
            "commit": "0000000000000000000000000000000000000000",
            "build": "sandbox",
            "release": "shipmux-click-and-drop-sandbox",
            "releaseDate": format_timestamp(RELEASE_DATE),
        }
    )


async def get_carriers(call: Call) -> Response:
    name = call.account.carrier_name
    guid = uuid.uuid5(SANDBOX_NAMESPACE, f"{call.account.fingerprint}/{name}")
    return json_response(
        [
            {
                "carrierGuid": str(guid),
                "carrierName": name,
                "carrierStatus": "Active",
                "carrierType": "RoyalMail",
            }
        ]
    )


def _oba_only(call: Call) -> Response | None:
    if call.account.is_oba:
        return None
    return json_response(error_response("Forbidden", OBA_ONLY), 403)


async def get_return_services(call: Call) -> Response:
    refused = _oba_only(call)
    if refused is not None:
        return refused
    return json_response({"services": [dict(service) for service in RETURN_SERVICES]})


def _return_problem(payload: Any) -> str | None:
    violations = check(payload, CREATE_RETURN_REQUEST, "")
    if payload is None or not isinstance(payload, Mapping):
        return "The request body must be a CreateReturnRequest object."
    if violations:
        return " ".join(v.message for v in violations)
    code = payload["service"]["serviceCode"]
    if code not in {service["serviceCode"] for service in RETURN_SERVICES}:
        return f"The return service '{code}' is not available for this account."
    return None


async def create_return(call: Call) -> Response:
    refused = _oba_only(call)
    if refused is not None:
        return refused
    try:
        payload = await read_json(call.request)
    except InvalidJson as exc:
        return json_response(error_response("InvalidJson", str(exc)), 400)
    problem = _return_problem(payload)
    if problem is not None:
        return json_response(error_response("ValidationFailed", problem), 400)
    tracking = call.state.store.tracking.issue_return()
    shipment = payload["shipment"]
    label = render_return_label(
        tracking,
        payload["service"]["serviceCode"],
        shipment["shippingAddress"],
        shipment["returnAddress"],
    )
    return json_response(
        {
            "shipment": {"trackingNumber": tracking, "uniqueItemId": tracking},
            "qrCode": base64.b64encode(png_bytes(qr_modules(tracking))).decode("ascii"),
            "label": base64.b64encode(label).decode("ascii"),
        }
    )
