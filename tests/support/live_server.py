"""Run an ASGI app under a real uvicorn server on loopback, for live HTTP tests.

    with serve(app) as base_url:
        httpx.get(f"{base_url}/api/v1/version")

The server runs in a daemon thread on a free port (the socket is bound before the
thread starts, so there is no race for the port), the context manager returns only
once uvicorn reports it has started, and it shuts the server down on exit. A server
that fails to start (for example, a lifespan startup error) raises ``RuntimeError``.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import uvicorn
from starlette.applications import Starlette
from starlette.types import ASGIApp

LifespanMode = Literal["auto", "on", "off"]


def _lifespan_for(app: ASGIApp) -> LifespanMode:
    # Starlette (and FastAPI) apps speak lifespan; "on" makes a failing startup fatal
    # instead of being silently skipped as "auto" would do.
    return "on" if isinstance(app, Starlette) else "auto"


def _bind(host: str) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    return sock


def _url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@contextmanager
def serve(
    app: ASGIApp,
    *,
    host: str = "127.0.0.1",
    lifespan: LifespanMode | None = None,
    startup_timeout: float = 10.0,
    graceful_shutdown_seconds: int = 2,
) -> Iterator[str]:
    """Serve ``app`` on a free port of ``host``; yield its base URL (no trailing slash)."""
    sock = _bind(host)
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        lifespan=lifespan or _lifespan_for(app),
        # Requests held open on purpose (hang faults) must not stall the shutdown.
        timeout_graceful_shutdown=graceful_shutdown_seconds,
        access_log=False,
    )
    server = uvicorn.Server(config)
    failures: list[BaseException] = []
    thread = threading.Thread(
        target=_run, args=(server, sock, failures), name=f"uvicorn-{port}", daemon=True
    )
    thread.start()
    try:
        _wait_started(server, thread, startup_timeout, failures)
        yield _url(host, port)
    finally:
        server.should_exit = True
        thread.join(timeout=graceful_shutdown_seconds + 10)
        sock.close()


def _run(server: uvicorn.Server, sock: socket.socket, failures: list[BaseException]) -> None:
    # uvicorn exits with SystemExit when startup fails; keep it out of the thread hook so
    # the caller gets one clear RuntimeError instead of an unhandled-thread warning.
    try:
        server.run(sockets=[sock])
    except BaseException as exc:  # reported to the waiting caller
        failures.append(exc)


def _wait_started(
    server: uvicorn.Server,
    thread: threading.Thread,
    timeout: float,
    failures: list[BaseException],
) -> None:
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive():
            reason = f" ({failures[0]!r})" if failures else ""
            raise RuntimeError(f"the live server stopped before it started{reason}; see its log")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the live server did not start within {timeout} s")
        time.sleep(0.01)
