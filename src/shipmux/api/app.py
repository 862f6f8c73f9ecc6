"""Assembling the API: routers, middleware, error handlers, OpenAPI; nothing global."""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import version

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import ASGIApp

from shipmux.api.errors import install_error_handlers
from shipmux.api.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from shipmux.api.openapi import install_openapi
from shipmux.api.routes import (
    accounts,
    health,
    orders,
    quotes,
    rate_cards,
    routing,
    webhook_endpoints,
    webhooks,
)
from shipmux.services.context import HubContext
from shipmux.services.webhook_intake import WebhookIntake

__all__ = ["create_app"]


def create_app(ctx: HubContext, *, extra_mounts: Mapping[str, ASGIApp] | None = None) -> FastAPI:
    """The hub's HTTP API over ``ctx``; ``extra_mounts`` adds apps (the demo's sandboxes)."""
    app = FastAPI(
        title="shipmux",
        version=version("shipmux"),
        description="Self-hosted multi-carrier shipping hub",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.ctx = ctx
    for router in (
        health.router,
        orders.router,
        accounts.router,
        rate_cards.router,
        quotes.router,
        routing.router,
        webhook_endpoints.router,
    ):
        app.include_router(router)
    app.add_api_route("/metrics", _metrics, methods=["GET"], include_in_schema=False)
    for path, mounted in (extra_mounts or {}).items():
        app.mount(path, mounted)
    install_error_handlers(app)
    install_openapi(app)
    # Added innermost first: the request context wraps everything, the body limit included.
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=ctx.settings.api.max_body_bytes)
    app.add_middleware(RequestContextMiddleware)
    # Outermost: carrier webhooks skip the routing above (routes/webhooks.py says why).
    app.add_middleware(
        webhooks.CarrierWebhooks,
        intake=WebhookIntake(ctx),  # this process's group committer
        max_body_bytes=ctx.settings.api.max_body_bytes,
    )
    return app


def _metrics() -> Response:
    """Prometheus counters of this process (``shipmux_webhooks_total``, ...)."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
