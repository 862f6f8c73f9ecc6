"""The OpenAPI document, plus the schemas FastAPI cannot see on its own.

POST /v1/orders parses its body itself, so its request schema (``Order`` or
``OrderBatchIn``) and the shared ``Problem`` are added to the components here; the
carrier webhook paths are plain ASGI ahead of FastAPI, so their path items are too.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from shipmux.api.routes import webhooks
from shipmux.api.schemas.common import Problem
from shipmux.api.schemas.orders import BatchOut, IntakeOut, OrderBatchIn
from shipmux.domain.orders import Order

__all__ = ["install_openapi"]

# Request bodies are documented as what we accept, responses as what we send.
_EXTRA_REQUESTS: tuple[type[BaseModel], ...] = (Order, OrderBatchIn)
_EXTRA_RESPONSES: tuple[type[BaseModel], ...] = (
    Problem,
    IntakeOut,
    BatchOut,
    webhooks.WebhookTaken,
)


def _extra_schemas() -> dict[str, Any]:
    _, schema = models_json_schema(
        [(model, "validation") for model in _EXTRA_REQUESTS]
        + [(model, "serialization") for model in _EXTRA_RESPONSES],
        ref_template="#/components/schemas/{model}",
    )
    defs: dict[str, Any] = schema.get("$defs", {})
    return defs


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            for name, schema in _extra_schemas().items():
                schemas.setdefault(name, schema)
            document.setdefault("paths", {}).update(webhooks.openapi_paths())
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
