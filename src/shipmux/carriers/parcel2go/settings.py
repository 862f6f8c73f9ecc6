"""Settings of one Parcel2Go account: its API client, label choice and collection defaults."""

from __future__ import annotations

import secrets
import uuid
from typing import Any, Literal, Self

from pydantic import Field, SecretStr

from shipmux.carriers.settings import CarrierAccountSettings
from shipmux.domain.orders import Address

__all__ = [
    "DEFAULT_SCOPES",
    "SANDBOX_BASE_URL",
    "SANDBOX_COLLECTION_ADDRESS",
    "LabelMedia",
    "Parcel2GoSettings",
]

# The sandbox as `shipmux sandbox serve` mounts it. The base URL is the site root (ADR 0006
# §1): the API is under {root}/api and the token endpoint under {root}/auth. Live is
# https://www.parcel2go.com, Parcel2Go's own test site https://sandbox.parcel2go.com.
SANDBOX_BASE_URL = "http://127.0.0.1:8000/sandbox/parcel2go"

# public-api for every call, payment for paywithprepay, my-profile for /me/* (seed, "Access
# token"). One token carries all three: the connector pays and reconciles by reference.
DEFAULT_SCOPES = "public-api payment my-profile"

# The collection address of the seed's order examples.
SANDBOX_COLLECTION_ADDRESS = Address(
    name="John Doe",
    line1="11 Saville St",
    city="Malton",
    county="North Yorkshire",
    postcode="YO17 7LL",
    country="GB",
    phone="07587569852",
    email="j.doe@example.com",
)

LabelMedia = Literal["a4", "4x6", "a4-4x6"]


class Parcel2GoSettings(CarrierAccountSettings):
    """One Parcel2Go API client (My Account > API), paying from the account's PrePay."""

    base_url: str = SANDBOX_BASE_URL
    client_id: str = Field(min_length=1, max_length=200)
    client_secret: SecretStr
    scopes: str = Field(default=DEFAULT_SCOPES, min_length=1)
    webhook_secret: SecretStr | None = Field(
        default=None, description="The secret given to Parcel2Go for signing webhooks"
    )
    label_media: LabelMedia = "4x6"
    label_format: Literal["pdf", "png"] = "pdf"
    default_service: str | None = Field(
        default=None,
        max_length=100,
        description="Service slug for orders that name none; None: the cheapest quote",
    )
    collection_address: Address | None = Field(
        default=None, description="Where parcels are collected when an order has no sender"
    )
    # No documented limit; one client keeps >= 350 ms between calls (research §5.12).
    # 3/s with the limiter's 10 % margin spaces calls 367 ms apart.
    rate_limit_per_second: float = Field(default=3, ge=0)

    @classmethod
    def for_sandbox(cls, sandbox_root: str, **overrides: Any) -> Self:
        """Settings for a sandbox app served at ``sandbox_root``, with fresh credentials.

        The account collects from the seed's example address, so orders without a sender
        can be sent as they are.
        """
        values: dict[str, Any] = {
            "base_url": sandbox_root.rstrip("/"),
            "client_id": f"shipmux-{uuid.uuid4().hex[:12]}",
            "client_secret": SecretStr(secrets.token_urlsafe(24)),
            "webhook_secret": SecretStr(secrets.token_urlsafe(24)),
            "collection_address": SANDBOX_COLLECTION_ADDRESS,
        }
        values.update(overrides)
        return cls.model_validate(values)
