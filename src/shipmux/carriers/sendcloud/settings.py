"""Settings of one Sendcloud account: its API integration's keys, labels and defaults."""

from __future__ import annotations

import secrets
from typing import Any, Literal, Self

from pydantic import Field, SecretStr

from shipmux.carriers.settings import CarrierAccountSettings

__all__ = ["SANDBOX_BASE_URL", "SANDBOX_SHIPPING_OPTION", "LabelDpi", "SendcloudSettings"]

# The sandbox as `shipmux sandbox serve` mounts it. The base URL is the site root: the API
# is under {root}/api/v3. Live is https://panel.sendcloud.sc.
SANDBOX_BASE_URL = "http://127.0.0.1:8000/sandbox/sendcloud"

# The shipping option of the spec's own examples (ship-an-order, shipments).
SANDBOX_SHIPPING_OPTION = "postnl:standard"

LabelDpi = Literal[72, 150, 203, 300, 600]


class SendcloudSettings(CarrierAccountSettings):
    """One Sendcloud API integration (Settings > Integrations > Sendcloud API)."""

    base_url: str = SANDBOX_BASE_URL
    public_key: str = Field(min_length=1, max_length=200, description="Basic auth username")
    secret_key: SecretStr = Field(description="Basic auth password; also signs webhooks")
    integration_id: int | None = Field(
        default=None, ge=1, description="None: read once from GET /api/v3/user/auth/metadata"
    )
    webhook_signing_key: SecretStr | None = Field(
        default=None,
        description="The integration's Webhook Signature Key, accepted as well as the secret key",
    )
    default_shipping_option: str | None = Field(
        default=None,
        max_length=200,
        description="shipping_option_code for orders that name no service_code",
    )
    contract_id: int | None = Field(default=None, ge=1, description="ship_with contract")
    sender_address_id: int | None = Field(
        default=None, ge=1, description="None: the account's default sender address"
    )
    label_dpi: LabelDpi = 72
    label_paper_size: Literal["A4", "A5", "A6"] | None = None
    # 100 unsafe calls a minute (burst 15/s) and 1,000 reads a minute, per Sendcloud
    # account and shared by its keys (research §1.2). Our limiter spaces every call alike:
    # 1.5/s (1.65/s with the limiter's margin) is 99 calls a minute at most.
    rate_limit_per_second: float = Field(default=1.5, ge=0)

    @classmethod
    def for_sandbox(cls, sandbox_root: str, **overrides: Any) -> Self:
        """Settings for a sandbox app served at ``sandbox_root``, with fresh keys."""
        values: dict[str, Any] = {
            "base_url": sandbox_root.rstrip("/"),
            "public_key": secrets.token_hex(16),
            "secret_key": SecretStr(secrets.token_hex(16)),
            "default_shipping_option": SANDBOX_SHIPPING_OPTION,
        }
        values.update(overrides)
        return cls.model_validate(values)
