"""The app as a whole: health, problems for framework errors, the 500 path, OpenAPI, mounts."""

from __future__ import annotations

import httpx
import pytest
from starlette.responses import PlainTextResponse
from starlette.types import Receive, Scope, Send
from structlog.testing import capture_logs

from shipmux.api import create_app
from shipmux.api.routes import orders as order_routes
from shipmux.services.context import HubContext
from tests.api.conftest import Tenant, api_client

pytestmark = pytest.mark.anyio


async def test_healthz_is_ok_while_the_database_answers(
    hub: HubContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with api_client(create_app(hub)) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        monkeypatch.setattr(hub.db, "ping", lambda: False)
        down = await client.get("/healthz")
    assert down.status_code == 503
    assert down.json()["code"] == "unavailable"


async def test_an_unknown_route_is_a_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "route_not_found"


async def test_a_wrong_method_is_405_listing_every_allowed_one(client: httpx.AsyncClient) -> None:
    response = await client.delete("/v1/orders")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert response.headers["allow"] == "GET, POST"


async def test_an_unexpected_error_is_a_500_problem_without_its_text(
    client: httpx.AsyncClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*_: object) -> None:
        raise RuntimeError("db password is hunter2")

    monkeypatch.setattr(order_routes, "get_order", explode)
    with capture_logs() as logs:
        response = await client.get("/v1/orders/ord_x", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "internal_error"
    assert problem["request_id"] == response.headers["x-request-id"] == "req-42"
    for leak in ("hunter2", "RuntimeError", "Traceback", "explode"):
        assert leak not in response.text
    # The log has the traceback, but not the caller's API key.
    (error,) = [entry for entry in logs if entry["event"] == "http.unhandled_error"]
    assert "hunter2" in error["traceback"]
    assert tenant.write_key not in repr(logs)


async def test_every_answer_carries_a_request_id(client: httpx.AsyncClient) -> None:
    first = await client.get("/healthz")
    second = await client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert len(first.headers["x-request-id"]) == 32
    assert second.headers["x-request-id"] not in ("", "bad id with spaces")


async def test_openapi_documents_both_body_shapes(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    assert document["info"]["title"] == "shipmux"
    create = document["paths"]["/v1/orders"]["post"]
    schema = create["requestBody"]["content"]["application/json"]["schema"]
    refs = {option["$ref"].rsplit("/", 1)[-1] for option in schema["oneOf"]}
    assert refs == {"Order", "OrderBatchIn"}
    assert refs <= set(document["components"]["schemas"])
    assert "Problem" in document["components"]["schemas"]
    assert create["operationId"] == "createOrders"
    assert (await client.get("/docs")).status_code == 200


async def test_extra_mounts_are_served(hub: HubContext, tenant: Tenant) -> None:
    async def sandbox(scope: Scope, receive: Receive, send: Send) -> None:
        await PlainTextResponse(f"sandbox saw {scope['path']}")(scope, receive, send)

    async with api_client(create_app(hub, extra_mounts={"/sandbox": sandbox})) as client:
        response = await client.get("/sandbox/click-and-drop/api/v1/version")
    assert response.text == "sandbox saw /sandbox/click-and-drop/api/v1/version"
