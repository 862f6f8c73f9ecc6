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

__all__ = ["create"]


def create() -> FastAPI:
    app = create_app(build_context(load_settings()))
    # Long-lived objects built so far never need scanning again: the collector then
    # spends far less time during intake's allocation-heavy batches.
    gc.freeze()
    return app
