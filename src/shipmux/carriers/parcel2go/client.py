"""Parcel2Go's HTTP endpoints, one small method each: build the call, send, read the answer.

The only I/O of the connector besides the token fetch (``auth``). Every call goes through
``CarrierHttp.request``, which maps transport failures, 401, 429 and 5xx. This module adds
the bearer token (and one retry with a new token after a 401), and reads what is
particular to Parcel2Go: refusals as ``{"Errors":[…]}`` or ``{"Message"}``, which it
folds into the answer's ``errors`` for the connector to name our fields, and 2xx bodies,
validated so that a malformed answer becomes ``CarrierProtocolError``.
"""

from __future__ import annotations

import base64
import binascii
import urllib.parse
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn, TypeVar

import httpx
import pydantic

from shipmux.carriers.errors import (
    CarrierAuthFailed,
    CarrierProtocolError,
    CarrierRejected,
    CarrierUnavailable,
    FeatureUnavailable,
)
from shipmux.carriers.http import CarrierHttp
from shipmux.carriers.parcel2go import schemas as wire
from shipmux.carriers.parcel2go.auth import TokenCache

__all__ = ["Parcel2GoClient"]

M = TypeVar("M", bound=pydantic.BaseModel)

# /me/orders/detail pages hold at most 100 orders (ADR 0006 §7).
HISTORY_PAGE_SIZE = 100


