"""The live-server helper itself: starts, serves, stops, and reports startup failures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from tests.support.live_server import serve


async def hello(request: Request) -> PlainTextResponse:
    return PlainTextResponse("hello")


def test_serves_on_a_free_loopback_port_and_stops() -> None:
    app = Starlette(routes=[Route("/", hello)])
    with serve(app) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        assert httpx.get(base_url).text == "hello"
    with pytest.raises(httpx.ConnectError):
        httpx.get(base_url, timeout=1)


def test_lifespan_runs() -> None:
    events: list[str] = []

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        events.append("startup")
        yield
        events.append("shutdown")

    with serve(Starlette(routes=[Route("/", hello)], lifespan=lifespan)):
        assert events == ["startup"]
    assert events == ["startup", "shutdown"]


def test_failing_startup_raises() -> None:
    @asynccontextmanager
    async def broken(app: Starlette) -> AsyncIterator[None]:
        raise RuntimeError("boom")
        yield

    with (
        pytest.raises(RuntimeError, match="stopped before it started"),
        serve(Starlette(lifespan=broken)),
    ):
        pass
