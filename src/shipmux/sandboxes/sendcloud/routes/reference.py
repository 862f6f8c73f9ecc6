"""Auth metadata, shipping options and the parcel status list."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.responses import Response

from shipmux.sandboxes.kit.jsonio import InvalidJson, json_response, read_json
from shipmux.sandboxes.sendcloud.catalogue import CATALOGUE, option_body
from shipmux.sandboxes.sendcloud.context import Call
from shipmux.sandboxes.sendcloud.errors import invalid, single_error
from shipmux.sandboxes.sendcloud.tracking import ALL_STATUSES

GRAMS_PER_UNIT = {
    "kg": Decimal(1),
    "g": Decimal("0.001"),
    "lbs": Decimal("0.45359237"),
    "oz": Decimal("0.028349523125"),
}


async def metadata(call: Call) -> Response:
    """``GET /user/auth/metadata`` (spec example ``RetrieveUserBasicAuth``)."""
    integration = call.integration
    return json_response(
        {"data": {"user_id": integration.user_id, "integration_id": integration.integration_id}}
    )


async def parcel_statuses(call: Call) -> Response:
    return json_response(
        {"data": [{"code": status.code, "message": status.message} for status in ALL_STATUSES]}
    )


def _heaviest_parcel_kg(parcels: Any) -> Decimal | None:
    """The heaviest parcel in kilograms; ``ValueError`` for a weight that is not one."""
    if not isinstance(parcels, list):
        return None
    heaviest: Decimal | None = None
    for parcel in parcels:
        weight = parcel.get("weight") if isinstance(parcel, dict) else None
        if not isinstance(weight, dict):
            continue
        factor = GRAMS_PER_UNIT.get(str(weight.get("unit", "kg")))
        try:
            value = Decimal(str(weight.get("value")))
        except InvalidOperation as exc:
            raise ValueError("weight") from exc
        if factor is None or not value.is_finite():
            raise ValueError("weight")
        kilograms = value * factor
        heaviest = kilograms if heaviest is None else max(heaviest, kilograms)
    return heaviest


async def shipping_options(call: Call) -> Response:
    """``POST /shipping-options``: the catalogue, filtered; quotes only with a country."""
    try:
        body = await read_json(call.request)
    except InvalidJson as exc:
        return single_error(400, "parse_error", f"JSON parse error - {exc}")
    filters: dict[str, Any] = body if isinstance(body, dict) else {}
    try:
        weight = _heaviest_parcel_kg(filters.get("parcels"))
    except ValueError:
        return invalid("Input should be a valid decimal", "/parcels")
    from_country = filters.get("from_country_code")
    to_country = filters.get("to_country_code")
    wanted = {
        "code": filters.get("shipping_option_code"),
        "carrier_code": filters.get("carrier_code"),
        "contract_id": filters.get("contract_id"),
    }
    quote = bool(filters.get("calculate_quotes")) and bool(from_country or to_country)
    found = []
    for option in CATALOGUE:
        if wanted["code"] and option.code != wanted["code"]:
            continue
        if wanted["carrier_code"] and option.carrier_code != wanted["carrier_code"]:
            continue
        if wanted["contract_id"] and option.contract_id != wanted["contract_id"]:
            continue
        if weight is not None and weight > option.max_weight_kg:
            continue
        if not option.serves(from_country, to_country):
            continue
        found.append(option_body(option, weight, quote))
    return json_response({"data": found})
