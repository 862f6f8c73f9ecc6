"""Building blocks shared by every carrier sandbox (nothing carrier-specific lives here)."""

from __future__ import annotations

from shipmux.sandboxes.kit.clock import SandboxClock, format_timestamp, parse_timestamp
from shipmux.sandboxes.kit.control import CONTROL_PREFIX, control_mount
from shipmux.sandboxes.kit.faults import (
    DowntimeWindow,
    Fault,
    FaultInjector,
    FaultKind,
    FaultPlan,
    FaultSettings,
)
from shipmux.sandboxes.kit.rate_limit import SlidingWindowRateLimiter
from shipmux.sandboxes.kit.raw_routing import RAW_SEGMENTS_KEY, RawPrefixRoute, raw_route_segments

__all__ = [
    "CONTROL_PREFIX",
    "RAW_SEGMENTS_KEY",
    "DowntimeWindow",
    "Fault",
    "FaultInjector",
    "FaultKind",
    "FaultPlan",
    "FaultSettings",
    "RawPrefixRoute",
    "SandboxClock",
    "SlidingWindowRateLimiter",
    "control_mount",
    "format_timestamp",
    "parse_timestamp",
    "raw_route_segments",
]
