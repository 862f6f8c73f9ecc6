"""``GET /countries`` and ``GET /services``: bare JSON arrays (research §3.4, §3.5)."""

from __future__ import annotations

from starlette.responses import Response

from shipmux.sandboxes.kit.jsonio import json_response
from shipmux.sandboxes.parcel2go.context import Call
from shipmux.sandboxes.parcel2go.countries import country_rows
from shipmux.sandboxes.parcel2go.services import SERVICES, service_body


async def get_countries(call: Call) -> Response:
    return json_response(country_rows())


async def get_services(call: Call) -> Response:
    return json_response([service_body(service) for service in SERVICES])
