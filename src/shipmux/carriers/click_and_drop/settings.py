"""Settings of one Royal Mail Click & Drop account: its key, account type and defaults."""

from __future__ import annotations

import uuid
from typing import Any, Literal, Self

from pydantic import Field, SecretStr

from shipmux.carriers.settings import CarrierAccountSettings

__all__ = ["SANDBOX_BASE_URL", "ClickAndDropSettings"]

# The sandbox as `shipmux sandbox serve` mounts it; the live API is
# https://api.parcel.royalmail.com/api/v1 and has no test environment of its own.
SANDBOX_BASE_URL = "http://127.0.0.1:8000/sandbox/click-and-drop/api/v1"


class ClickAndDropSettings(CarrierAccountSettings):
    """One Click & Drop API integration (one per Click & Drop account)."""

    base_url: str = SANDBOX_BASE_URL
    api_key: SecretStr = Field(description="The integration's auth key (Settings > Integrations)")
    # Both forms work against the live API (research §1); the spec documents "Bearer <key>".
    auth_scheme: Literal["bearer", "raw"] = "bearer"
    # OBA accounts get labels and manifests through the API; OLP accounts do not.
    account_type: Literal["OBA", "OLP"] = "OBA"
    default_service_code: str | None = Field(default=None, max_length=10)
    default_package_format: str | None = Field(
        default=None, description="Click & Drop packageFormatIdentifier used when none maps"
    )
    trading_name: str | None = Field(default=None, max_length=250)
    include_customs_documents: bool = Field(
        default=True, description="Ask for CN22/CN23 with labels (overrides the account setting)"
    )
    rate_limit_per_second: float = Field(default=5, ge=0, description="The spec's 5 calls/s")

    @classmethod
    def for_sandbox(cls, sandbox_root: str, **overrides: Any) -> Self:
        """Settings for a sandbox app served at ``sandbox_root``, with a fresh key.

        Keys look like the live ones (36-character GUIDs), so clients that check
        the key's shape accept it.
        """
        values: dict[str, Any] = {
            "base_url": sandbox_root.rstrip("/") + "/api/v1",
            "api_key": SecretStr(str(uuid.uuid4())),
        }
        values.update(overrides)
        return cls.model_validate(values)
