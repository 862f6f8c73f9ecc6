"""Settings of the Click & Drop sandbox (changeable at run time: ``PUT /_sandbox/settings``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from shipmux.sandboxes.kit.faults import FaultSettings


class ClickAndDropSandboxSettings(BaseModel):
    """How the simulated Click & Drop behaves. Defaults follow the spec and research notes."""

    model_config = ConfigDict(extra="forbid")

    # Spec tag "Rate Limits": "Exceeding the rate limit of 5 calls per second will result in
    # a 429 error." Counted per API key; 0 turns the limiter off.
    rate_limit_per_second: int = Field(default=5, ge=0)
    faults: FaultSettings = Field(default_factory=FaultSettings)
    # Keys starting with this prefix (any case) belong to OLP (pay-as-you-go) accounts.
    olp_key_prefix: str = "olp"
    # Keys starting with this prefix belong to ChannelShipper accounts (``/full`` endpoints,
    # ``despatchedByOtherCourier``). Empty disables the prefix rule.
    channel_shipper_key_prefix: str = "chs"
    # Real keys are 36-character GUID-like strings; the reference client rejects keys that
    # are not 31-39 characters long or contain whitespace, so the sandbox accepts the same.
    key_min_length: int = Field(default=31, ge=1)
    key_max_length: int = Field(default=39, ge=1)
    # OBA setting "Apply postage automatically on orders imported via API" for new accounts.
    auto_apply_postage: bool = True
    # No maximum is documented for POST /orders; ``None`` leaves it unlimited.
    max_orders_per_create: int | None = Field(default=None, ge=1)
    # Simulated seconds before a manifest's PDF is ready (0: answered 201 with the PDF;
    # more: answered 202 without it, "In Progress" until the clock passes the delay).
    manifest_pdf_delay_seconds: float = Field(default=0.0, ge=0.0)
    # Return address printed on labels; Click & Drop takes it from the trading name settings.
    return_address: tuple[str, ...] = (
        "Shipmux Sandbox Ltd",
        "1 Sandbox Street",
        "London",
        "EC1A 1BB",
        "GB",
    )
