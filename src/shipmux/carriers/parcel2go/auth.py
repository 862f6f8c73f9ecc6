"""Parcel2Go access tokens: fetched with client credentials, cached, never logged.

One ``TokenCache`` per connector, and one connector per account, so a token is never
shared between accounts. Concurrent callers wait on one refresh (an ``asyncio.Lock``)
instead of each asking for their own token. A token is refreshed shortly before it
expires, and dropped when the API answers 401 with it (the caller retries once).
"""

from __future__ import annotations

import asyncio
import re
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

import httpx
import pydantic

from shipmux.carriers.errors import CarrierAuthFailed, CarrierProtocolError
from shipmux.carriers.http import MASK, CarrierHttp, Redactor
from shipmux.carriers.parcel2go import schemas as wire
from shipmux.carriers.parcel2go.settings import Parcel2GoSettings

__all__ = ["REFRESH_MARGIN_SECONDS", "TOKEN_PATH", "TokenCache", "TokenRedactor"]

TOKEN_PATH = "/auth/connect/token"
# Refresh this long before expiry, so a token never expires between our check and its use.
REFRESH_MARGIN_SECONDS = 300.0
_CARRIER = "parcel2go"

# The token answer is recorded before we have read the token out of it: mask it by shape.
_ACCESS_TOKEN = re.compile(r'("access_token"\s*:\s*")[^"]*(")')


class TokenRedactor(Redactor):
    """The account's redactor, which also masks every access token it has been told of."""

    def __init__(self, inner: Redactor) -> None:
        super().__init__()
        self._inner = inner
        self._tokens: list[str] = []

    def remember(self, token: str) -> None:
        # The current token and the one before it: a call may still be using the old one.
        self._tokens = [token, *self._tokens[:1]]

    def text(self, value: str | None) -> str | None:
        if value is None:
            return None
        value = _ACCESS_TOKEN.sub(rf"\g<1>{MASK}\g<2>", value)
        for token in self._tokens:
            value = value.replace(token, MASK)
        return self._inner.text(value)


def _margin(expires_in: float) -> float:
    # A short-lived token (a sandbox set to 10 s) is still used for most of its life.
    return min(REFRESH_MARGIN_SECONDS, expires_in / 10)


class TokenCache:
    """The account's bearer token, fetched when missing or about to expire."""

    def __init__(
        self,
        settings: Parcel2GoSettings,
        http: CarrierHttp,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._http = http
        self._clock = clock
        self._token: str | None = None
        self._refresh_at = 0.0
        self._lock = asyncio.Lock()
        # Every exchange this account records passes through the token-aware redactor.
        self.redactor = TokenRedactor(http.redactor)
        http.redactor = self.redactor

    async def token(self) -> str:
        """A token that is not about to expire; fetched once for all concurrent callers."""
        current = self._fresh()
        if current is not None:
            return current
        async with self._lock:
            current = self._fresh()  # another caller may have refreshed while we waited
            if current is None:
                current = await self._fetch()
            return current

    def invalidate(self, token: str) -> None:
        """Drop ``token`` after the API refused it; a newer token is kept."""
        if self._token == token:
            self._token = None

    def _fresh(self) -> str | None:
        if self._token is not None and self._clock() < self._refresh_at:
            return self._token
        return None

    async def _fetch(self) -> str:
        started = self._clock()
        form = {
            "grant_type": "client_credentials",
            "client_id": self._settings.client_id,
            "client_secret": self._settings.client_secret.get_secret_value(),
            "scope": self._settings.scopes,
        }
        response = await self._http.request(
            "token",
            "POST",
            TOKEN_PATH,
            idempotent=True,  # asking for a token twice is harmless
            content=urllib.parse.urlencode(form).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )
        if response.status_code != 200:
            self._refuse(response)
        try:
            answer = wire.TokenResponse.model_validate_json(response.content)
        except pydantic.ValidationError as exc:
            raise CarrierProtocolError(
                "the token answer has no usable access_token", **self._context(response)
            ) from exc
        self.redactor.remember(answer.access_token)
        self._token = answer.access_token
        self._refresh_at = started + answer.expires_in - _margin(answer.expires_in)
        return answer.access_token

    def _refuse(self, response: httpx.Response) -> None:
        try:
            error = wire.TokenError.model_validate_json(response.content)
        except pydantic.ValidationError:
            error = wire.TokenError()
        code = error.error or f"HTTP {response.status_code}"
        # The error body is not repeated in the message: it may echo what we sent.
        raise CarrierAuthFailed(
            f"Parcel2Go refused the API client's credentials or scopes ({code})",
            carrier_code=error.error,
            **self._context(response),
        )

    def _context(self, response: httpx.Response) -> dict[str, Any]:
        excerpt = response.content[:2000].decode("utf-8", errors="replace")
        return {
            "carrier": _CARRIER,
            "operation": "token",
            "status": response.status_code,
            "body_excerpt": self.redactor.text(excerpt),
        }
