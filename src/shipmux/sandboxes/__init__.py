"""Local simulators of the carriers' APIs, one Starlette app per carrier.

``SANDBOXES`` maps each carrier slug to its app factory; ``create_sandboxes_app()``
mounts every one under ``/<slug>`` (the hub mounts that app at ``/sandbox``, so Click &
Drop's API is at ``/sandbox/click-and-drop/api/v1/...``).
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from shipmux.sandboxes.click_and_drop import SLUG as CLICK_AND_DROP
from shipmux.sandboxes.click_and_drop import create_app as create_click_and_drop_app
from shipmux.sandboxes.clickpost import SLUG as CLICKPOST
from shipmux.sandboxes.clickpost import create_app as create_clickpost_app
from shipmux.sandboxes.parcel2go import SLUG as PARCEL2GO
from shipmux.sandboxes.parcel2go import create_app as create_parcel2go_app
from shipmux.sandboxes.sendcloud import SLUG as SENDCLOUD
from shipmux.sandboxes.sendcloud import create_app as create_sendcloud_app

SANDBOXES: dict[str, Callable[[], Starlette]] = {
    CLICK_AND_DROP: create_click_and_drop_app,
    CLICKPOST: create_clickpost_app,
    PARCEL2GO: create_parcel2go_app,
    SENDCLOUD: create_sendcloud_app,
}


def create_sandboxes_app() -> Starlette:
    """One app with every registered sandbox mounted under ``/<slug>``."""

    async def index(request: Request) -> Response:
        return JSONResponse({"sandboxes": sorted(SANDBOXES)})

    routes: list[BaseRoute] = [Route("/", index, methods=["GET"])]
    routes.extend(Mount(f"/{slug}", app=factory()) for slug, factory in SANDBOXES.items())
    return Starlette(routes=routes)


__all__ = ["SANDBOXES", "create_sandboxes_app"]
