"""Errors every connector raises, shaped by what the caller must do next.

    CarrierError                 base: carrier, operation, HTTP status, body excerpt
    ├── CarrierRejected          the carrier understood and said no (fields named); not retryable
    │   ├── FeatureUnavailable   the account cannot do this (e.g. labels on an OLP account)
    │   └── PriceChanged         the price rose past what the tenant accepts; nothing was paid
    ├── CarrierAuthFailed        credentials wrong or expired; pause the account
    ├── CarrierRateLimited       retry after ``retry_after`` seconds
    ├── CarrierUnavailable       it surely did not take effect (refused, 5xx on a read); retry
    │   └── CarrierParked        the courier is down (scheduled): later, no attempt spent
    ├── OutcomeUnknown           sent, but no answer: look it up before any retry
    └── CarrierProtocolError     an answer our wire models reject; alert, do not retry

    WebhookRejected              a webhook that is not authentic, too old or malformed

Connectors translate httpx errors and carrier answers into this tree in
``carriers.http``; nothing from httpx leaks past a connector. The worker's retry
policy reads only ``retryable`` and ``retry_after``.
"""

from __future__ import annotations

from shipmux.domain.errors import FieldProblem

__all__ = [
    "CarrierAuthFailed",
    "CarrierError",
    "CarrierParked",
    "CarrierProtocolError",
    "CarrierRateLimited",
    "CarrierRejected",
    "CarrierUnavailable",
    "FeatureUnavailable",
    "OutcomeUnknown",
    "PriceChanged",
    "WebhookRejected",
]


class CarrierError(Exception):
    """A carrier call failed."""

    code = "carrier_error"
    retryable = False

    def __init__(
        self,
        message: str,
        *,
        carrier: str = "",
        operation: str = "",
        status: int | None = None,
        carrier_code: str | None = None,
        body_excerpt: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.carrier = carrier
        self.operation = operation
        self.status = status
        self.carrier_code = carrier_code
        self.body_excerpt = body_excerpt
        self.retry_after = retry_after

    @property
    def message(self) -> str:
        return str(self.args[0])

    def describe(self) -> str:
        where = f"{self.carrier}.{self.operation}" if self.operation else self.carrier
        status = f" HTTP {self.status}" if self.status is not None else ""
        return f"{where}{status}: {self.message}"


class CarrierRejected(CarrierError):
    """The carrier refused the request; a person must change something."""

    code = "carrier_rejected"

    def __init__(self, message: str, *, problems: list[FieldProblem] | None = None, **kw: object):
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.problems = problems or []


class FeatureUnavailable(CarrierRejected):
    """The carrier account cannot do this at all."""

    code = "carrier_feature_unavailable"


class PriceChanged(CarrierRejected):
    """The verified price is above the most the tenant accepts; no money moved."""

    code = "carrier_price_changed"

    def __init__(self, message: str, *, quoted: str, verified: str, **kw: object):
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.quoted = quoted
        self.verified = verified


class CarrierAuthFailed(CarrierError):
    """The carrier refused our credentials."""

    code = "carrier_auth_failed"


class CarrierRateLimited(CarrierError):
    """The carrier asked us to slow down."""

    code = "carrier_rate_limited"
    retryable = True


class CarrierUnavailable(CarrierError):
    """The carrier could not be reached or failed before acting; safe to retry."""

    code = "carrier_unavailable"
    retryable = True


class CarrierParked(CarrierUnavailable):
    """The carrier or its courier announced downtime: nothing was done; come back later.

    ``retry_after`` says when (the end of the window, if the carrier said). The hub parks
    the work until then without spending one of its attempts.
    """

    code = "carrier_parked"


class OutcomeUnknown(CarrierError):
    """The request was sent but no answer came: it may have taken effect."""

    code = "carrier_outcome_unknown"
    retryable = True


class CarrierProtocolError(CarrierError):
    """The carrier answered with something we do not understand."""

    code = "carrier_protocol_error"


class WebhookRejected(Exception):
    """A webhook we must not act on: bad signature, outside the time window, or malformed.

    ``reason`` is a stable code (``bad_signature``, ``stale``, ``malformed``) the hub
    answers with; the message never repeats the secret or the expected signature.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
