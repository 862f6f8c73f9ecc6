"""The Clickpost sandbox: a local simulator of Clickpost's shipping API (``create_app``)."""

from __future__ import annotations

from shipmux.sandboxes.clickpost.app import create_app

SLUG = "clickpost"

__all__ = ["SLUG", "create_app"]
