"""JSON in and out of sandbox apps, with exact decimals.

Request bodies are parsed with ``Decimal`` floats so money rules such as
``multipleOf: 0.01`` are checked on the digits the client sent, not on a binary float.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from shipmux.sandboxes.kit.clock import format_timestamp

MAX_BODY_BYTES = 10 * 1024 * 1024


class InvalidJson(ValueError):
    """The body is not JSON (or is too large to be read)."""


def _encode_extra(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime):
        return format_timestamp(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def dumps(payload: Any) -> bytes:
    return json.dumps(payload, default=_encode_extra, separators=(",", ":")).encode()


def json_response(
    payload: Any, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        dumps(payload),
        status_code=status_code,
        headers=dict(headers or {}),
        media_type="application/json",
    )


def loads(raw: bytes) -> Any:
    """Parse JSON with exact decimals; raise ``InvalidJson`` with the parser's reason."""
    try:
        return json.loads(raw, parse_float=Decimal)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidJson(str(exc)) from exc


async def read_json(request: Request, *, max_bytes: int = MAX_BODY_BYTES) -> Any:
    """Read and parse the request body; an empty body parses to ``None``."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise InvalidJson(f"request body larger than {max_bytes} bytes")
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        return None
    return loads(raw)
