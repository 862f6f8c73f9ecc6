"""Clickpost's HTTP endpoints, one small method each: build the call, send, read the answer.

The only I/O of the connector. Every call goes through ``CarrierHttp.request``, which maps
transport failures and the HTTP statuses every carrier shares (401, 429, 5xx). Clickpost
answers most outcomes with HTTP 200 and a code in its envelope (research §2.1, §2.3); this
module reads the envelope and raises what no caller can act on differently: 301
(``CarrierAuthFailed``), 429 (``CarrierRateLimited``) and 500/503/504 (``OutcomeUnknown``
for a create, ``CarrierUnavailable`` for the rest). Every other code is the caller's.

Auth is Clickpost's: ``username`` and ``key`` query parameters on every call (the
register-webhook body carries the key too). The key is a secret of the account settings,
so ``Redactor`` masks it, plain and percent-encoded, in every recorded exchange.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

import httpx
import pydantic

from shipmux.carriers.clickpost import schemas as wire
from shipmux.carriers.clickpost.settings import ClickpostSettings
from shipmux.carriers.errors import (
    CarrierAuthFailed,
    CarrierProtocolError,
    CarrierRateLimited,
    CarrierUnavailable,
    OutcomeUnknown,
)
from shipmux.carriers.http import CarrierHttp, parse_retry_after

__all__ = ["TRACK_BATCH", "ClickpostClient"]

# track-order takes "upto 5" comma-separated waybills of one courier (docs.clickpost.ai;
# the 2020 docs said 15): research §2.5.
TRACK_BATCH = 5

# Statuses of a readable envelope: what the connector reads, whatever the HTTP status.
_ENVELOPE_HTTP = frozenset({200, 201, 202, 400, 403, 404, 409, 422})
_SERVER_CODES = frozenset({500, 502, 503, 504})


class ClickpostClient:
    """One Clickpost account's endpoints; returns envelopes, raises ``CarrierError``s."""

    carrier = "clickpost"

    def __init__(self, settings: ClickpostSettings, http: CarrierHttp) -> None:
        self._settings = settings
        self._http = http

    # --- orders ---------------------------------------------------------------------------

    async def create_order(self, body: pydantic.BaseModel) -> wire.Envelope:
        """``POST /api/{v3|v4}/create-order/``: 200, 323, 202/102 (async) or a refusal.

        Not idempotent for ``CarrierHttp`` (a timeout or 5xx is ``OutcomeUnknown``), although
        Clickpost keys it on ``reference_number``: the same body again answers 323 or 102.
        """
        op = "create_order"
        path = f"/api/{self._settings.api_version}/create-order/"
        payload = body.model_dump(mode="json", by_alias=True, exclude_none=True)
        response = await self._send(op, "POST", path, idempotent=False, json=payload)
        return self._envelope(op, response, idempotent=False)

    async def lookup(self, reference: str) -> wire.Envelope:
        """``GET /api/v3/create-order/?reference_number=``: the order already manifested."""
        op = "lookup_order"
        params = {"reference_number": reference}
        response = await self._send(
            op, "GET", "/api/v3/create-order/", idempotent=True, params=params
        )
        return self._envelope(op, response, idempotent=True)

    async def cancel(self, waybill: str, cp_id: int, account_code: str | None) -> wire.Envelope:
        """``GET /api/v1/cancel-order/``: 200 done, 600 already cancelled, 202 accepted."""
        op = "cancel"
        params = {"waybill": waybill, "cp_id": str(cp_id)}
        if account_code:
            params["account_code"] = account_code
        response = await self._send(
            op, "GET", "/api/v1/cancel-order/", idempotent=True, params=params
        )
        return self._envelope(op, response, idempotent=True)

    # --- labels ---------------------------------------------------------------------------

    async def shipping_label(self, waybill: str, cp_id: int | None) -> wire.Envelope:
        """``GET /api/v1/fetch/shippinglabel/``: ``result.shipping_label``, a PDF's URL."""
        op = "fetch_label"
        params = {"waybill": waybill, "regenerate": "false"}
        if cp_id is not None:
            params["cp_id"] = str(cp_id)
        response = await self._send(
            op, "GET", "/api/v1/fetch/shippinglabel/", idempotent=True, params=params
        )
        return self._envelope(op, response, idempotent=True)

    async def download(self, url: str) -> bytes:
        """A label document at the URL Clickpost gave (an S3 link): no credentials sent."""
        op = "label_document"
        response = await self._http.request(op, "GET", url, idempotent=True)
        if response.status_code == 200:
            return response.content
        if response.status_code in (403, 404):
            raise CarrierUnavailable("the label document is not there", **self._ctx(op, response))
        self._http.unexpected(op, response)

    # --- tracking -------------------------------------------------------------------------

    async def track(self, waybills: Sequence[str], cp_id: int) -> dict[str, wire.TrackRecord]:
        """``GET /api/v2/track-order/``: each waybill's record (``valid`` false: unknown)."""
        if not 0 < len(waybills) <= TRACK_BATCH:
            raise ValueError(f"1 to {TRACK_BATCH} waybills per track-order call")
        op = "track"
        params = {"waybill": ",".join(waybills), "cp_id": str(cp_id)}
        response = await self._send(
            op, "GET", "/api/v2/track-order/", idempotent=True, params=params
        )
        envelope = self._envelope(op, response, idempotent=True)
        if envelope.code != 200:
            if envelope.code in (330, 326, 321, 404, 400):  # none of them known
                return {}
            raise CarrierUnavailable(
                f"track-order answered {envelope.code}: {envelope.text}",
                carrier_code=str(envelope.code),
                **self._ctx(op, response),
            )
        records: dict[str, wire.TrackRecord] = {}
        for waybill, raw in envelope.result_dict().items():
            try:
                records[str(waybill)] = wire.TrackRecord.model_validate(raw)
            except pydantic.ValidationError as exc:
                raise CarrierProtocolError(
                    f"unexpected track-order record for {waybill}", **self._ctx(op, response)
                ) from exc
        return records

    async def register_webhook(self, url: str, service_id: int, *, update: bool) -> wire.Envelope:
        """``POST`` (``PUT`` to change the URL) ``/api/v1/tracking/register-webhook/``.

        Documented until Aug 2018 (specs ``slate-706daa0``); the answer's ``webhook_key``
        is what Clickpost then sends in every webhook's ``webhook_key`` header.
        """
        op = "register_webhook"
        body = {
            "service_id": service_id,
            "key": self._settings.key.get_secret_value(),
            "webhook_url": url,
        }
        method = "PUT" if update else "POST"
        path = "/api/v1/tracking/register-webhook/"
        response = await self._send(op, method, path, idempotent=True, json=body)
        return self._envelope(op, response, idempotent=True)

    # --- sending and reading --------------------------------------------------------------

    async def _send(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        idempotent: bool,
        params: Mapping[str, str] | None = None,
        json: Any = None,
    ) -> httpx.Response:
        query = {
            "username": self._settings.username,
            "key": self._settings.key.get_secret_value(),
            **(params or {}),
        }
        return await self._http.request(
            operation,
            method,
            path,
            idempotent=idempotent,
            params=query,
            json=json,
            headers={"Accept": "application/json"},
        )

    def _envelope(
        self, operation: str, response: httpx.Response, *, idempotent: bool
    ) -> wire.Envelope:
        """The answer's envelope, after the codes no caller treats differently."""
        if response.status_code not in _ENVELOPE_HTTP:
            self._http.unexpected(operation, response)
        try:
            envelope = wire.Envelope.model_validate_json(response.content)
        except pydantic.ValidationError as exc:
            if response.status_code >= 400:
                self._http.unexpected(operation, response)
            raise CarrierProtocolError(
                "the answer is not Clickpost's JSON envelope", **self._ctx(operation, response)
            ) from exc
        code = envelope.code
        if code is None:
            if response.status_code >= 400:
                self._http.unexpected(operation, response)
            raise CarrierProtocolError(
                "the answer carries no status code", **self._ctx(operation, response)
            )
        if code == 301 or (code == 401 and response.status_code == 200):
            raise CarrierAuthFailed(
                f"Clickpost refused the username or key: {envelope.text}",
                carrier_code=str(code),
                **self._ctx(operation, response),
            )
        if code == 429:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            self._http.limiter.push_back(retry_after if retry_after is not None else 1.0)
            raise CarrierRateLimited(
                "Clickpost's rate limit was hit",
                retry_after=retry_after,
                carrier_code=str(code),
                **self._ctx(operation, response),
            )
        if code in _SERVER_CODES:
            self._server_error(operation, response, envelope, idempotent)
        return envelope

    def _server_error(
        self,
        operation: str,
        response: httpx.Response,
        envelope: wire.Envelope,
        idempotent: bool,
    ) -> NoReturn:
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        kw: dict[str, Any] = {
            "carrier_code": str(envelope.code),
            "retry_after": retry_after,
            **self._ctx(operation, response),
        }
        if idempotent:
            raise CarrierUnavailable(f"Clickpost failed: {envelope.text}", **kw)
        raise OutcomeUnknown(f"Clickpost failed after receiving the request: {envelope.text}", **kw)

    def _ctx(self, operation: str, response: httpx.Response) -> dict[str, Any]:
        return self._http.context(operation, response)
