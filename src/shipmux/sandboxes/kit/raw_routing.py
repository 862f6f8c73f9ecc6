"""Route vendor APIs on the raw (still percent-encoded) request path.

Carrier paths can carry identifiers with ``%2F`` or ``%3B`` inside one segment. Starlette
routes on the decoded path, where such a ``/`` would split the segment, so a sandbox's
vendor API is mounted with ``RawPrefixRoute`` and gets the undecoded segments instead.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from starlette.datastructures import URLPath
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import ASGIApp, Receive, Scope, Send

RAW_SEGMENTS_KEY = "sandbox.raw_segments"


def raw_route_segments(scope: Scope) -> list[str]:
    """The percent-encoded path segments below the app's mount point (``root_path``)."""
    raw = scope.get("raw_path")
    text = raw.decode("latin-1") if raw else quote(scope["path"])
    segments = text.split("/")[1:]
    root_segments = [part for part in scope.get("root_path", "").split("/") if part]
    if root_segments and [unquote(s) for s in segments[: len(root_segments)]] == root_segments:
        segments = segments[len(root_segments) :]
    # A trailing slash (the spec's own example has one) addresses the same resource.
    if segments and segments[-1] == "":
        segments.pop()
    return segments


class RawPrefixRoute(BaseRoute):
    """Send every HTTP request whose path starts with ``prefix`` (any case) to ``app``.

    The segments after the prefix are put, still percent-encoded, in
    ``scope["sandbox.raw_segments"]``.
    """

    def __init__(self, prefix: str, app: ASGIApp) -> None:
        self._prefix = [part.lower() for part in prefix.split("/") if part]
        self.app = app

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        segments = raw_route_segments(scope)
        head = [unquote(s).lower() for s in segments[: len(self._prefix)]]
        if head != self._prefix:
            return Match.NONE, {}
        return Match.FULL, {RAW_SEGMENTS_KEY: segments[len(self._prefix) :]}

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


class RawSegmentsApp:
    """An ASGI app behind ``RawPrefixRoute`` that answers from the raw segments.

    Each sandbox's vendor API subclasses it and implements ``respond``.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = await self.respond(request, scope.get(RAW_SEGMENTS_KEY, []))
        await response(scope, receive, send)

    async def respond(self, request: Request, segments: list[str]) -> Response:
        raise NotImplementedError
