"""Fault injection shared by every sandbox: errors, latency, downtime, 429 bursts, hangs.

A sandbox asks ``FaultInjector.plan()`` once per vendor-API call, before it touches any
state, and renders the chosen fault in its own carrier's error body. Only the
commit-then-timeout fault runs the handler: it stores the change and then holds the
response, which is how a client learns what "the outcome is unknown" feels like.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator


class DowntimeWindow(BaseModel):
    """A period of simulated time during which every call is answered 503."""

    model_config = ConfigDict(extra="forbid")

    start: AwareDatetime
    end: AwareDatetime

    @model_validator(mode="after")
    def _end_after_start(self) -> Self:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        return self

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


class FaultSettings(BaseModel):
    """What can go wrong, and how often. All off by default."""

    model_config = ConfigDict(extra="forbid")

    error_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    latency_ms: int = Field(default=0, ge=0, le=600_000)
    downtime: list[DowntimeWindow] = Field(default_factory=list)
    burst_429: int = Field(default=0, ge=0)
    commit_then_timeout_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    hang_seconds: float = Field(default=30.0, ge=0.0, le=3600.0)
    seed: int | None = None


class FaultKind(StrEnum):
    DOWNTIME = "downtime"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"


@dataclass(frozen=True, slots=True)
class Fault:
    """A call that must be refused; the sandbox renders it in its carrier's error shape."""

    kind: FaultKind
    status: int
    retry_after_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """What to do with one call: refuse it, delay it, and/or hold its response."""

    fault: Fault | None
    latency_seconds: float
    hang_seconds: float


class FaultInjector:
    """Holds the live ``FaultSettings`` and draws from a seedable random source."""

    def __init__(self, settings: FaultSettings | None = None) -> None:
        self._settings = FaultSettings()
        self._random = random.Random()
        self.configure(settings or FaultSettings())

    @property
    def settings(self) -> FaultSettings:
        # A copy, so callers cannot change the burst counter behind the injector's back.
        return self._settings.model_copy(deep=True)

    def configure(self, settings: FaultSettings) -> None:
        self._settings = settings.model_copy(deep=True)
        # A fresh Random per configuration: the same seed replays the same sequence.
        self._random = random.Random(settings.seed)

    def plan(self, now: datetime, *, mutating: bool) -> FaultPlan:
        settings = self._settings
        latency = settings.latency_ms / 1000.0
        # Draw both numbers on every call so a seeded run is reproducible whatever the outcome.
        error_roll = self._random.random()
        hang_roll = self._random.random()
        fault = self._refusal(now, error_roll)
        hang = 0.0
        if fault is None and mutating and hang_roll < settings.commit_then_timeout_rate:
            hang = settings.hang_seconds
        return FaultPlan(fault=fault, latency_seconds=latency, hang_seconds=hang)

    def _refusal(self, now: datetime, error_roll: float) -> Fault | None:
        settings = self._settings
        for window in settings.downtime:
            if window.contains(now):
                remaining = (window.end - now).total_seconds()
                return Fault(FaultKind.DOWNTIME, 503, retry_after_seconds=remaining)
        if settings.burst_429 > 0:
            settings.burst_429 -= 1
            return Fault(FaultKind.RATE_LIMITED, 429, retry_after_seconds=1.0)
        if error_roll < settings.error_rate:
            return Fault(FaultKind.SERVER_ERROR, 500)
        return None
