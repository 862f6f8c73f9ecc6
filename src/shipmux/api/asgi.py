"""The API as an import string for process managers (``uvicorn --factory``, gunicorn).

Each worker process calls ``create`` once: settings are read and the hub is built
in that process, as the composition root requires.
"""

from __future__ import annotations

import gc

from fastapi import FastAPI

from shipmux.api.app import create_app
from shipmux.bootstrap import build_context
from shipmux.config import load_settings
from shipmux.logs import configure_logging

__all__ = ["create"]


def create() -> FastAPI:
    settings = load_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    app = create_app(build_context(settings))
    # Long-lived objects built so far never need scanning again: the collector then
    # spends far less time during intake's allocation-heavy batches.
    gc.freeze()
    return app
