"""What every carrier account's settings have in common."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr

__all__ = ["CarrierAccountSettings"]


class CarrierAccountSettings(BaseModel):
    """Base of each carrier's account settings; secrets are ``SecretStr`` fields.

    The default ``base_url`` of every subclass points at that carrier's sandbox.
    """

    model_config = ConfigDict(extra="forbid")

    base_url: str
    timeout_seconds: float = Field(default=15.0, gt=0, le=300)
    connect_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    rate_limit_per_second: float = Field(default=0, ge=0, description="0: no limit of ours")

    def plain_values(self) -> dict[str, Any]:
        """Every setting as plain JSON, secrets revealed: what ``connect_account`` takes."""
        values: dict[str, Any] = self.model_dump(mode="json", exclude_none=True)
        for name, value in self.__dict__.items():
            if isinstance(value, SecretStr):
                values[name] = value.get_secret_value()
        return values

    def secret_values(self) -> list[str]:
        """Every secret this account holds, for redaction."""
        return [
            value.get_secret_value()
            for value in self.__dict__.values()
            if isinstance(value, SecretStr)
        ]
