"""``sandbox_app()``: the one Starlette app shape every carrier sandbox is served as.

The control routes (``kit.control``) at ``/_sandbox/...``, the vendor API under its
prefix, any carrier-specific routes before both, and ``app.state.sandbox`` for
in-process inspection (tests, the hub's demo; HTTP clients use ``/_sandbox``). A
sandbox that pushes webhooks passes its dispatcher: delivery is then started lazily
around every request, and stopped by the lifespan when the app is served on its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from shipmux.sandboxes.kit.clock import SandboxClock
from shipmux.sandboxes.kit.control import control_mount
from shipmux.sandboxes.kit.faults import FaultInjector
from shipmux.sandboxes.kit.raw_routing import RawPrefixRoute
from shipmux.sandboxes.kit.webhook_delivery import WebhookDispatcher


class ControlledState(Protocol):
    """What the shared control routes need from a sandbox's state."""

    clock: SandboxClock
    faults: FaultInjector

    def reset(self) -> None: ...


class WakeWebhookDelivery:
    """Around every request, make sure webhook delivery runs if there is work.

    A mounted app's lifespan never runs inside the hub, so this is how the delivery
    task gets started (lazily) and woken after an order, a clock move or a new URL.
    """

    def __init__(self, app: ASGIApp, webhooks: WebhookDispatcher) -> None:
        self.app = app
        self.webhooks = webhooks

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.webhooks.ensure_running()
        try:
            await self.app(scope, receive, send)
        finally:
            self.webhooks.ensure_running()


def _stopping(
    webhooks: WebhookDispatcher,
) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Runs only when the sandbox is served on its own; mounted, the event loop's
        # shutdown cancels the delivery task instead.
        yield
        await webhooks.stop()

    return lifespan


def sandbox_app(
    state: ControlledState,
    *,
    api_prefix: str,
    vendor: ASGIApp,
    control_routes: Sequence[BaseRoute],
    routes: Sequence[BaseRoute] = (),
    webhooks: WebhookDispatcher | None = None,
) -> Starlette:
    """Assemble a sandbox: ``routes``, then ``/_sandbox``, then the vendor API at ``api_prefix``."""
    control = control_mount(
        faults=state.faults,
        clock=state.clock,
        on_reset=state.reset,
        extra_routes=control_routes,
    )
    app = Starlette(
        routes=[*routes, control, RawPrefixRoute(api_prefix, vendor)],
        middleware=None
        if webhooks is None
        else [Middleware(WakeWebhookDelivery, webhooks=webhooks)],
        lifespan=None if webhooks is None else _stopping(webhooks),
    )
    app.state.sandbox = state
    return app
