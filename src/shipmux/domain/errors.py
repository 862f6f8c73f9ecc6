"""The domain's error tree: what went wrong, shaped by what the caller does next.

    ShipmuxError
    ├── ValidationFailed        bad input; carries every offending field
    ├── NotFound                no such thing for this tenant
    ├── Conflict                the request clashes with stored state
    │   ├── IdempotencyConflict same Idempotency-Key, different body
    │   └── IllegalTransition   a shipment cannot move from one status to another
    ├── Forbidden               the caller lacks a scope
    └── Unauthenticated         no or unknown API key

Each error carries a stable ``code`` that the API returns to clients.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One offending field: where it is, which rule it broke, in words."""

    field: str
    rule: str
    message: str


class ShipmuxError(Exception):
    """Base of every error the hub raises on purpose."""

    code = "error"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or (self.__doc__ or self.code).strip())

    @property
    def message(self) -> str:
        return str(self.args[0])


class ValidationFailed(ShipmuxError):
    """The input breaks one or more rules."""

    code = "validation_failed"

    def __init__(self, problems: list[FieldProblem], message: str | None = None) -> None:
        self.problems = problems
        fields = ", ".join(p.field for p in problems)
        super().__init__(message or f"invalid fields: {fields}")


class NotFound(ShipmuxError):
    """No such resource for this tenant."""

    code = "not_found"


class Conflict(ShipmuxError):
    """The request clashes with what is stored."""

    code = "conflict"


class IdempotencyConflict(Conflict):
    """This Idempotency-Key was used before with a different request body."""

    code = "idempotency_key_reused"


class IdempotencyInProgress(Conflict):
    """A request with this Idempotency-Key is still being processed."""

    code = "idempotency_key_in_progress"


class IllegalTransition(Conflict):
    """The shipment cannot move from its current status to the one asked for."""

    code = "illegal_transition"


class Forbidden(ShipmuxError):
    """The API key lacks the scope this operation needs."""

    code = "forbidden"


class CarrierCallFailed(ShipmuxError):
    """The carrier could not answer a call made while the client waits."""

    code = "carrier_call_failed"


class WebhookReplayed(Conflict):
    """This webhook id was already taken; a replay is refused and changes nothing."""

    code = "webhook_replayed"


class Unauthenticated(ShipmuxError):
    """No API key, or one that is unknown or revoked."""

    code = "unauthenticated"


class WebhookNotAuthentic(Unauthenticated):
    """A webhook whose signature does not match, or that is too old, or unreadable."""

    code = "webhook_not_authentic"


@dataclass(frozen=True, slots=True)
class Rejection:
    """A rejected item of a batch: its position and every problem found."""

    index: int
    problems: list[FieldProblem] = field(default_factory=list)
