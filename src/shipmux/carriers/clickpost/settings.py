"""Settings of one Clickpost account: credentials, API version, courier allocation, pickup."""

from __future__ import annotations

import secrets
import urllib.parse
import uuid
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from shipmux.carriers.settings import CarrierAccountSettings
from shipmux.domain.orders import Address

__all__ = [
    "SANDBOX_BASE_URL",
    "SANDBOX_PICKUP_ADDRESS",
    "BoxCm",
    "ClickpostSettings",
    "CourierAccount",
]

# The sandbox as `shipmux sandbox serve` mounts it. The base URL is one root serving every
# Clickpost path (/api/v3/create-order/, /api/v2/track-order/, ...). Live is
# https://www.clickpost.in (api.clickpost.in serves the same paths for tracking).
SANDBOX_BASE_URL = "http://127.0.0.1:8000/sandbox/clickpost"

# A UK warehouse, for v4 (international) sandbox accounts.
SANDBOX_PICKUP_ADDRESS = Address(
    name="Shipmux Warehouse",
    line1="1 Dock Road",
    city="London",
    county="Greater London",
    postcode="E16 1AA",
    country="GB",
    phone="02071234567",
    email="warehouse@example.com",
)


class CourierAccount(BaseModel):
    """One transporter on Clickpost: its ``courier_partner_id`` and the account's code.

    Clickpost's guideline: "store the mapping of your transporters, Clickpost
    courier_partner_id and account_code in your system" (seed 003).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    courier_partner_id: int = Field(gt=0, description="Clickpost's courier id (cp_id)")
    account_code: str | None = Field(
        default=None, min_length=1, max_length=100, description="Dashboard account code"
    )


class BoxCm(BaseModel):
    """The box sent when a package has no dimensions: Clickpost requires them (cm)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    length: int = Field(default=10, gt=0, le=1000)
    breadth: int = Field(default=10, gt=0, le=1000)
    height: int = Field(default=10, gt=0, le=1000)


class ClickpostSettings(CarrierAccountSettings):
    """One Clickpost account (username and API key), and how its orders pick a courier."""

    base_url: str = SANDBOX_BASE_URL
    username: str = Field(min_length=1, max_length=200)
    key: SecretStr
    # v3 is India only (6-digit pincodes, GST); v4 is MENA, EU, US, SEA and the UK.
    api_version: Literal["v3", "v4"] = "v4"
    couriers: dict[str, CourierAccount] = Field(
        default_factory=dict, description="Our service codes -> Clickpost courier and account"
    )
    default_courier: CourierAccount | None = Field(
        default=None, description="The courier of orders that name no service code"
    )
    pickup_address: Address | None = Field(
        default=None, description="Where the courier collects when an order has no sender"
    )
    return_address: Address | None = Field(
        default=None, description="Where returns go; None: the pickup address"
    )
    pickup_tin: str | None = Field(
        default=None, max_length=50, description="v3 pickup_info.tin: the seller's TIN or GSTIN"
    )
    gstin: str | None = Field(
        default=None, max_length=20, description="v3 gst_info: the enterprise and seller GSTIN"
    )
    vendor_code: str | None = Field(default=None, max_length=100)
    default_box_cm: BoxCm = Field(default_factory=BoxCm)
    async_create: bool = Field(
        default=False, description="additional.async: the courier manifests in the background"
    )
    # Follow-up re-posts of an asynchronous create (202, then 102): the waits before each.
    async_poll_seconds: list[float] = Field(
        default_factory=lambda: [2.0, 4.0, 8.0, 16.0], max_length=20
    )
    # A courier's scheduled downtime that names no end: come back after this long.
    downtime_retry_seconds: float = Field(default=900, gt=0, le=86_400)
    # Clickpost's scan times without an offset are Indian time (webhook docs: "IST").
    naive_timezone: str = "Asia/Kolkata"
    webhook_key: SecretStr | None = Field(
        default=None, description="The key Clickpost sends in webhooks (registration answer)"
    )
    webhook_auth: Literal["webhook_key", "authorization"] = "webhook_key"
    # Clickpost documents 429 but no numbers (research §3); a modest pace of our own.
    rate_limit_per_second: float = Field(default=5, ge=0)

    @model_validator(mode="after")
    def _has_a_courier(self) -> Self:
        if not self.couriers and self.default_courier is None:
            raise ValueError("name at least one courier: couriers or default_courier")
        return self

    def courier_for(self, service_code: str | None) -> CourierAccount | None:
        """The courier an order's service code picks; no code: the default; unknown: None."""
        if service_code:
            return self.couriers.get(service_code)
        return self.default_courier

    def account_code_for(self, courier_partner_id: int) -> str | None:
        """The account code configured for a courier id (orders read back name only the id)."""
        candidates = [*self.couriers.values()]
        if self.default_courier is not None:
            candidates.insert(0, self.default_courier)
        for courier in candidates:
            if courier.courier_partner_id == courier_partner_id:
                return courier.account_code
        return None

    def secret_values(self) -> list[str]:
        """The secrets, and the key as it reads inside a URL query (percent-encoded)."""
        values = super().secret_values()
        key = self.key.get_secret_value()
        values += [urllib.parse.quote_plus(key), urllib.parse.quote(key, safe="")]
        return list(dict.fromkeys(values))

    @classmethod
    def for_sandbox(cls, sandbox_root: str, **overrides: Any) -> Self:
        """Settings for a sandbox app served at ``sandbox_root``, with fresh credentials.

        A v4 account collecting from a UK warehouse; courier 1 is the default and the
        service codes ``express`` and ``economy`` pick couriers 2 and 3.
        """
        values: dict[str, Any] = {
            "base_url": sandbox_root.rstrip("/"),
            "username": f"shipmux-{uuid.uuid4().hex[:12]}",
            "key": SecretStr(str(uuid.uuid4())),
            "webhook_key": SecretStr(secrets.token_urlsafe(24)),
            "default_courier": {"courier_partner_id": 1, "account_code": "sandbox-default"},
            "couriers": {
                "express": {"courier_partner_id": 2, "account_code": "sandbox-express"},
                "economy": {"courier_partner_id": 3, "account_code": "sandbox-economy"},
            },
            "pickup_address": SANDBOX_PICKUP_ADDRESS,
            "async_poll_seconds": [0.2, 0.4, 0.8, 1.6],
        }
        values.update(overrides)
        return cls.model_validate(values)
