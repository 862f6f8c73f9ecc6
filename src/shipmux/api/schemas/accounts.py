"""Carrier accounts over HTTP: secrets go in, never out."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shipmux.services.accounts import AccountView

__all__ = ["AccountIn", "AccountList", "AccountOut"]


class AccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, description="Unique per tenant")
    carrier: str = Field(examples=["click-and-drop"])
    settings: dict[str, Any] = Field(
        default_factory=dict, description="The carrier's account settings, secrets included"
    )
    is_default: bool = False


class AccountOut(BaseModel):
    id: str
    name: str
    carrier: str
    is_default: bool
    paused_reason: str | None
    settings: dict[str, Any] = Field(description="Settings without their secret fields")

    @classmethod
    def from_view(cls, view: AccountView) -> AccountOut:
        return cls(
            id=view.id,
            name=view.name,
            carrier=view.carrier,
            is_default=view.is_default,
            paused_reason=view.paused_reason,
            settings=view.settings,
        )


class AccountList(BaseModel):
    data: list[AccountOut]
