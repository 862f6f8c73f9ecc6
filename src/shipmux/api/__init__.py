"""The HTTP API: a thin layer that translates requests into service calls and back.

``create_app(ctx)`` builds the ASGI app; nothing happens at import time.
"""

from __future__ import annotations

from shipmux.api.app import create_app

__all__ = ["create_app"]
