"""``/api/v1/tracking/register-webhook/``: POST registers, PUT changes the URL.

Documented only in the 2018 slate (research §2.6): body ``{service_id, key,
webhook_url}``; answer ``{message, webhook_key, success, status_code}`` with 305 for a
second POST and 327 for a PUT before any POST. The sandbox sends that legacy top level
and, like every other answer, the ``meta``/``result`` envelope with it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from shipmux.sandboxes.clickpost.auth import authenticate
from shipmux.sandboxes.clickpost.context import SandboxState
from shipmux.sandboxes.clickpost.envelope import MESSAGES, answer
from shipmux.sandboxes.clickpost.store import ALL_STATUS_SERVICE, SELECTED_STATUS_SERVICE
from shipmux.sandboxes.kit.jsonio import InvalidJson, read_json


def _registration_answer(status: int, message: str, webhook_key: str | None = None) -> Response:
    legacy: dict[str, Any] = {
        "message": message,
        "webhook_key": webhook_key,
        "success": status == 200,
        "status_code": status,
    }
    result = {"webhook_key": webhook_key} if webhook_key else None
    return answer(status, result, message=message, extra=legacy)


def _refusal(status: int, detail: str | None = None) -> Response:
    text = MESSAGES.get(status, "Bad Request")
    return _registration_answer(status, f"{text}: {detail}" if detail else text)


def _is_http_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


async def register_webhook(state: SandboxState, request: Request) -> Response:
    try:
        body = await read_json(request)
    except InvalidJson as exc:
        return _refusal(328, str(exc))
    if not isinstance(body, dict):
        return _refusal(328, "the body must be a JSON object")
    key = body.get("key") or request.query_params.get("key")
    account = authenticate(
        state.store, request.query_params.get("username"), key if isinstance(key, str) else None
    )
    if account is None:
        return _refusal(301)
    service_id = body.get("service_id")
    if service_id not in (ALL_STATUS_SERVICE, SELECTED_STATUS_SERVICE):
        return _refusal(306, f"service_id {service_id!r} (2 all status, 15 selected status)")
    url = body.get("webhook_url")
    if not _is_http_url(url):
        return _refusal(328, "webhook_url must be an http(s) URL")
    if request.method == "POST" and account.webhook_url:
        return _refusal(305)
    if request.method == "PUT" and not account.webhook_url:
        return _refusal(327)
    account.webhook_url = str(url)
    account.webhook_service_id = int(service_id)
    webhook_key = account.webhook_key or account.new_webhook_key()
    return _registration_answer(200, "SUCCESS", webhook_key)
