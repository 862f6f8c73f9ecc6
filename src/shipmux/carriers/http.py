"""The one HTTP layer every connector uses: limits, timing, redaction, error mapping.

Each call is recorded as an ``Exchange`` into the sink of the current task (a
context variable the worker sets around a job), with secrets masked, so the hub
keeps the evidence of every attempt without connectors knowing about storage.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, NoReturn, Protocol, TypeVar

import httpx
import pydantic

from shipmux.carriers.errors import (
    CarrierAuthFailed,
    CarrierError,
    CarrierProtocolError,
    CarrierRateLimited,
    CarrierUnavailable,
    OutcomeUnknown,
)

__all__ = [
    "CallPacer",
    "CarrierHttp",
    "Exchange",
    "RateLimiter",
    "Redactor",
    "exchange_sink",
    "parse_retry_after",
]

T = TypeVar("T")

BODY_EXCERPT = 4000
# How much of an answer an error carries (after redaction).
ERROR_EXCERPT = 2000
MASK = "***"
_SECRET_HEADERS = frozenset({"authorization", "x-api-key", "api-key", "key", "cookie"})


@dataclass(slots=True)
class Exchange:
    """One request to a carrier and what came back, secrets masked."""

    carrier: str
    operation: str
    method: str
    url: str
    request_body: str | None
    status: int | None
    response_body: str | None
    duration_ms: float
    started_at: datetime
    error: str | None = None
    request_headers: dict[str, str] = field(default_factory=dict)


exchange_sink: contextvars.ContextVar[list[Exchange] | None] = contextvars.ContextVar(
    "exchange_sink", default=None
)


class Redactor:
    """Masks known secret values and secret headers before anything is kept."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Longest first so a secret that contains another is masked whole.
        self._secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def text(self, value: str | None) -> str | None:
        if value is None:
            return None
        for secret in self._secrets:
            value = value.replace(secret, MASK)
        return value

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        return {
            k: (MASK if k.lower() in _SECRET_HEADERS else self.text(v) or "")
            for k, v in headers.items()
        }


# Calls leave 10% further apart than 1/rate: spaced exactly, network and scheduling jitter
# lets the first and the (rate+1)-th call of a burst arrive within one second at the carrier.
SPACING_MARGIN = 1.1


class CallPacer(Protocol):
    """What spaces a carrier account's calls: waits for a call's turn, steps back on a 429."""

    rate: float

    async def acquire(self) -> None: ...

    def push_back(self, seconds: float) -> None: ...


class RateLimiter:
    """At most ``rate`` calls per second, spaced evenly, among the tasks that share it.

    This process's own pace; ``storage.rate_slots.SharedRateLimiter`` keeps one pace
    for an account across every process.
    """

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self._next_free = 0.0
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        if self.rate <= 0:
            return
        async with self._lock:
            now = time.monotonic()
            wait = self._next_free - now
            self._next_free = max(now, self._next_free) + SPACING_MARGIN / self.rate
        if wait > 0:
            await asyncio.sleep(wait)

    def push_back(self, seconds: float) -> None:
        """After a 429: nobody in this process calls again before ``seconds`` pass."""
        self._next_free = max(self._next_free, time.monotonic() + seconds)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _excerpt(content: bytes, content_type: str) -> str:
    if "json" in content_type or content_type.startswith("text/") or not content_type:
        return content[:BODY_EXCERPT].decode("utf-8", errors="replace")
    return f"<{len(content)} bytes of {content_type}>"


