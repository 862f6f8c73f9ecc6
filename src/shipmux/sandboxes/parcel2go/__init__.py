"""A faithful local sandbox of Parcel2Go's API (built from its docs and ADR 0006)."""

from __future__ import annotations

from shipmux.sandboxes.parcel2go.app import create_app
from shipmux.sandboxes.parcel2go.settings import Parcel2GoSandboxSettings, WebhookSettings

SLUG = "parcel2go"

__all__ = ["SLUG", "Parcel2GoSandboxSettings", "WebhookSettings", "create_app"]
