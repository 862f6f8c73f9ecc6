"""Sendcloud's v3 HTTP endpoints, one small method each: build the call, send, read the answer.

The only I/O of the connector. Every call goes through ``CarrierHttp.request``, which maps
transport failures, 401, 429 (an empty body included) and 5xx. Auth is HTTP Basic with the
integration's public key and secret key on every call. Refusals come back in the v3
JSON:API shape ``{"errors":[{status, code, detail, source{pointer}}]}`` (tracking uses
FastAPI's ``{"detail": …}``); both are read into ``ErrorObject``s.
"""

from __future__ import annotations

import base64
import json
import urllib.parse
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

import httpx
import pydantic

from shipmux.carriers.errors import CarrierRejected, FeatureUnavailable
from shipmux.carriers.http import CarrierHttp
from shipmux.carriers.sendcloud import schemas as wire
from shipmux.carriers.sendcloud.settings import SendcloudSettings

__all__ = ["API", "SendcloudClient"]

API = "/api/v3"
# GET /orders pages hold at most 200 orders.
PAGE_SIZE = 200


class SendcloudClient:
    """One Sendcloud integration's endpoints; returns wire models, raises ``CarrierError``s."""

    def __init__(self, settings: SendcloudSettings, http: CarrierHttp) -> None:
        self._http = http
        pair = f"{settings.public_key}:{settings.secret_key.get_secret_value()}"
        self._auth = "Basic " + base64.b64encode(pair.encode()).decode()

    # --- account ----------------------------------------------------------------------------

    async def auth_metadata(self) -> wire.AuthMetadata:
        """``GET /user/auth/metadata``: the user and integration of these keys."""
        op = "auth_metadata"
        response = await self._send(op, "GET", "/user/auth/metadata", idempotent=True)
        if response.status_code == 200:
            return self._http.parse(op, response, wire.AuthMetadata)
        self._refuse_or_unexpected(op, response)

    # --- orders -----------------------------------------------------------------------------

    async def create_orders(
        self, orders: Sequence[wire.OrderIn]
    ) -> wire.CreatedOrders | list[wire.ErrorObject]:
        """``POST /orders``: upsert a batch (all or nothing); a refusal's errors are returned.

        Not idempotent as far as ``CarrierHttp`` knows (a 5xx or a lost answer is
        ``OutcomeUnknown``), although re-sending the same orders only updates them.
        """
        op = "create_orders"
        body = [o.model_dump(mode="json", exclude_none=True) for o in orders]
        response = await self._send(op, "POST", "/orders", idempotent=False, json=body)
        if response.status_code in (200, 201):
            return self._http.parse(op, response, wire.CreatedOrders)
        if response.status_code in (400, 409, 422):
            return self.errors(response)
        self._refuse_or_unexpected(op, response)

    async def find_orders(self, order_id: str, integration_id: int) -> list[wire.OrderRead]:
        """``GET /orders?order_id=&integration=``: the integration's orders of that order_id."""
        op = "find_orders"
        params = {"order_id": order_id, "integration": str(integration_id)}
        params["page_size"] = str(PAGE_SIZE)
        response = await self._send(op, "GET", "/orders", idempotent=True, params=params)
        if response.status_code == 200:
            return self._http.parse(op, response, wire.OrdersPage).data
        if response.status_code == 404:
            return []
        self._refuse_or_unexpected(op, response)

    async def get_order(self, sendcloud_id: str) -> wire.OrderRead | None:
        """``GET /orders/{id}``: the order, or None while it is unknown (or not saved yet)."""
        op = "get_order"
        path = f"/orders/{_segment(sendcloud_id)}"
        response = await self._send(op, "GET", path, idempotent=True)
        if response.status_code == 200:
            return self._http.parse(op, response, wire.OrderAnswer).data
        if response.status_code == 404:
            return None
        self._refuse_or_unexpected(op, response)

    async def delete_order(self, sendcloud_id: str) -> bool:
        """``DELETE /orders/{id}``: True when deleted, False when there was no such order."""
        op = "delete_order"
        path = f"/orders/{_segment(sendcloud_id)}"
        response = await self._send(op, "DELETE", path, idempotent=True)
        if response.status_code in (200, 202, 204):
            return True
        if response.status_code == 404:
            return False
        self._refuse_or_unexpected(op, response)

    # --- ship an order ----------------------------------------------------------------------

    async def create_label_sync(self, body: wire.LabelSyncRequest) -> wire.LabelSyncAnswer:
        """``POST /orders/create-label-sync``: announce one order and answer with its label.

        Not idempotent: Sendcloud documents no key, so a lost answer is ``OutcomeUnknown``
        and the connector looks the order's shipments up before asking again.
        """
        op = "create_label_sync"
        response = await self._send(
            op, "POST", "/orders/create-label-sync", idempotent=False, json=_dump(body)
        )
        if response.status_code in (200, 201):
            return self._http.parse(op, response, wire.LabelSyncAnswer)
        self._refuse_or_unexpected(op, response)

    async def create_labels_async(self, body: wire.LabelsAsyncRequest) -> wire.LabelsAsyncAnswer:
        """``POST /orders/create-labels-async``: announce many; per-order errors in ``errors``."""
        op = "create_labels_async"
        response = await self._send(
            op, "POST", "/orders/create-labels-async", idempotent=False, json=_dump(body)
        )
        if response.status_code in (200, 201, 202):
            return self._http.parse(op, response, wire.LabelsAsyncAnswer)
        if response.status_code == 400:
            return wire.LabelsAsyncAnswer(errors=self.errors(response))
        self._refuse_or_unexpected(op, response)

    # --- shipments and documents ------------------------------------------------------------

    async def shipments_of(self, order_number: str) -> list[wire.Shipment]:
        """``GET /shipments?order_number=``: the shipments made for an order, newest first."""
        op = "shipments"
        params = {"order_number": order_number}
        response = await self._send(op, "GET", "/shipments", idempotent=True, params=params)
        if response.status_code == 200:
            return self._http.parse(op, response, wire.ShipmentsPage).data
        if response.status_code == 404:
            return []
        self._refuse_or_unexpected(op, response)

    async def shipment(self, shipment_id: str) -> wire.Shipment | None:
        """``GET /shipments/{id}``: the shipment with its parcels' statuses and documents."""
        op = "shipment"
        path = f"/shipments/{_segment(shipment_id)}"
        response = await self._send(op, "GET", path, idempotent=True)
        if response.status_code == 200:
            return self._http.parse(op, response, wire.ShipmentAnswer).data
        if response.status_code == 404:
            return None
        self._refuse_or_unexpected(op, response)

    async def parcel_label(
        self, parcel_id: str, mime_type: str, dpi: int, paper_size: str | None
    ) -> bytes | None:
        """``GET /parcels/{id}/documents/label`` in the format asked (``Accept``); None: not yet."""
        op = "parcel_document"
        params = {"dpi": str(dpi)}
        if paper_size:
            params["paper_size"] = paper_size
        path = f"/parcels/{_segment(parcel_id)}/documents/label"
        response = await self._send(
            op, "GET", path, idempotent=True, params=params, accept=mime_type
        )
        if response.status_code == 200:
            return response.content
        if response.status_code == 404:
            return None
        self._refuse_or_unexpected(op, response)

    async def cancel_shipment(self, shipment_id: str) -> str:
        """``POST /shipments/{id}/cancel``: ``cancelled`` (200) or ``queued`` (202).

        Repeating it is harmless (an already cancelled shipment answers 409, read by the
        connector), so it is sent as idempotent: a 5xx is plainly retryable.
        """
        op = "cancel_shipment"
        path = f"/shipments/{_segment(shipment_id)}/cancel"
        response = await self._send(op, "POST", path, idempotent=True)
        if response.status_code in (200, 202):
            return "cancelled" if response.status_code == 200 else "queued"
        self._refuse_or_unexpected(op, response)

    async def tracking(self, tracking_number: str) -> wire.TrackingAnswer:
        """``GET /parcels/tracking/{tracking_number}``: the parcel's events (none: 404)."""
        op = "tracking"
        path = f"/parcels/tracking/{_segment(tracking_number)}"
        response = await self._send(op, "GET", path, idempotent=True)
        if response.status_code == 200:
            return self._http.parse(op, response, wire.TrackingAnswer)
        if response.status_code == 404:
            return wire.TrackingAnswer()
        self._refuse_or_unexpected(op, response)

    # --- sending and reading ----------------------------------------------------------------

    async def _send(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        idempotent: bool,
        json: Any = None,
        params: Mapping[str, str] | None = None,
        accept: str = "application/json",
    ) -> httpx.Response:
        headers = {"Authorization": self._auth, "Accept": accept}
        return await self._http.request(
            operation,
            method,
            API + path,
            idempotent=idempotent,
            json=json,
            params=params,
            headers=headers,
        )

    @staticmethod
    def errors(response: httpx.Response) -> list[wire.ErrorObject]:
        """The refusal's errors; a body in no known shape is still one refusal."""
        try:
            raw: Any = json.loads(response.content or b"null")
        except ValueError:
            raw = None
        if isinstance(raw, dict):
            errors = raw.get("errors")
            if isinstance(errors, dict):
                errors = [errors]
            if isinstance(errors, list):
                try:
                    return [wire.ErrorObject.model_validate(e) for e in errors]
                except pydantic.ValidationError:
                    pass
            detail = raw.get("detail") or raw.get("message")
            if isinstance(detail, str):
                return [wire.ErrorObject(detail=detail, status=str(response.status_code))]
        return [wire.ErrorObject(detail=f"refused with HTTP {response.status_code}")]

    def _refuse_or_unexpected(self, operation: str, response: httpx.Response) -> NoReturn:
        """A 400/403/404/409/422 the caller did not expect is a refusal; anything else odd."""
        status = response.status_code
        if status in (400, 404, 409, 422):
            errors = self.errors(response)
            raise CarrierRejected(
                "; ".join(e.text for e in errors),
                carrier_code=errors[0].code,
                **self._http.context(operation, response),
            )
        if status == 403:
            said = "; ".join(e.text for e in self.errors(response))
            raise FeatureUnavailable(
                f"the integration may not do this: {said}",
                **self._http.context(operation, response),
            )
        self._http.unexpected(operation, response)


def _dump(model: pydantic.BaseModel) -> Any:
    return model.model_dump(mode="json", exclude_none=True)


def _segment(value: str) -> str:
    # Identifiers are digits; quoting keeps anything else from changing the path.
    return urllib.parse.quote(value, safe="")
