"""Settings of the Clickpost sandbox (changeable at run time: ``PUT /_sandbox/settings``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from shipmux.sandboxes.kit.faults import FaultSettings

# Research §3 pitfall 3: couriers' scheduled downtime shows as 319 or 322; the docs name
# no dedicated code, so the window says which of the two it answers.
DowntimeStatus = Literal[319, 322]


class CourierDowntime(BaseModel):
    """A courier partner that refuses manifestation for a window of sandbox-clock time."""

    model_config = ConfigDict(extra="forbid")

    courier_partner_id: int = Field(ge=1)
    start: AwareDatetime
    end: AwareDatetime
    status: DowntimeStatus = 322

    @model_validator(mode="after")
    def _end_after_start(self) -> Self:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


class WebhookSettings(BaseModel):
    """Delivery rules from the seed, plus the two delivery faults."""

    model_config = ConfigDict(extra="forbid")

    # Seed: "Clickpost send any status update 3 times".
    max_attempts: int = Field(default=3, ge=1, le=10)
    # Seed: "Api should be fast with timeout of 2 second".
    timeout_seconds: float = Field(default=2.0, gt=0.0, le=60.0)
    # No schedule is published; sandbox-clock seconds between two tries of one status.
    retry_interval_seconds: float = Field(default=60.0, ge=0.0)
    # Real seconds between looks for due webhooks while something is pending.
    poll_interval_seconds: float = Field(default=0.25, gt=0.0, le=60.0)
    # Fault: every delivered webhook is sent a second time (same order_status_id).
    duplicate: bool = False
    # Fault: webhooks are sent in swapped pairs ("Order of status data ... not guaranteed").
    out_of_order: bool = False

    def retry_delay(self, attempts: int) -> float:
        return self.retry_interval_seconds


class ClickpostSandboxSettings(BaseModel):
    """How the simulated Clickpost behaves."""

    model_config = ConfigDict(extra="forbid")

    faults: FaultSettings = Field(default_factory=FaultSettings)
    # Research §3 pitfall 8: 429 exists, no numbers published. Per username; 0 is off.
    rate_limit_per_second: int = Field(default=0, ge=0)
    # Sandbox-clock seconds between two tracking statuses of a shipment.
    tracking_step_seconds: float = Field(default=3600.0, gt=0.0)
    # _create.md "Processing Async API requests": couriers without a sync API are async
    # for every order; ``additional.async: true`` makes one order async.
    async_courier_partner_ids: list[int] = Field(default_factory=list)
    # _create.md: "Generally it takes 30 sec for the courier to process the request".
    async_processing_seconds: float = Field(default=30.0, ge=0.0)
    courier_downtime: list[CourierDowntime] = Field(default_factory=list)
    # courier_partner_id (as text) -> the account codes saved for it. With two or more and
    # no account_code in the order: 352; an unknown account_code: 351. Empty: any goes.
    courier_account_codes: dict[str, list[str]] = Field(default_factory=dict)
    # docs.clickpost.ai: "comma separated, upto 5" (the 2020 slate said 15).
    track_max_waybills: int = Field(default=5, ge=1, le=100)
    webhooks: WebhookSettings = Field(default_factory=WebhookSettings)
