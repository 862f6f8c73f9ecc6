"""A faithful local sandbox of the Royal Mail Click & Drop API (built from its Swagger spec)."""

from __future__ import annotations

from shipmux.sandboxes.click_and_drop.app import create_app
from shipmux.sandboxes.click_and_drop.settings import ClickAndDropSandboxSettings

SLUG = "click-and-drop"

__all__ = ["SLUG", "ClickAndDropSandboxSettings", "create_app"]
