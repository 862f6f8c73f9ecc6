"""Carrier webhooks: ``POST /webhooks/{carrier}/{account_id}`` (and ``/v1/webhooks/...``).

One path for every carrier that pushes; the carrier's package checks and reads the
request (``CarrierEntry.read_webhook``). No API key: each carrier proves itself with
its own signature or key, checked against the account's webhook secret.

Answers 200 only once the receipt (raw body, headers, parsed events) is committed;
401 when not authentic (bad signature or key, stale, malformed); 409 for a replayed
id where the carrier asks replays to be refused; 404 for an account that takes no
webhooks; 413 over ``MAX_WEBHOOK_BYTES``; 405 for any method but POST. Every refusal
is recorded and counted.

Plain ASGI in front of FastAPI, not a FastAPI route (ADR 0009): carriers push in
bursts, and FastAPI's route matching, dependency solving and response validation
cost several times the work of taking a webhook. It still answers in the API's
terms: problem+json with stable codes, an ``X-Request-ID``, a log line per request,
never a stack trace. The OpenAPI document describes it (``openapi_paths``).
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import parse_qsl

from pydantic import BaseModel
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from shipmux import carriers
from shipmux.api.errors import error_problem, problem_response
from shipmux.api.middleware import assign_request_id, internal_error, log_request, log_unhandled
from shipmux.api.schemas.common import problem_responses
from shipmux.carriers.base import WebhookRequest
from shipmux.domain.errors import ShipmuxError
from shipmux.services.webhook_intake import WebhookIntake

__all__ = ["MAX_WEBHOOK_BYTES", "CarrierWebhooks", "WebhookTaken", "openapi_paths"]

# Carrier webhooks are a few KiB; the API's general limit is for order batches.
MAX_WEBHOOK_BYTES = 256 * 1024

_PATH = re.compile(r"/(v1/)?webhooks/([^/]+)/([^/]+)")


class WebhookTaken(BaseModel):
    status: str  # applied | unknown_shipment | duplicate (where replays are not refused)
    shipment_id: str | None = None


class CarrierWebhooks:
    """ASGI middleware: answers the carrier webhook paths itself and passes the rest on."""

    def __init__(self, app: ASGIApp, intake: WebhookIntake, max_body_bytes: int) -> None:
        self.app = app
        self.intake = intake
        self.limit = min(MAX_WEBHOOK_BYTES, max_body_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        matched = _PATH.fullmatch(scope["path"]) if scope["type"] == "http" else None
        if matched is None:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = assign_request_id(scope)
        try:
            response = await self._answer(scope, receive, matched[2], matched[3], request_id)
        except ClientDisconnect:
            return  # nobody to answer; nothing was stored
        except Exception as exc:
            log_unhandled(scope, exc)
            response = internal_error(request_id)
            response.headers["X-Request-ID"] = request_id
        await response(scope, receive, send)
        log_request(scope, response.status_code, started)

    async def _answer(
        self, scope: Scope, receive: Receive, carrier: str, account_id: str, request_id: str
    ) -> Response:
        ids = {"X-Request-ID": request_id}
        if scope["method"] != "POST":
            return problem_response(
                405,
                "method_not_allowed",
                f"{scope['method']} is not allowed on {scope['path']}",
                request_id=request_id,
                headers=ids | {"Allow": "POST"},
            )
        client = scope.get("client")
        remote = client[0] if client else None
        body = await _read_body(scope, receive, self.limit)
        if body is None:
            label = carrier if carrier in carriers.registry() else "unknown"
            await self.intake.refuse(label, None, "oversized", remote)
            return problem_response(
                413,
                "body_too_large",
                f"the request body is larger than {self.limit} bytes",
                request_id=request_id,
                # The rest of the body is never read, so the connection cannot be reused.
                headers=ids | {"Connection": "close"},
                max_bytes=self.limit,
            )
        received = WebhookRequest(
            body=body,
            # ASGI gives header names lower-cased already.
            headers={
                name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]
            },
            query=dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)),
        )
        try:
            outcome = await self.intake.receive(carrier, account_id, received, remote)
        except ShipmuxError as exc:
            problem = error_problem(exc, request_id)
            if problem is None:
                raise
            problem.headers.update(ids)
            return problem
        taken = WebhookTaken(status=outcome.outcome, shipment_id=outcome.shipment_id)
        return Response(taken.model_dump_json(), 200, headers=ids, media_type="application/json")


async def _read_body(scope: Scope, receive: Receive, limit: int) -> bytes | None:
    """The body, or None once it is known to exceed ``limit`` (by its declared length first)."""
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit() and int(value) > limit:
            return None
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def openapi_paths() -> dict[str, Any]:
    """The OpenAPI path items of the webhook paths (FastAPI does not see them)."""
    parameters = [
        {
            "name": "carrier",
            "in": "path",
            "required": True,
            "schema": {"type": "string"},
            "description": "the carrier's slug: parcel2go, sendcloud, clickpost",
        },
        {
            "name": "account_id",
            "in": "path",
            "required": True,
            "schema": {"type": "string"},
            "description": "the carrier account the webhook is for",
        },
    ]
    responses: dict[int | str, Any] = {
        200: {
            "description": "Stored (and applied where it names a shipment we know)",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/WebhookTaken"}}
            },
        },
        **problem_responses(401, 404, 409, 413),
    }
    description = (
        "A carrier's webhook, authenticated by the carrier's own signature or key. "
        "Answered 200 only once it is on disk."
    )

    def item(operation_id: str) -> dict[str, Any]:
        return {
            "post": {
                "tags": ["webhooks"],
                "summary": "Receive a carrier webhook",
                "description": description,
                "operationId": operation_id,
                "parameters": parameters,
                "requestBody": {
                    "required": True,
                    "content": {"*/*": {"schema": {"description": "as the carrier sends it"}}},
                },
                "responses": {str(status): answer for status, answer in responses.items()},
            }
        }

    return {
        "/webhooks/{carrier}/{account_id}": item("receiveWebhook"),
        "/v1/webhooks/{carrier}/{account_id}": item("receiveWebhookV1"),
    }
