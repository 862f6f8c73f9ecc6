"""``GET /_sandbox/webhooks`` and ``POST /_sandbox/webhooks/flush`` for a sandbox that
pushes webhooks (``kit.webhook_outbox`` and ``kit.webhook_delivery``).

``GET /webhooks`` answers whether delivery runs, the pending deliveries, what was
delivered or abandoned, and the attempt log; ``POST /webhooks/flush`` delivers
everything due now and answers the attempts made and how many are still pending. A
sandbox chooses how a delivery's payload and an attempt are shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from shipmux.sandboxes.kit.clock import format_timestamp
from shipmux.sandboxes.kit.jsonio import json_response
from shipmux.sandboxes.kit.webhook_delivery import WebhookDispatcher
from shipmux.sandboxes.kit.webhook_outbox import AttemptRecord, Outbox, PendingDelivery


class WebhookState(Protocol):
    """A sandbox's state; read on every request, since ``reset()`` replaces the outbox."""

    outbox: Outbox
    webhooks: WebhookDispatcher


def raw_payload(item: PendingDelivery) -> Any:
    return item.payload


def webhook_routes(
    state: WebhookState,
    *,
    payload_key: str = "payload",
    payload_view: Callable[[PendingDelivery], Any] = raw_payload,
    attempt_view: Callable[[AttemptRecord], dict[str, Any]] = AttemptRecord.body,
) -> list[BaseRoute]:
    """The two routes; a pending entry shows its payload under ``payload_key``."""

    def pending_body(item: PendingDelivery) -> dict[str, Any]:
        return {
            "sequence": item.sequence,
            "url": item.url,
            "attempts": item.attempts,
            "next_attempt_at": format_timestamp(item.next_attempt_at),
            payload_key: payload_view(item),
        }

    async def list_webhooks(request: Request) -> Response:
        outbox = state.outbox
        return json_response(
            {
                "running": state.webhooks.running,
                "pending": [pending_body(item) for item in outbox.pending],
                "delivered": [payload_view(item) for item in outbox.delivered],
                "abandoned": [payload_view(item) for item in outbox.abandoned],
                "attempts": [attempt_view(record) for record in outbox.attempts],
            }
        )

    async def flush_webhooks(request: Request) -> Response:
        records = await state.webhooks.flush()
        return json_response(
            {
                "attempts": [attempt_view(record) for record in records],
                "pending": len(state.outbox.pending),
            }
        )

    return [
        Route("/webhooks", list_webhooks, methods=["GET"]),
        Route("/webhooks/flush", flush_webhooks, methods=["POST"]),
    ]
