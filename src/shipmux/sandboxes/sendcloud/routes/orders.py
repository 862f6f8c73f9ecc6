"""``/orders``: batch upsert, list with cursor paging, retrieve (spec "Orders").

Saving is asynchronous, as on the live API: a batch is answered at once, but each order
(or update) becomes readable ``order_save_delay_seconds`` of sandbox-clock time later.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from shipmux.sandboxes.kit.clock import format_timestamp
from shipmux.sandboxes.kit.jsonio import InvalidJson, json_response, read_json
from shipmux.sandboxes.sendcloud.catalogue import find_option
from shipmux.sandboxes.sendcloud.context import Call
from shipmux.sandboxes.sendcloud.errors import (
    PROCESSING_PREVIOUS,
    error_object,
    errors_response,
    invalid,
    not_found,
    single_error,
)
from shipmux.sandboxes.sendcloud.order_validation import Problems, validate_order
from shipmux.sandboxes.sendcloud.paging import decode_cursor, link_header, paginate
from shipmux.sandboxes.sendcloud.store import Order, OrderVersion

MAX_BATCH = 100
ORDER_NOT_FOUND = "The order could not be found with the search criteria given"


def order_body(order: Order, version: OrderVersion) -> dict[str, Any]:
    body = {key: value for key, value in version.body.items() if key != "id"}
    return {
        "id": str(order.id),  # a string in read responses (spec orders-order.id)
        "order_id": order.order_id,
        "order_number": body.pop("order_number", None),
        "created_at": format_timestamp(order.created_at),
        "modified_at": format_timestamp(version.effective_at),
        **{key: value for key, value in body.items() if key != "order_id"},
    }


def _explicit_targets(call: Call, batch: list[Any]) -> tuple[Problems, dict[int, Order]]:
    """Orders named by their Sendcloud ``id``, and the problems with those ids."""
    problems: Problems = []
    targets: dict[int, Order] = {}
    mine = set(call.account_integration_ids)
    for index, entry in enumerate(batch):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            continue
        pointer = f"/data/attributes/[{index}]"
        order = call.store.orders.get(int(entry["id"])) if entry["id"].isdigit() else None
        if order is None or order.integration_id not in mine:
            problems.append((f"{pointer}/id", f"Order with id {entry['id']} does not exist"))
        elif entry.get("order_id") != order.order_id:
            problems.append((f"{pointer}/order_id", f"Order id {order.order_id} cannot be changed"))
        else:
            targets[index] = order
    return problems, targets


async def upsert_orders(call: Call) -> Response:
    state = call.state
    try:
        batch = await read_json(call.request)
    except InvalidJson as exc:
        return single_error(400, "parse_error", f"JSON parse error - {exc}")
    if not isinstance(batch, list):
        return single_error(
            400,
            "non_field_errors",
            "Wrong request format, expected list of objects",
            title="Wrong format",
        )
    if len(batch) > MAX_BATCH:
        detail = f"Orders list should have at most {MAX_BATCH} items, not {len(batch)}"
        return invalid(detail, "/data/attributes/")
    busy_until = state.processing_until.get(call.integration.integration_id)
    if busy_until is not None and call.now < busy_until:
        if state.roll(state.settings.processing_conflict_rate):
            return invalid(PROCESSING_PREVIOUS, "/data")
    mine = call.account_integration_ids
    problems, targets = _explicit_targets(call, batch)
    integration_of: dict[int, int] = {}
    for index, entry in enumerate(batch):
        found, integration_id = validate_order(
            index,
            entry,
            integration_ids=mine,
            known_code=lambda code: find_option(code) is not None,
        )
        problems.extend(found)
        if integration_id is not None:
            integration_of[index] = integration_id
    if problems:
        # All-or-nothing: one bad order refuses the whole batch, every problem listed.
        return errors_response(
            400,
            [error_object(400, "invalid", detail, pointer=pointer) for pointer, detail in problems],
        )
    effective_at = call.now + state.save_delay
    answered: list[dict[str, Any]] = []
    for index, entry in enumerate(batch):
        integration_id = integration_of[index]
        order = targets.get(index) or call.store.find_order(integration_id, entry["order_id"])
        if order is None:
            order = call.store.new_order(integration_id, entry["order_id"], call.now)
        stored = {key: value for key, value in entry.items() if key != "id"}
        order.versions.append(OrderVersion(effective_at, stored))
        state.processing_until[integration_id] = effective_at
        answered.append(
            {"id": order.id, "order_id": order.order_id, "order_number": entry["order_number"]}
        )
    state.processing_until[call.integration.integration_id] = effective_at
    return json_response({"data": answered}, 201)


async def retrieve_order(call: Call) -> Response:
    raw = call.params["id"]
    order = call.store.orders.get(int(raw)) if raw.isdigit() else None
    version = None
    if order is not None and order.integration_id in call.account_integration_ids:
        version = order.visible(call.now)
    if order is None or version is None:
        return not_found(ORDER_NOT_FOUND)
    return json_response({"data": order_body(order, version)})


def _matches(order: Order, version: OrderVersion, query: dict[str, str]) -> bool:
    body = version.body
    details = body.get("order_details") or {}
    status = (details.get("status") or {}).get("code")
    checks = (
        ("integration", str(order.integration_id)),
        ("order_id", order.order_id),
        ("order_number", str(body.get("order_number"))),
        ("status", str(status)),
    )
    return all(query[name] == value for name, value in checks if name in query)


async def list_orders(call: Call) -> Response:
    query = dict(call.request.query_params)
    if "integration" in query:
        if query["integration"] not in {str(i) for i in call.account_integration_ids}:
            detail = (
                f"Select a valid choice. {query['integration']} is not one of the "
                "available choices."
            )
            return single_error(
                400, "invalid_choice", detail, title="Invalid Choice", parameter="integration"
            )
    page_size_text = query.get("page_size", "100")
    if not page_size_text.isdigit() or not 1 <= int(page_size_text) <= 200:
        return single_error(
            400, "invalid", "Ensure this value is between 1 and 200.", parameter="page_size"
        )
    cursor = None
    if "cursor" in query:
        cursor = decode_cursor(query["cursor"])
        if cursor is None:
            return single_error(400, "invalid", "Invalid cursor", parameter="cursor")
    visible: list[tuple[Order, OrderVersion]] = []
    for order in call.store.orders.values():
        version = order.visible(call.now)
        if version is None or order.integration_id not in call.account_integration_ids:
            continue
        if _matches(order, version, query):
            visible.append((order, version))
    # Default sort is -pk (spec ``sort``); only pk/-pk are simulated.
    visible.sort(key=lambda row: row[0].id, reverse=query.get("sort") != "pk")
    page = paginate(visible, lambda row: row[0].id, cursor, int(page_size_text))
    base_query = {key: value for key, value in query.items() if key != "cursor"}
    headers: dict[str, str] = {}
    link = link_header(f"{call.api_root}/orders", base_query, page)
    if link:
        headers["Link"] = link
    data = [order_body(order, version) for order, version in page.rows]
    return json_response({"data": data}, headers=headers)


def _visible_order(call: Call) -> tuple[Order, OrderVersion] | None:
    raw_id = call.params["id"]
    order = call.store.orders.get(int(raw_id)) if raw_id.isdigit() else None
    if order is None or order.integration_id not in call.account_integration_ids:
        return None
    version = order.visible(call.now)
    return None if version is None else (order, version)


async def delete_order(call: Call) -> Response:
    """``DELETE /orders/{id}``: 204, or 404 ``not_found`` (also while still saving)."""
    found = _visible_order(call)
    if found is None:
        return not_found(ORDER_NOT_FOUND)
    call.store.delete_order(found[0])
    return Response(status_code=204)


ITEM_NOT_FOUND = "Could not find specified item."


def _merge(base: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _merge_items(current: Any, changes: Any) -> list[Any] | None:
    """Items updated by ``name`` (spec: ``name`` picks the item); ``None`` if one is unknown."""
    if not isinstance(changes, list):
        return None
    items = [dict(item) for item in current] if isinstance(current, list) else []
    for change in changes:
        if not isinstance(change, dict):
            return None
        index = next(
            (i for i, item in enumerate(items) if item.get("name") == change.get("name")), None
        )
        if index is None:
            return None
        items[index] = _merge(items[index], change)
    return items


async def update_order(call: Call) -> Response:
    """``PATCH /orders/{id}``: partial update; ``order_items`` are matched on ``name``."""
    found = _visible_order(call)
    if found is None:
        return single_error(404, "not_found", ITEM_NOT_FOUND, title="Not found")
    order = found[0]
    try:
        change = await read_json(call.request)
    except InvalidJson as exc:
        return single_error(400, "parse_error", f"JSON parse error - {exc}")
    if not isinstance(change, dict):
        return single_error(
            400, "non_field_errors", "Wrong request format, expected an object", title="Invalid"
        )
    if "id" in change and str(change["id"]) != str(order.id):
        return invalid(f"Order id {change['id']} does not match the URL", "/id")
    if "order_id" in change and change["order_id"] != order.order_id:
        return invalid(f"Order id {order.order_id} cannot be changed", "/order_id")
    fields = {key: value for key, value in change.items() if key not in ("id", "order_id")}
    details = fields.get("order_details")
    items_change: Any = None
    if isinstance(details, dict) and "order_items" in details:
        items_change = details["order_items"]
        fields["order_details"] = {k: v for k, v in details.items() if k != "order_items"}
    body = _merge(order.latest, fields)  # on top of any update still saving
    if items_change is not None:
        old_details = body.get("order_details") or {}
        items = _merge_items(old_details.get("order_items"), items_change)
        if items is None:
            return single_error(
                400,
                "invalid",
                ITEM_NOT_FOUND,
                title="Invalid",
                pointer="order/order_details/order_items",
            )
        body["order_details"] = {**old_details, "order_items": items}
    order.versions.append(OrderVersion(call.now + call.state.save_delay, body))
    answer = {"id": order.id, "order_id": order.order_id, "order_number": body.get("order_number")}
    return json_response({"data": answer})