class Parcel2GoClient:
    """One Parcel2Go account's endpoints; returns wire models, raises ``CarrierError``s."""

    carrier = "parcel2go"

    def __init__(self, http: CarrierHttp, tokens: TokenCache) -> None:
        self._http = http
        self._tokens = tokens

    # --- quotes and orders ----------------------------------------------------------------

    async def quote(self, body: wire.QuoteRequest) -> wire.QuotesResponse:
        """``POST /api/quotes``: every service priced; a refusal comes back in ``errors``."""
        op = "quote"
        response = await self._send(op, "POST", "/api/quotes", idempotent=True, json=body)
        if response.status_code == 200:
            return self._http.parse(op, response, wire.QuotesResponse)
        if response.status_code in (400, 422):
            return wire.QuotesResponse(errors=self._errors(response))
        self._http.unexpected(op, response)

    async def verify_order(self, body: wire.OrderRequest) -> wire.VerifyResponse:
        """``POST /api/orders/verify``: the exact price of the create body; creates nothing."""
        op = "verify_order"
        response = await self._send(op, "POST", "/api/orders/verify", idempotent=True, json=body)
        if response.status_code == 200:
            return self._http.parse(op, response, wire.VerifyResponse)
        if response.status_code in (400, 422):
            return wire.VerifyResponse(errors=self._errors(response))
        self._http.unexpected(op, response)

    async def create_order(self, body: wire.OrderRequest) -> wire.CreateOrderResponse:
        """``POST /api/orders``: an unpaid order; not idempotent (a 5xx is OutcomeUnknown)."""
        op = "create_order"
        response = await self._send(op, "POST", "/api/orders", idempotent=False, json=body)
        if response.status_code in (200, 201):
            return self._http.parse(op, response, wire.CreateOrderResponse)
        if response.status_code in (400, 422):
            return wire.CreateOrderResponse(errors=self._errors(response))
        self._http.unexpected(op, response)

    async def get_order(self, order_id: str, order_hash: str) -> wire.OrderRead | None:
        """``GET /api/orders?orderId=&hash=``: the order, or None when there is no such one."""
        op = "get_order"
        params = {"orderId": order_id, "hash": order_hash}
        response = await self._send(op, "GET", "/api/orders", idempotent=True, params=params)
        if response.status_code == 200:
            return self._http.parse(op, response, wire.OrderRead)
        if response.status_code == 404:
            return None
        if response.status_code == 400:
            self._refuse(op, response)
        self._http.unexpected(op, response)

    async def order_history(self, page: int) -> wire.OrdersPage:
        """``GET /api/me/orders/detail``: one page of the account's orders, newest first."""
        op = "order_history"
        params = {"page": str(page), "pageSize": str(HISTORY_PAGE_SIZE)}
        response = await self._send(
            op, "GET", "/api/me/orders/detail", idempotent=True, params=params
        )
        if response.status_code == 200:
            return self._http.parse(op, response, wire.OrdersPage)
        if response.status_code == 404:
            return wire.OrdersPage()
        self._http.unexpected(op, response)

    # --- payment --------------------------------------------------------------------------

    async def pay_with_prepay(self, order_id: str, order_hash: str) -> wire.PayResponse:
        """``POST /api/orders/{id}/paywithprepay?hash=``: charges the PrePay balance.

        Never idempotent: paying a paid order charges again (research §3.9), so a timeout
        or 5xx is ``OutcomeUnknown`` and nothing here retries it. Refusals (not enough
        balance) come back in ``errors``.
        """
        op = "pay_with_prepay"
        path = f"/api/orders/{_segment(order_id)}/paywithprepay"
        response = await self._send(op, "POST", path, idempotent=False, params={"hash": order_hash})
        if response.status_code in (200, 201):
            return self._http.parse(op, response, wire.PayResponse)
        if response.status_code in (400, 409, 422):
            return wire.PayResponse(errors=self._errors(response))
        self._http.unexpected(op, response)

    async def prepay_balance(self) -> Decimal:
        """``GET /api/prepay``: the PrePay balance in GBP (a bare number, or ``{"Balance"}``)."""
        op = "prepay_balance"
        response = await self._send(op, "GET", "/api/prepay", idempotent=True)
        if response.status_code != 200:
            self._http.unexpected(op, response)
        try:
            value: Any = response.json()
            if isinstance(value, dict):
                value = value.get("Balance", value.get("balance"))
            return Decimal(str(value))
        except (ValueError, InvalidOperation):
            raise CarrierProtocolError(
                "the PrePay balance is not a number", **self._http.context(op, response)
            ) from None

    # --- documents ------------------------------------------------------------------------

    async def labels(
        self,
        reference: str,
        *,
        reference_type: str,
        media: str,
        label_format: str,
        order_hash: str,
    ) -> list[bytes]:
        """``GET /api/labels/{reference}``: each label document, decoded from base64."""
        op = "labels"
        params = {
            "referenceType": reference_type,
            "detailLevel": "Labels",
            "labelMedia": media,
            "labelFormat": label_format,
            "hash": order_hash,
        }
        path = f"/api/labels/{_segment(reference)}"
        response = await self._send(op, "GET", path, idempotent=True, params=params)
        if response.status_code == 404:
            # The label may not exist right after payment (research §5.11): try again later.
            raise CarrierUnavailable(
                "the label is not ready yet", **self._http.context(op, response)
            )
        if response.status_code == 400:
            self._refuse(op, response)
        if response.status_code != 200:
            self._http.unexpected(op, response)
        answer = self._http.parse(op, response, wire.LabelsResponse)
        if not answer.base64_encoded_labels:
            raise CarrierUnavailable(
                f"no label yet ({answer.failed_labels} failed)", **self._http.context(op, response)
            )
        try:
            return [
                base64.b64decode(label, validate=True) for label in answer.base64_encoded_labels
            ]
        except binascii.Error as exc:
            raise CarrierProtocolError(
                "a label is not valid base64", **self._http.context(op, response)
            ) from exc

    async def document(self, url: str) -> bytes:
        """A public document link of an order (``Links``): no token is sent with it."""
        op = "document"
        response = await self._http.request(op, "GET", url, idempotent=True)
        if response.status_code == 200:
            return response.content
        if response.status_code == 404:
            raise CarrierUnavailable(
                "the document is not ready", **self._http.context(op, response)
            )
        self._http.unexpected(op, response)

    # --- tracking -------------------------------------------------------------------------

    async def tracking(self, order_line_id: str) -> wire.TrackingResponse:
        """``GET /api/tracking/{OrderLineId}``: the events so far (none: 404 or empty)."""
        op = "tracking"
        path = f"/api/tracking/{_segment(order_line_id)}"
        response = await self._send(op, "GET", path, idempotent=True)
        if response.status_code == 200:
            return self._http.parse(op, response, wire.TrackingResponse)
        if response.status_code == 404:
            return wire.TrackingResponse(order_line_id=order_line_id)
        if response.status_code == 400:
            self._refuse(op, response)
        self._http.unexpected(op, response)

    # --- sending and reading --------------------------------------------------------------

    async def _send(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        idempotent: bool,
        json: pydantic.BaseModel | None = None,
        params: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send with the bearer token; after a 401, once more with a new token.

        A 401 means the call was refused before it acted, so the retry is safe even for
        a payment. A 403 (the token lacks a scope the call needs) is answered here.
        """
        body = json.model_dump(mode="json", by_alias=True, exclude_none=True) if json else None
        token = await self._tokens.token()
        try:
            response = await self._call(operation, method, path, idempotent, body, params, token)
        except CarrierAuthFailed as exc:
            if exc.status != 401:
                raise
            self._tokens.invalidate(token)
            token = await self._tokens.token()
            response = await self._call(operation, method, path, idempotent, body, params, token)
        if response.status_code == 403:
            self._forbidden(operation, response)
        return response

    async def _call(
        self,
        operation: str,
        method: str,
        path: str,
        idempotent: bool,
        body: Any,
        params: Mapping[str, str] | None,
        token: str,
    ) -> httpx.Response:
        return await self._http.request(
            operation,
            method,
            path,
            idempotent=idempotent,
            json=body,
            params=params,
            headers={"Accept": "application/json", "Authorization": f"Bearer {token}"},
        )

    @staticmethod
    def _errors(response: httpx.Response) -> list[wire.ErrorLine]:
        """The refusal's lines; a body in neither documented shape is still a refusal."""
        try:
            body = wire.ErrorsBody.model_validate_json(response.content)
        except pydantic.ValidationError:
            body = wire.ErrorsBody()
        if body.errors:
            return body.errors
        return [wire.ErrorLine(message=body.message or f"refused with HTTP {response.status_code}")]

    def _refuse(self, operation: str, response: httpx.Response) -> NoReturn:
        errors = self._errors(response)
        raise CarrierRejected(
            "; ".join(e.text for e in errors),
            carrier_code=errors[0].type or errors[0].name,
            **self._http.context(operation, response),
        )

    def _forbidden(self, operation: str, response: httpx.Response) -> NoReturn:
        said = "; ".join(e.text for e in self._errors(response))
        if operation in ("pay_with_prepay", "prepay_balance"):
            why = (
                "the API client is not enabled for PrePay or its token lacks the payment scope"
                " (ask apihelp@parcel2go.com to enable PrePay; check the scopes setting)"
            )
        else:
            why = "the API client's token lacks a scope this call needs (check the scopes setting)"
        raise FeatureUnavailable(f"{why}: {said}", **self._http.context(operation, response))


def _segment(value: str) -> str:
    # Identifiers are digits; quoting keeps anything else from changing the path.
    return urllib.parse.quote(value, safe="")
