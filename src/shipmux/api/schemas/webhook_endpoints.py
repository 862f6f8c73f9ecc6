"""Merchant webhook endpoints and their deliveries over HTTP; a secret leaves only once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shipmux.carriers.base import TrackingStage
from shipmux.services.notifications.deliveries import AttemptView, DeliveryState, DeliveryView
from shipmux.services.notifications.endpoints import EndpointSpec, EndpointView

__all__ = [
    "DeliveryList",
    "DeliveryOut",
    "EndpointCreated",
    "EndpointIn",
    "EndpointList",
    "EndpointOut",
    "SecretRotated",
]


class EndpointIn(BaseModel):
    """An endpoint as the tenant describes it; PUT sends the whole of it again."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2000, examples=["https://shop.example/hooks/shipmux"])
    description: str = Field(default="", max_length=500)
    stages: list[TrackingStage] | None = Field(
        default=None,
        description="The tracking stages to be told about; null for every event",
        examples=[["out_for_delivery", "delivered", "exception"]],
    )
    enabled: bool = True

    def spec(self) -> EndpointSpec:
        return EndpointSpec(self.url, self.description, self.stages, self.enabled)


class EndpointOut(BaseModel):
    id: str
    url: str
    description: str
    stages: list[str] | None
    enabled: bool
    disabled_reason: str | None = Field(description="Why it is off: 410 Gone, the tenant…")
    previous_secret_until: datetime | None = Field(
        description="Until then the secret before the last rotation also signs"
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_view(cls, view: EndpointView) -> EndpointOut:
        return cls(
            id=view.id,
            url=view.url,
            description=view.description,
            stages=view.stages,
            enabled=view.enabled,
            disabled_reason=view.disabled_reason,
            previous_secret_until=view.previous_secret_until,
            created_at=view.created_at,
            updated_at=view.updated_at,
        )


class EndpointCreated(EndpointOut):
    secret: str = Field(description="The signing secret (whsec_…); shown this once only")

    @classmethod
    def from_view(cls, view: EndpointView) -> EndpointCreated:
        assert view.secret is not None
        return cls(**EndpointOut.from_view(view).model_dump(), secret=view.secret)


class SecretRotated(BaseModel):
    id: str
    secret: str = Field(description="The new signing secret; shown this once only")
    previous_secret_until: datetime | None


class EndpointList(BaseModel):
    data: list[EndpointOut]


class AttemptOut(BaseModel):
    status: int | None = Field(description="The endpoint's HTTP status; null: no answer")
    duration_ms: float
    error: str | None
    at: datetime

    @classmethod
    def from_view(cls, view: AttemptView) -> AttemptOut:
        return cls(status=view.status, duration_ms=view.duration_ms, error=view.error, at=view.at)


class DeliveryOut(BaseModel):
    id: str
    endpoint_id: str
    message_id: str = Field(description="The webhook-id header: one per event, for dedupe")
    event_type: str
    state: DeliveryState
    attempts: int = Field(description="Tries since it was queued or last replayed")
    next_attempt_at: datetime | None
    last_status: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    payload: dict[str, Any]
    history: list[AttemptOut] | None = Field(
        default=None, description="Every try, oldest first (on the single delivery only)"
    )

    @classmethod
    def from_view(cls, view: DeliveryView, *, with_history: bool = False) -> DeliveryOut:
        return cls(
            id=view.id,
            endpoint_id=view.endpoint_id,
            message_id=view.message_id,
            event_type=view.event_type,
            state=view.state,
            attempts=view.attempts,
            next_attempt_at=view.next_attempt_at,
            last_status=view.last_status,
            last_error=view.last_error,
            created_at=view.created_at,
            delivered_at=view.delivered_at,
            payload=view.payload,
            history=[AttemptOut.from_view(a) for a in view.history] if with_history else None,
        )


class DeliveryList(BaseModel):
    data: list[DeliveryOut]
