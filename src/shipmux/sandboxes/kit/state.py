"""The part of a sandbox's state every per-key rate-limited sandbox wires the same way.

A sandbox's ``SandboxState`` dataclass extends ``LimitedSandboxState``: it holds the
settings it was created with (``initial``) and the live ones, the sandbox clock, the
fault injector and the per-key rate limiter, kept in step by ``apply_settings()``.
``reset()`` clears the limiter and goes back to ``initial``; a sandbox clears its own
data first, then calls it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, Protocol, Self, TypeVar

from shipmux.sandboxes.kit.clock import SandboxClock
from shipmux.sandboxes.kit.faults import FaultInjector, FaultSettings
from shipmux.sandboxes.kit.rate_limit import SlidingWindowRateLimiter


class LimitedSettings(Protocol):
    """Settings with the fault plan and a per-key limit in calls per second (0 is off)."""

    @property
    def faults(self) -> FaultSettings: ...

    @property
    def rate_limit_per_second(self) -> int: ...

    def model_copy(self, *, deep: bool = False) -> Self: ...


S = TypeVar("S", bound=LimitedSettings)


@dataclass
class LimitedSandboxState(Generic[S]):
    initial: S
    settings: S = field(init=False)
    clock: SandboxClock = field(default_factory=SandboxClock)
    faults: FaultInjector = field(default_factory=FaultInjector)
    limiter: SlidingWindowRateLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.settings = self.initial.model_copy(deep=True)
        self.faults.configure(self.settings.faults)
        self.limiter = SlidingWindowRateLimiter(self.settings.rate_limit_per_second)

    def apply_settings(self, settings: S) -> None:
        self.settings = settings
        self.limiter.limit = settings.rate_limit_per_second
        self.faults.configure(settings.faults)

    def reset(self) -> None:
        self.limiter.reset()
        self.apply_settings(self.initial.model_copy(deep=True))
