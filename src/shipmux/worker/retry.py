"""How a failed job is retried: classify the error, then back off with jitter.

The policy reads only the error's class, ``retryable`` and ``retry_after``; no
connector-specific retry logic lives anywhere else.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass

from shipmux.carriers.errors import (
    CarrierAuthFailed,
    CarrierError,
    CarrierParked,
    CarrierRejected,
)

# How long parked work waits when the carrier named no end to its downtime.
PARK_SECONDS = 1800.0

__all__ = ["Action", "Decision", "RetryPolicy"]


class Action(enum.StrEnum):
    RETRY = "retry"  # transient: try again after ``delay``
    ATTENTION = "attention"  # the carrier said no: a person must act
    PAUSE_ACCOUNT = "pause_account"  # credentials refused: stop using the account
    GIVE_UP = "give_up"  # retries exhausted
    PARK = "park"  # the carrier is down for a while: wait, without spending an attempt


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    delay: float = 0.0
    code: str = "error"
    message: str = ""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 8
    base_seconds: float = 2.0
    cap_seconds: float = 600.0

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Exponential backoff with jitter; never sooner than the carrier asked."""
        ceiling = min(self.cap_seconds, self.base_seconds * 2.0 ** max(0, attempt - 1))
        jittered = ceiling * (0.5 + rng.random() / 2)  # "equal jitter": spread, but not to 0
        return max(jittered, retry_after or 0.0)

    def decide(self, exc: BaseException, attempt: int, rng: random.Random) -> Decision:
        """``attempt`` is the number of the try that just failed (1 for the first)."""
        if isinstance(exc, CarrierRejected):
            return Decision(Action.ATTENTION, code=exc.code, message=exc.message)
        if isinstance(exc, CarrierParked):
            delay = exc.retry_after if exc.retry_after is not None else PARK_SECONDS
            return Decision(Action.PARK, delay, exc.code, exc.describe())
        if isinstance(exc, CarrierAuthFailed):
            return Decision(Action.PAUSE_ACCOUNT, code=exc.code, message=exc.message)
        if isinstance(exc, CarrierError) and not exc.retryable:
            return Decision(Action.ATTENTION, code=exc.code, message=exc.message)
        code = exc.code if isinstance(exc, CarrierError) else "internal_error"
        message = exc.describe() if isinstance(exc, CarrierError) else repr(exc)
        if attempt >= self.max_attempts:
            return Decision(Action.GIVE_UP, code=code, message=message)
        retry_after = exc.retry_after if isinstance(exc, CarrierError) else None
        return Decision(Action.RETRY, self.delay(attempt, retry_after, rng), code, message)
