"""Orders over HTTP: the documented request body and every response shape.

The request models exist for OpenAPI only; the route parses the body itself so
that each order is judged on its own (see ``shipmux.api.payloads``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shipmux.api.schemas.common import FieldError
from shipmux.domain.orders import Order
from shipmux.services.intake import OrderResult
from shipmux.services.orders import OrderView

__all__ = [
    "AttemptOut",
    "BatchOut",
    "BatchResultOut",
    "IntakeOut",
    "OrderBatchIn",
    "OrderOut",
    "OrderPage",
    "OrderSummaryOut",
    "TransitionOut",
]

Outcome = Literal["created", "updated", "existing", "rejected"]


class OrderBatchIn(BaseModel):
    """Up to ``api.max_batch`` (500) orders in one request; each is judged on its own."""

    orders: list[Order] = Field(min_length=1, max_length=500)


class Links(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    self_: str = Field(alias="self", description="Absolute URL of the order")


class IntakeOut(BaseModel):
    """The answer to one order: stored (created), edited (updated) or already there (existing)."""

    order_id: str
    reference: str
    status: str
    outcome: Literal["created", "updated", "existing"]
    links: Links

    @classmethod
    def from_result(cls, result: OrderResult, url: str) -> IntakeOut:
        return cls.model_validate(
            {
                "order_id": result.order_id,
                "reference": result.reference,
                "status": result.status,
                "outcome": result.outcome,
                "links": {"self": url},
            }
        )


class BatchResultOut(BaseModel):
    index: int = Field(description="Position of the order in the request")
    reference: str | None
    outcome: Outcome
    order_id: str | None
    status: str | None
    errors: list[FieldError]

    @classmethod
    def from_result(cls, result: OrderResult) -> BatchResultOut:
        return cls.model_validate(result.to_json())


class BatchOut(BaseModel):
    """A batch with at least one stored order; rejected ones are named in ``results``."""

    success_count: int
    error_count: int
    results: list[BatchResultOut]

    @classmethod
    def from_results(cls, results: list[OrderResult]) -> BatchOut:
        failed = sum(1 for r in results if r.outcome == "rejected")
        return cls(
            success_count=len(results) - failed,
            error_count=failed,
            results=[BatchResultOut.from_result(r) for r in results],
        )


class AttemptOut(BaseModel):
    operation: str
    outcome: str
    error_code: str | None
    message: str | None
    exchange_ids: list[int]
    at: datetime


class TransitionOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: str | None = Field(alias="from")
    to: str
    reason: str | None
    at: datetime


class ChargeOut(BaseModel):
    quoted: float | None = Field(description="The price routing chose it at, with VAT")
    price: float | None = Field(description="What the carrier charges, with VAT")
    currency: str | None
    paid_at: datetime | None


class TrackingEventOut(BaseModel):
    stage: str
    carrier_code: str | None
    description: str | None
    location: str | None
    source: str = Field(description="webhook | poll")
    occurred_at: datetime
    notification: str = Field(
        description="What the merchant's endpoints were told: queued | "
        "suppressed: older than 24h | no endpoint | none (not a change of stage)"
    )


class CaseOut(BaseModel):
    case_id: str
    type: str
    status: str
    reference: str | None
    updated_at: datetime


class OrderSummaryOut(BaseModel):
    """An order with its shipment's state, as listed."""

    id: str
    reference: str
    status: str
    carrier: str | None
    carrier_account: str | None
    carrier_order_id: str | None
    tracking_number: str | None
    has_label: bool
    label_url: str | None = Field(description="Where to fetch the label once it is stored")
    label_media_type: str | None
    problems: list[dict[str, Any]]
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    labelled_at: datetime | None
    despatched_at: datetime | None
    cancelled_at: datetime | None
    delivered_at: datetime | None
    service_code: str | None
    routed_by: str | None = Field(description="explicit, rule:<n>, cheapest or fastest")
    charge: ChargeOut | None
    tracking_stage: str | None
    last_event_at: datetime | None = Field(
        default=None, description="The carrier's time of its latest tracking event"
    )
    last_checked_at: datetime | None = Field(
        default=None, description="When the hub last polled the carrier for this shipment"
    )
    next_check_at: datetime | None = Field(
        default=None, description="When the hub polls next; null: never (final, or unpollable)"
    )
    last_update_source: str | None = Field(
        default=None, description="Where the latest tracking news came from: push or poll"
    )
    stuck_since: datetime | None = Field(
        default=None, description="Set when nothing moved for the tenant's stuck_after_hours"
    )
    order: dict[str, Any] = Field(description="The order as stored")

    @classmethod
    def fields_of(cls, view: OrderView, label_url: str | None) -> dict[str, Any]:
        return {
            "id": view.id,
            "reference": view.reference,
            "status": view.status,
            "carrier": view.carrier,
            "carrier_account": view.carrier_account,
            "carrier_order_id": view.carrier_order_id,
            "tracking_number": view.tracking_number,
            "has_label": view.has_label,
            "label_url": label_url if view.has_label else None,
            "label_media_type": view.label_media_type,
            "problems": view.problems,
            "last_error": view.last_error,
            "created_at": view.created_at,
            "updated_at": view.updated_at,
            "submitted_at": view.submitted_at,
            "labelled_at": view.labelled_at,
            "despatched_at": view.despatched_at,
            "cancelled_at": view.cancelled_at,
            "delivered_at": view.delivered_at,
            "service_code": view.service_code,
            "routed_by": view.routed_by,
            "charge": view.charge,
            "tracking_stage": view.tracking_stage,
            "last_event_at": view.last_event_at,
            "last_checked_at": view.last_checked_at,
            "next_check_at": view.next_check_at,
            "last_update_source": view.last_update_source,
            "stuck_since": view.stuck_since,
            "order": view.order,
        }

    @classmethod
    def from_view(cls, view: OrderView, label_url: str | None) -> OrderSummaryOut:
        return cls.model_validate(cls.fields_of(view, label_url))


class OrderOut(OrderSummaryOut):
    """One order in full: what was tried at the carrier and every status change."""

    pending_action: str | None = Field(description="Work the worker still has to do")
    attempts: list[AttemptOut]
    history: list[TransitionOut]
    tracking: list[TrackingEventOut]
    cases: list[CaseOut]

    @classmethod
    def from_view(cls, view: OrderView, label_url: str | None) -> OrderOut:
        return cls.model_validate(
            cls.fields_of(view, label_url)
            | {
                "pending_action": view.pending_action,
                "attempts": view.attempts,
                "history": view.history,
                "tracking": view.tracking,
                "cases": view.cases,
            }
        )


class OrderPage(BaseModel):
    data: list[OrderSummaryOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page")