class CarrierHttp:
    """An ``httpx.AsyncClient`` for one carrier account, with our rules around it."""

    def __init__(
        self,
        *,
        carrier: str,
        client: httpx.AsyncClient,
        limiter: CallPacer | None = None,
        redactor: Redactor | None = None,
    ) -> None:
        self.carrier = carrier
        self.client = client
        self.limiter = limiter or RateLimiter(0)
        self.redactor = redactor or Redactor()

    async def request(
        self,
        operation: str,
        method: str,
        url: str,
        *,
        idempotent: bool,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        """Send one request; map transport failures and the statuses every carrier shares.

        ``idempotent`` says whether repeating the call is harmless: when it is not, a
        read timeout or a 5xx means the outcome is unknown.
        """
        await self.limiter.acquire()
        request = self.client.build_request(
            method, url, json=json, params=params, headers=headers, content=content
        )
        started, t0 = datetime.now(UTC), time.perf_counter()
        try:
            response = await self.client.send(request)
        except httpx.HTTPError as exc:
            error = self._transport_error(operation, exc, idempotent)
            self._record(operation, request, None, started, t0, error=error.message)
            raise error from exc
        self._record(operation, request, response, started, t0)
        self._raise_for_common(operation, response, idempotent)
        return response

    def _transport_error(
        self, operation: str, exc: httpx.HTTPError, idempotent: bool
    ) -> CarrierError:
        kw: dict[str, Any] = {"carrier": self.carrier, "operation": operation}
        # Before the request left (no connection, pool exhausted), it cannot have acted.
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
            return CarrierUnavailable(f"could not reach the carrier: {type(exc).__name__}", **kw)
        if idempotent:
            return CarrierUnavailable(f"no answer from the carrier: {type(exc).__name__}", **kw)
        return OutcomeUnknown(
            f"sent, but no answer came ({type(exc).__name__}); the carrier may have acted", **kw
        )

    def _raise_for_common(self, operation: str, response: httpx.Response, idempotent: bool) -> None:
        status = response.status_code
        if status < 400 or status in (400, 403, 404, 409, 422):
            return  # success, or a carrier-specific refusal the connector reads
        kw: dict[str, Any] = {
            "carrier": self.carrier,
            "operation": operation,
            "status": status,
            "body_excerpt": self.redactor.text(_excerpt(response.content, _ctype(response))),
        }
        if status == 401:
            raise CarrierAuthFailed("the carrier refused our credentials", **kw)
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            self.limiter.push_back(retry_after if retry_after is not None else 1.0)
            raise CarrierRateLimited(
                "the carrier's rate limit was hit", retry_after=retry_after, **kw
            )
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if status >= 500 and not idempotent:
            raise OutcomeUnknown(
                f"the carrier failed with {status} after receiving the request",
                retry_after=retry_after,
                **kw,
            )
        raise CarrierUnavailable(f"the carrier answered {status}", retry_after=retry_after, **kw)

    def _record(
        self,
        operation: str,
        request: httpx.Request,
        response: httpx.Response | None,
        started: datetime,
        t0: float,
        *,
        error: str | None = None,
    ) -> None:
        sink = exchange_sink.get()
        if sink is None:
            return
        r = self.redactor
        body = request.content or b""
        sink.append(
            Exchange(
                carrier=self.carrier,
                operation=operation,
                method=request.method,
                url=r.text(str(request.url)) or "",
                request_headers=r.headers(request.headers),
                request_body=r.text(_excerpt(body, request.headers.get("content-type", ""))),
                status=response.status_code if response is not None else None,
                response_body=(
                    r.text(_excerpt(response.content, _ctype(response)))
                    if response is not None
                    else None
                ),
                duration_ms=(time.perf_counter() - t0) * 1000,
                started_at=started,
                error=error,
            )
        )

    def context(self, operation: str, response: httpx.Response) -> dict[str, Any]:
        """What every error about this answer carries: where, status, a redacted excerpt."""
        excerpt = response.content[:ERROR_EXCERPT].decode("utf-8", errors="replace")
        return {
            "carrier": self.carrier,
            "operation": operation,
            "status": response.status_code,
            "body_excerpt": self.redactor.text(excerpt),
        }

    def parse(self, operation: str, response: httpx.Response, shape: type[T]) -> T:
        """The answer as ``shape`` (a model or any type pydantic reads); else a protocol error."""
        try:
            shape_key: Any = shape  # types are hashable; mypy cannot see it for type[T]
            parsed: T = _adapter(shape_key).validate_json(response.content)
        except pydantic.ValidationError as exc:
            raise CarrierProtocolError(
                f"unexpected answer: {_summary(exc)}", **self.context(operation, response)
            ) from exc
        return parsed

    def unexpected(self, operation: str, response: httpx.Response) -> NoReturn:
        raise CarrierProtocolError(
            f"unexpected HTTP {response.status_code}", **self.context(operation, response)
        )

    async def aclose(self) -> None:
        await self.client.aclose()


def _ctype(response: httpx.Response) -> str:
    return str(response.headers.get("content-type", ""))


def _summary(exc: pydantic.ValidationError) -> str:
    first = exc.errors(include_url=False)[0]
    where = ".".join(str(p) for p in first["loc"]) or "body"
    return f"{where}: {first['msg']} ({exc.error_count()} problem(s))"


@functools.cache
def _adapter(shape: Any) -> pydantic.TypeAdapter[Any]:
    # Building an adapter costs more than using one; answers of one shape share it.
    return pydantic.TypeAdapter(shape)
