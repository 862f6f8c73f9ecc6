"""The routing policy over HTTP: the domain's model in, the same plus ``updated_at`` out."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from shipmux.domain.routing import RoutingPolicy
from shipmux.services.routing import StoredPolicy

__all__ = ["RoutingPolicyOut"]


class RoutingPolicyOut(RoutingPolicy):
    updated_at: datetime | None = Field(description="null: never set, the defaults apply")

    @classmethod
    def of(cls, stored: StoredPolicy) -> RoutingPolicyOut:
        return cls.model_validate(stored.policy.model_dump() | {"updated_at": stored.updated_at})
