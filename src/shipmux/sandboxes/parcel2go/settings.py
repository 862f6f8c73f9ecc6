"""Settings of the Parcel2Go sandbox (changeable at run time: ``PUT /_sandbox/settings``)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from shipmux.sandboxes.kit.faults import FaultSettings


class WebhookSettings(BaseModel):
    """How webhook delivery behaves, including the two delivery faults."""

    model_config = ConfigDict(extra="forbid")

    # The seed: "we will keep retrying using a backoff algorithm until we get a 200
    # response or hit our limit". The limit is not published; 8 attempts is ours.
    max_attempts: int = Field(default=8, ge=1, le=50)
    # Attempt n waits retry_base_seconds * 2**(n-1) of sandbox-clock time after failing.
    retry_base_seconds: float = Field(default=1.0, ge=0.0)
    timeout_seconds: float = Field(default=5.0, gt=0.0, le=120.0)
    # Real seconds between looks for due webhooks while something is pending.
    poll_interval_seconds: float = Field(default=0.25, gt=0.0, le=60.0)
    # Fault: every successful delivery is sent a second time (same Id and Signature).
    duplicate: bool = False
    # Fault: each delivery is held back and sent after the one that follows it.
    out_of_order: bool = False


class Parcel2GoSandboxSettings(BaseModel):
    """How the simulated Parcel2Go behaves. Defaults follow the seed and research notes."""

    model_config = ConfigDict(extra="forbid")

    # Parcel2Go publishes no limit (research §2: "429 exists; no documented limit").
    # Counted per client_id in calls per second; 0 turns the limiter off.
    rate_limit_per_second: int = Field(default=0, ge=0)
    faults: FaultSettings = Field(default_factory=FaultSettings)
    # Seed and every example: "expires_in": 7200. Shorten it to exercise a client's refresh.
    token_lifetime_seconds: int = Field(default=7200, ge=1)
    # Sandbox-clock seconds between two tracking stages once an order is paid.
    tracking_step_seconds: float = Field(default=3600.0, gt=0.0)
    # Research §5.3: "Sandbox PrePay balances are large (≈£9,800)".
    starting_balance: Decimal = Field(default=Decimal("9800.00"), ge=0)
    # Research §1 [CFW]: a client may need PrePay enabling; when off, /prepay and
    # paywithprepay answer 403.
    prepay_enabled: bool = True
    webhooks: WebhookSettings = Field(default_factory=WebhookSettings)
