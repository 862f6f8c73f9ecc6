"""Click & Drop's HTTP endpoints, one small method each: build the call, send, read the answer.

The only I/O of the connector. Every call goes through ``CarrierHttp.request``, which
maps transport failures, 401, 429 and 5xx; this module reads what is particular to
Click & Drop: the 400/403/404 answers in the spec's shapes, and the 2xx bodies, which
are validated so that a malformed answer becomes ``CarrierProtocolError``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal, NoReturn, TypeVar

import httpx
import pydantic

from shipmux.carriers.click_and_drop import schemas as wire
from shipmux.carriers.click_and_drop.mapping import identifier_segment
from shipmux.carriers.click_and_drop.settings import ClickAndDropSettings
from shipmux.carriers.errors import CarrierProtocolError, CarrierRejected, FeatureUnavailable
from shipmux.carriers.http import CarrierHttp

__all__ = ["ClickAndDropClient", "DocumentType"]

M = TypeVar("M")

# The spec's documentType parameter.
DocumentType = Literal["postageLabel", "despatchNote", "CN22", "CN23"]


_OrderErrors = pydantic.TypeAdapter(list[wire.OrderErrorResponse])
_OrderErrorInfos = pydantic.TypeAdapter(list[wire.OrderErrorInfo])
_OrderUpdateErrors = pydantic.TypeAdapter(list[wire.OrderUpdateError])


class ClickAndDropClient:
    """One Click & Drop account's endpoints; returns wire models, raises ``CarrierError``s."""

    carrier = "click-and-drop"

    def __init__(self, settings: ClickAndDropSettings, http: CarrierHttp) -> None:
        self._settings = settings
        self._http = http

    # --- orders ---------------------------------------------------------------------------

    async def create_orders(self, request: wire.CreateOrdersRequest) -> wire.CreateOrdersResponse:
        """``POST /orders``: per-order outcomes in a 200; a 400 refuses the whole request."""
        op = "create_orders"
        response = await self._send(op, "POST", "/orders", idempotent=False, json=request.to_wire())
        if response.status_code == 200:
            return self._http.parse(op, response, wire.CreateOrdersResponse)
        if response.status_code == 400:
            self._refuse_error_response(op, response)
        self._http.unexpected(op, response)

    async def get_orders(self, identifiers: Sequence[int | str]) -> list[wire.GetOrderInfoResource]:
        """``GET /orders/{ids}``: the orders found; none found (404 or ``[]``) is empty."""
        op = "get_orders"
        path = f"/orders/{identifier_segment(identifiers)}"
        response = await self._send(op, "GET", path, idempotent=True)
        if response.status_code == 200:
            return self._http.parse(op, response, list[wire.GetOrderInfoResource])
        if response.status_code == 404:
            return []
        if response.status_code == 400:
            self._refuse_order_errors(op, response)
        self._http.unexpected(op, response)

    async def list_orders(
        self,
        *,
        page_size: int = 100,
        start: datetime | None = None,
        end: datetime | None = None,
        continuation_token: str | None = None,
    ) -> wire.GetOrdersResponse:
        """``GET /orders``: one page; pass its ``continuation_token`` back for the next."""
        op = "list_orders"
        params = {"pageSize": str(page_size)}
        if start is not None:
            params["startDateTime"] = start.isoformat()
        if end is not None:
            params["endDateTime"] = end.isoformat()
        if continuation_token:
            params["continuationToken"] = continuation_token
        response = await self._send(op, "GET", "/orders", idempotent=True, params=params)
        if response.status_code == 200:
            return self._http.parse(op, response, wire.GetOrdersResponse)
        if response.status_code == 404:
            return wire.GetOrdersResponse()
        if response.status_code == 400:
            self._refuse_error_response(op, response)
        self._http.unexpected(op, response)

    async def delete_orders(self, identifiers: Sequence[int | str]) -> wire.DeleteOrdersResource:
        """``DELETE /orders/{ids}``: what was deleted and per-order errors; 404 deletes none."""
        op = "delete_orders"
        path = f"/orders/{identifier_segment(identifiers)}"
        response = await self._send(op, "DELETE", path, idempotent=False)
        if response.status_code == 200:
            return self._http.parse(op, response, wire.DeleteOrdersResource)
        if response.status_code == 404:
            return wire.DeleteOrdersResource()
        if response.status_code == 400:
            errors = self._parse_error_list(response, _OrderErrorInfos)
            self._refuse(op, response, [e.message or e.code or "" for e in errors])
        if response.status_code == 403:
            self._unavailable(op, response, "this account cannot delete orders through the API")
        self._http.unexpected(op, response)

    async def update_status(
        self, request: wire.UpdateOrdersStatusRequest
    ) -> wire.UpdateOrderStatusResponse:
        """``PUT /orders/status``: per-order outcomes in a 200."""
        op = "update_status"
        response = await self._send(
            op, "PUT", "/orders/status", idempotent=False, json=request.to_wire()
        )
        if response.status_code == 200:
            return self._http.parse(op, response, wire.UpdateOrderStatusResponse)
        if response.status_code == 400:
            errors = self._parse_error_list(response, _OrderUpdateErrors)
            self._refuse(op, response, [e.message or e.code or "" for e in errors])
        if response.status_code == 404:
            self._refuse(op, response, ["no such order"])
        self._http.unexpected(op, response)

    # --- labels ---------------------------------------------------------------------------

    async def get_label(
        self,
        identifiers: Sequence[int | str],
        *,
        document_type: DocumentType = "postageLabel",
        include_returns_label: bool = False,
        include_cn: bool | None = None,
    ) -> bytes:
        """``GET /orders/{ids}/label``: one PDF for every order given (OBA accounts only)."""
        op = "get_label"
        params: dict[str, str] = {"documentType": document_type}
        # "Required when documentType is set to 'postageLabel'"; ignored for the others.
        if document_type == "postageLabel":
            params["includeReturnsLabel"] = _flag(include_returns_label)
            if include_cn is not None:
                params["includeCN"] = _flag(include_cn)
        path = f"/orders/{identifier_segment(identifiers)}/label"
        # The spec lists application/pdf and application/json (errors); ask for both.
        headers = {"Accept": "application/pdf, application/json"}
        response = await self._send(
            op, "GET", path, idempotent=True, params=params, headers=headers
        )
        if response.status_code == 200:
            return self._pdf(op, response)
        if response.status_code == 403:
            self._unavailable(op, response, "labels need an OBA account")
        if response.status_code == 400:
            self._refuse_order_errors(op, response)
        if response.status_code == 404:
            self._refuse(op, response, ["no such order"])
        self._http.unexpected(op, response)

    # --- manifests ------------------------------------------------------------------------

    async def manifest_eligible(
        self, carrier_name: str | None = None
    ) -> wire.ManifestOrdersResponse:
        """``POST /manifests``: manifest every 'Label Generated' and 'Despatched' order."""
        op = "manifest_eligible"
        body = wire.ManifestEligibleOrdersRequest(carrier_name=carrier_name).to_wire()
        response = await self._send(op, "POST", "/manifests", idempotent=False, json=body)
        return self._manifest_answer(op, response, wire.ManifestOrdersResponse, (201, 202))

    async def retry_manifest(self, number: int) -> wire.ManifestOrdersResponse:
        """``POST /manifests/retry/{n}``: try again the orders a manifest could not take."""
        op = "retry_manifest"
        path = f"/manifests/retry/{int(number)}"
        response = await self._send(op, "POST", path, idempotent=False)
        return self._manifest_answer(op, response, wire.ManifestOrdersResponse, (201, 202))

    async def get_manifest(self, number: int) -> wire.ManifestDetailsResponse:
        """``GET /manifests/{n}``: its status, and its PDF once ready."""
        op = "get_manifest"
        response = await self._send(op, "GET", f"/manifests/{int(number)}", idempotent=True)
        return self._manifest_answer(op, response, wire.ManifestDetailsResponse, (200,))

    # --- version --------------------------------------------------------------------------

    async def version(self) -> wire.GetVersionResource:
        """``GET /version``: the one endpoint without authentication."""
        op = "version"
        response = await self._send(op, "GET", "/version", idempotent=True, auth=False)
        if response.status_code == 200:
            return self._http.parse(op, response, wire.GetVersionResource)
        self._http.unexpected(op, response)

    # --- sending and reading --------------------------------------------------------------

    def _authorization(self) -> str:
        key = self._settings.api_key.get_secret_value()
        return key if self._settings.auth_scheme == "raw" else f"Bearer {key}"

    async def _send(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        idempotent: bool,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: bool = True,
    ) -> httpx.Response:
        all_headers = {"Accept": "application/json", **(headers or {})}
        if auth:
            all_headers["Authorization"] = self._authorization()
        return await self._http.request(
            operation,
            method,
            path,
            idempotent=idempotent,
            json=json,
            params=params,
            headers=all_headers,
        )

    @staticmethod
    def _parse_error_list(
        response: httpx.Response, adapter: pydantic.TypeAdapter[list[M]]
    ) -> list[M]:
        # A refusal stays a refusal even when its body is not in the documented shape.
        try:
            return adapter.validate_json(response.content)
        except pydantic.ValidationError:
            return []

    def _pdf(self, operation: str, response: httpx.Response) -> bytes:
        if not response.content.startswith(b"%PDF"):
            raise CarrierProtocolError(
                "the label answer is not a PDF", **self._http.context(operation, response)
            )
        return response.content

    def _manifest_answer(
        self, operation: str, response: httpx.Response, model: type[M], ok: tuple[int, ...]
    ) -> M:
        status = response.status_code
        if status in ok:
            return self._http.parse(operation, response, model)
        if status in (400, 403, 404):
            try:
                errors = wire.ManifestErrorsResponse.model_validate_json(response.content).errors
            except pydantic.ValidationError:
                errors = []
            messages = [e.description or e.code or "" for e in errors]
            if status == 403:
                self._unavailable(operation, response, "manifests are not available", messages)
            self._refuse(operation, response, messages or ["manifest refused"])
        self._http.unexpected(operation, response)

    def _refuse_error_response(self, operation: str, response: httpx.Response) -> NoReturn:
        try:
            error = wire.ErrorResponse.model_validate_json(response.content)
        except pydantic.ValidationError:
            self._refuse(operation, response, [])
        detail = f" ({error.details})" if error.details else ""
        self._refuse(operation, response, [error.message + detail], code=error.code)

    def _refuse_order_errors(self, operation: str, response: httpx.Response) -> NoReturn:
        errors = self._parse_error_list(response, _OrderErrors)
        messages = [
            f"{e.channel_order_reference or e.account_order_number}: {e.message or e.code}"
            for e in errors
        ]
        self._refuse(operation, response, messages, code=errors[0].code if errors else None)

    def _refuse(
        self,
        operation: str,
        response: httpx.Response,
        messages: Sequence[str],
        *,
        code: str | None = None,
    ) -> NoReturn:
        text = "; ".join(m for m in messages if m) or f"refused with HTTP {response.status_code}"
        raise CarrierRejected(text, carrier_code=code, **self._http.context(operation, response))

    def _unavailable(
        self,
        operation: str,
        response: httpx.Response,
        why: str,
        messages: Sequence[str] = (),
    ) -> NoReturn:
        said = "; ".join(m for m in messages if m)
        raise FeatureUnavailable(
            f"{why} ({said})" if said else why, **self._http.context(operation, response)
        )


def _flag(value: bool) -> str:
    return "true" if value else "false"
