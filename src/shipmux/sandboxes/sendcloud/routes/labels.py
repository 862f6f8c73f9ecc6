"""Ship an Order: ``POST /orders/create-label-sync`` and ``/orders/create-labels-async``.

Each call turns a saved order into a shipment with one parcel (or one per entry of
``parcels``, multicollo), each with a carrier tracking number and a label. A failed
carrier announcement is still a 201/202: the parcel is ``ANNOUNCEMENT_FAILED``, has no
label, and ``errors`` carries ``parcel_announcement_error`` (the shape of the spec's
``DomesticSingleParcelShipmentAnnouncementFailed`` example). It happens for the
catalogue's ``sandbox:announcement-failure`` option or by ``announcement_failure_rate``.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.responses import Response

from shipmux.sandboxes.kit.jsonio import InvalidJson, json_response, read_json
from shipmux.sandboxes.sendcloud.catalogue import (
    ANNOUNCEMENT_FAILURE_CODE,
    ShippingOption,
    default_option,
    find_option,
)
from shipmux.sandboxes.sendcloud.context import Call
from shipmux.sandboxes.sendcloud.documents import DEFAULT_DPI, MIME_TYPES, PDF, VALID_DPI
from shipmux.sandboxes.sendcloud.errors import error_object, errors_response, single_error
from shipmux.sandboxes.sendcloud.label_files import label_for
from shipmux.sandboxes.sendcloud.parcel_views import documents, ship_with, tracking_url
from shipmux.sandboxes.sendcloud.store import Order, Shipment

MAX_ASYNC_ORDERS = 20
ANNOUNCEMENT_ERROR = "Service error: An error occurred while connecting to the carrier."
TRACKING_PREFIX = {"postnl": "3SSBX", "dhl": "JVGL", "dpd": "0130", "sandbox": "SBX"}


@dataclass(frozen=True, slots=True)
class Refusal:
    status: int
    code: str
    detail: str
    pointer: str

    def error(self) -> dict[str, Any]:
        return error_object(self.status, self.code, self.detail, pointer=self.pointer)

    def response(self) -> Response:
        return errors_response(self.status, [self.error()])


def _find_order(call: Call, integration_id: int, selector: Any, pointer: str) -> Order | Refusal:
    if not isinstance(selector, dict):
        return Refusal(400, "invalid", "Input should be a valid dictionary", pointer)
    for key in ("order_id", "order_number"):
        value = selector.get(key)
        if value is not None and not isinstance(value, str):
            return Refusal(400, "invalid", "Input should be a valid string", f"{pointer}/{key}")
    if not selector.get("order_id") and not selector.get("order_number"):
        return Refusal(400, "invalid", "Field required", f"{pointer}/order_id")
    for order in sorted(call.store.orders.values(), key=lambda o: o.id, reverse=True):
        version = order.visible(call.now)
        if order.integration_id != integration_id or version is None:
            continue
        if selector.get("order_id") and order.order_id != selector["order_id"]:
            continue
        if (
            selector.get("order_number")
            and version.body.get("order_number") != selector["order_number"]
        ):
            continue
        return order
    return Refusal(
        404, "not_found", "The order could not be found with the search criteria given", pointer
    )


def _option(
    call: Call, request_ship_with: Any, order: Order
) -> tuple[ShippingOption, int | None] | Refusal:
    body = order.visible(call.now)
    assert body is not None
    order_ship_with = (body.body.get("shipping_details") or {}).get("ship_with")
    chosen = request_ship_with if isinstance(request_ship_with, dict) else order_ship_with
    if isinstance(chosen, dict):
        properties = chosen.get("properties") or {}
        code = properties.get("shipping_option_code")
        option = find_option(code) if isinstance(code, str) else None
        if option is None:
            return Refusal(
                400,
                "invalid",
                f"Shipping option {code} does not exist",
                "/data/attributes/ship_with/properties/shipping_option_code",
            )
        contract = properties.get("contract_id")
        return option, contract if isinstance(contract, int) else option.contract_id
    to_country = str((body.body.get("shipping_address") or {}).get("country_code", "NL"))
    option = default_option("NL", to_country)
    return option, option.contract_id


def _weight_kg(order: Order, parcel: Any) -> str:
    weight = parcel.get("weight") if isinstance(parcel, dict) else None
    if not isinstance(weight, dict):
        measurement = (order.latest.get("shipping_details") or {}).get("measurement") or {}
        weight = measurement.get("weight")
    if isinstance(weight, dict):
        try:
            value = Decimal(str(weight.get("value")))
            factor = {"kg": Decimal(1), "g": Decimal("0.001")}.get(
                str(weight.get("unit")), Decimal(1)
            )
            return f"{value * factor:.3f}"
        except InvalidOperation:
            pass
    return "1.000"


def _ship(
    call: Call, order: Order, option: ShippingOption, contract_id: int | None, parcels: list[Any]
) -> Shipment:
    state = call.state
    shipment = call.store.new_shipment(order, option.code, contract_id, call.now)
    shipment.api_root = call.api_root
    failed = option.code == ANNOUNCEMENT_FAILURE_CODE or state.roll(
        state.settings.announcement_failure_rate
    )
    for parcel_spec in parcels or [None]:
        prefix = TRACKING_PREFIX.get(option.carrier_code, "SC")
        tracking = f"{prefix}{call.store.next_parcel_id:010d}"
        parcel = call.store.new_parcel(shipment, tracking, _weight_kg(order, parcel_spec), call.now)
        parcel.announcement_failed = failed
    if failed:
        shipment.errors = [
            {"status": "500", "code": "parcel_announcement_error", "detail": ANNOUNCEMENT_ERROR}
        ]
    return shipment


def _integration_id(call: Call, body: dict[str, Any]) -> int | Refusal:
    value = body.get("integration_id")
    pointer = "/data/attributes/integration_id"
    if value is None:
        return Refusal(400, "invalid", "Field required", pointer)
    if isinstance(value, bool) or not isinstance(value, int):
        return Refusal(400, "invalid", "Input should be a valid integer", pointer)
    if value not in call.account_integration_ids:
        return Refusal(400, "invalid", f"Integration with id {value} does not exist", pointer)
    return value


def _label_format(body: dict[str, Any]) -> tuple[str, int] | Refusal:
    details = body.get("label_details") or {}
    mime_type = details.get("mime_type", PDF) if isinstance(details, dict) else PDF
    if mime_type not in MIME_TYPES:
        listed = ", ".join(f"'{m}'" for m in MIME_TYPES)
        return Refusal(
            400, "invalid", f"Input should be {listed}", "/data/attributes/label_details/mime_type"
        )
    dpi = details.get("dpi", DEFAULT_DPI[mime_type]) if isinstance(details, dict) else 72
    if dpi not in VALID_DPI[mime_type]:
        return Refusal(
            400,
            "invalid",
            f"DPI {dpi} is not valid for {mime_type}",
            "/data/attributes/label_details/dpi",
        )
    return mime_type, int(dpi)


async def _body(call: Call) -> dict[str, Any] | Response:
    try:
        body = await read_json(call.request)
    except InvalidJson as exc:
        return single_error(400, "parse_error", f"JSON parse error - {exc}")
    if not isinstance(body, dict):
        return single_error(400, "invalid", "Input should be a valid dictionary", pointer="/data")
    return body


def _record(order: Order, kind: str, shipment: Shipment) -> None:
    order.label_requests.append(
        {
            "kind": kind,
            "shipment_id": shipment.id,
            "parcel_ids": [p.id for p in shipment.parcels],
            "shipping_option_code": shipment.shipping_option_code,
        }
    )


async def create_label_sync(call: Call) -> Response:
    body = await _body(call)
    if isinstance(body, Response):
        return body
    integration_id = _integration_id(call, body)
    label_format = _label_format(body)
    for refusal in (integration_id, label_format):
        if isinstance(refusal, Refusal):
            return refusal.response()
    assert isinstance(integration_id, int)
    assert isinstance(label_format, tuple)
    selector = body.get("order")
    # The spec's own examples also send ``order`` (or ``orders``) as a one-item list.
    selector = selector if selector is not None else body.get("orders")
    if isinstance(selector, list) and len(selector) == 1:
        selector = selector[0]
    order = _find_order(call, integration_id, selector, "/data/attributes/order")
    if isinstance(order, Refusal):
        return order.response()
    option = _option(call, body.get("ship_with"), order)
    if isinstance(option, Refusal):
        return option.response()
    shipment = _ship(call, order, option[0], option[1], [])
    shipment.mime_type, shipment.dpi = label_format
    _record(order, "sync", shipment)
    parcel = shipment.parcels[0]
    data: dict[str, Any] = {
        "parcel_id": parcel.id,
        "shipment_id": shipment.id,
        "order_id": order.order_id,
        "order_number": order.latest.get("order_number"),
        "ship_with": ship_with(shipment),
        "tracking_number": parcel.tracking_number,
        "tracking_url": tracking_url(shipment, parcel),
        "label_details": None,
        "documents": documents(shipment, parcel),
    }
    if parcel.announcement_failed:
        data["status"] = {"code": "ANNOUNCEMENT_FAILED", "message": "Announcement failed"}
        data["errors"] = shipment.errors
    else:
        file = label_for(shipment, parcel, label_format[0], label_format[1], "A6")
        data["label_details"] = {
            "file": base64.b64encode(file).decode(),
            "mime_type": label_format[0],
            "dpi": label_format[1],
        }
    return json_response({"data": data}, 201)


async def create_labels_async(call: Call) -> Response:
    body = await _body(call)
    if isinstance(body, Response):
        return body
    integration_id = _integration_id(call, body)
    if isinstance(integration_id, Refusal):
        return integration_id.response()
    selectors = body.get("orders")
    if not isinstance(selectors, list) or not 1 <= len(selectors) <= MAX_ASYNC_ORDERS:
        detail = f"List should have at least 1 item and at most {MAX_ASYNC_ORDERS} items"
        return single_error(400, "invalid", detail, pointer="/data/attributes/orders")
    data: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for index, selector in enumerate(selectors):
        pointer = f"/data/attributes/orders/[{index}]"
        order = _find_order(call, integration_id, selector, pointer)
        option = (
            order if isinstance(order, Refusal) else _option(call, body.get("ship_with"), order)
        )
        if isinstance(option, Refusal):
            errors.append(Refusal(option.status, option.code, option.detail, pointer).error())
            continue
        assert isinstance(order, Order)
        parcels = selector.get("parcels") if isinstance(selector.get("parcels"), list) else []
        shipment = _ship(call, order, option[0], option[1], parcels)
        _record(order, "async", shipment)
        ids = [parcel.id for parcel in shipment.parcels]
        data.append(
            {
                "parcel_id": ids[0],
                "parcels_ids": ids,
                "shipment_id": shipment.id,
                "order_id": order.order_id,
                "order_number": order.latest.get("order_number"),
                "ship_with": ship_with(shipment),
            }
        )
    answer: dict[str, Any] = {"data": data}
    if errors:
        answer["errors"] = errors
    return json_response(answer, 202)
