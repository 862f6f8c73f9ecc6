"""Settings of the Sendcloud sandbox (changeable at run time: ``PUT /_sandbox/settings``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from shipmux.sandboxes.kit.faults import FaultSettings


class RateLimitSettings(BaseModel):
    """Sendcloud's documented budget, per account and shared by all its keys (research §1.2).

    0 turns a limit off.
    """

    model_config = ConfigDict(extra="forbid")

    unsafe_per_minute: int = Field(default=100, ge=0)
    unsafe_burst_per_second: int = Field(default=15, ge=0)
    safe_per_minute: int = Field(default=1000, ge=0)


class WebhookSettings(BaseModel):
    """Delivery of ``parcel_status_changed``, including the two delivery faults."""

    model_config = ConfigDict(extra="forbid")

    # Research §1.6: "retry ... 10 times with an exponential delay. Starting with a 5
    # minute delay, and a maximum delay of 1 hour between retries" (sandbox-clock time).
    max_retries: int = Field(default=10, ge=0, le=50)
    first_retry_delay_seconds: float = Field(default=300.0, ge=0.0)
    max_retry_delay_seconds: float = Field(default=3600.0, ge=0.0)
    timeout_seconds: float = Field(default=5.0, gt=0.0, le=120.0)
    # Real seconds between looks for due webhooks while something is pending.
    poll_interval_seconds: float = Field(default=0.25, gt=0.0, le=60.0)
    # Fault: every delivered webhook is sent a second time (same bytes, same signature).
    duplicate: bool = False
    # Fault: each first delivery is held back and sent after the one that follows it.
    out_of_order: bool = False


class SendcloudSandboxSettings(BaseModel):
    """How the simulated Sendcloud behaves. Defaults follow the spec and research notes."""

    model_config = ConfigDict(extra="forbid")

    faults: FaultSettings = Field(default_factory=FaultSettings)
    rate_limits: RateLimitSettings = Field(default_factory=RateLimitSettings)
    webhooks: WebhookSettings = Field(default_factory=WebhookSettings)
    # Orders are saved asynchronously: readable this many sandbox-clock seconds later.
    order_save_delay_seconds: float = Field(default=0.3, ge=0.0, le=3600.0)
    # Fault: chance that POST /orders arriving while the integration's previous batch is
    # still being saved gets the documented 400 "still processing a previous request".
    processing_conflict_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    # Fault: chance that a label request's carrier announcement fails (201, ANNOUNCEMENT_FAILED).
    announcement_failure_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    # Sandbox-clock seconds between two parcel statuses.
    tracking_step_seconds: float = Field(default=3600.0, gt=0.0)
    # A queued cancellation (POST /shipments/{id}/cancel answered 202) completes this many
    # sandbox-clock seconds later. The spec: a "ready to send" parcel "will be watched for
    # 14 days and if nothing has changed ... it will be cancelled".
    cancellation_watch_seconds: float = Field(default=14 * 86400.0, ge=0.0)
    seed: int | None = None
