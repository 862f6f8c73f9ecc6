"""The Sendcloud sandbox: a local simulator of Sendcloud's API v3 (``/api/v3/...``)."""

from __future__ import annotations

from shipmux.sandboxes.sendcloud.app import create_app

SLUG = "sendcloud"

__all__ = ["SLUG", "create_app"]
