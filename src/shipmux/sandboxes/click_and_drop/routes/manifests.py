"""Manifests: manifest every eligible order, fetch a manifest, retry one.

Eligible (spec): orders in 'Label Generated' and 'Despatched' statuses. With
``manifest_pdf_delay_seconds`` > 0 the PDF is "not yet available": 202 now, and
``GET /manifests/{n}`` says "In Progress" until the simulated clock passes the delay.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from starlette.responses import Response

from shipmux.sandboxes.click_and_drop import lifecycle
from shipmux.sandboxes.click_and_drop.context import Call
from shipmux.sandboxes.click_and_drop.documents import render_manifest
from shipmux.sandboxes.click_and_drop.errors import manifest_errors
from shipmux.sandboxes.click_and_drop.store import MANIFESTABLE, Manifest
from shipmux.sandboxes.kit.jsonio import InvalidJson, json_response, read_json


def _error(status_code: int, code: str, description: str) -> Response:
    return json_response(manifest_errors(code, description), status_code)


def _carrier_name(payload: Any) -> str | None:
    if payload is None:
        return None
    if not isinstance(payload, Mapping):
        raise ValueError("The request body must be an object.")
    name = payload.get("carrierName")
    if name is not None and not isinstance(name, str):
        raise ValueError("The field carrierName must be a string.")
    return name


def _document(call: Call, manifest: Manifest) -> str | None:
    """The manifest PDF as base64 once it is ready (rendered once, then kept)."""
    if call.now < manifest.pdf_ready_on:
        return None
    if manifest.document_pdf is None:
        orders = [
            order
            for number in manifest.order_identifiers
            if (order := call.account.orders.get(number)) is not None
        ]
        manifest.document_pdf = render_manifest(
            manifest.number, manifest.carrier_name, manifest.created_on, orders
        )
    return base64.b64encode(manifest.document_pdf).decode("ascii")


def _created(call: Call, manifest: Manifest) -> Response:
    pdf = _document(call, manifest)
    return json_response(
        {"manifestNumber": manifest.number, "documentPdf": pdf}, 201 if pdf else 202
    )


async def manifest_eligible(call: Call) -> Response:
    try:
        carrier = _carrier_name(await read_json(call.request))
    except (InvalidJson, ValueError) as exc:
        return _error(400, "InvalidRequest", str(exc))
    account = call.account
    if carrier is not None and carrier.lower() != account.carrier_name.lower():
        return _error(400, "InvalidCarrierName",
                      f"No carrier named '{carrier}' is configured for this account.")  # fmt: skip
    eligible = [o for _, o in sorted(account.orders.items()) if o.status in MANIFESTABLE]
    if not eligible:
        return _error(400, "NoEligibleOrders", "There are no orders eligible for manifesting.")
    number = account.allocate_manifest_number()
    for order in eligible:
        lifecycle.manifest(order, number, call.now)
    delay = timedelta(seconds=call.state.settings.manifest_pdf_delay_seconds)
    manifest = Manifest(
        number=number,
        carrier_name=account.carrier_name,
        created_on=call.now,
        pdf_ready_on=call.now + delay,
        order_identifiers=[order.identifier for order in eligible],
    )
    account.manifests[number] = manifest
    return _created(call, manifest)


def _manifest(call: Call) -> Manifest | Response:
    raw = call.params["manifest"]
    if not raw.isascii() or not raw.isdigit():
        return _error(
            400, "InvalidManifestIdentifier", "The manifest identifier must be an integer."
        )
    manifest = call.account.manifests.get(int(raw))
    if manifest is None:
        return _error(404, "ManifestNotFound", f"Manifest '{raw}' was not found.")
    return manifest


async def get_manifest(call: Call) -> Response:
    manifest = _manifest(call)
    if isinstance(manifest, Response):
        return manifest
    pdf = _document(call, manifest)
    return json_response(
        {
            "manifestNumber": manifest.number,
            "status": "Completed" if pdf else "In Progress",
            "documentPdf": pdf,
        }
    )


async def retry_manifest(call: Call) -> Response:
    # Sandbox manifests never fail part-way, so a retry answers like the original call.
    manifest = _manifest(call)
    if isinstance(manifest, Response):
        return manifest
    return _created(call, manifest)
