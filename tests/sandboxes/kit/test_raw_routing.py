"""Raw-path segment extraction below a mount point."""

from __future__ import annotations

from typing import Any

from starlette.routing import Match
from starlette.types import Receive, Scope, Send

from shipmux.sandboxes.kit.raw_routing import RAW_SEGMENTS_KEY, RawPrefixRoute, raw_route_segments


def _scope(raw: str, root_path: str = "") -> dict[str, Any]:
    return {"type": "http", "path": raw, "raw_path": raw.encode(), "root_path": root_path}


def test_segments_stay_encoded_and_the_mount_point_is_stripped() -> None:
    scope = _scope("/sandbox/click-and-drop/api/v1/orders/%22a%2Fb%22/", "/sandbox/click-and-drop")
    assert raw_route_segments(scope) == ["api", "v1", "orders", "%22a%2Fb%22"]


async def _app(scope: Scope, receive: Receive, send: Send) -> None:
    raise AssertionError("not called")


def test_prefix_match_is_case_insensitive() -> None:
    route = RawPrefixRoute("/api/v1", _app)
    match, child = route.matches(_scope("/API/V1/Orders/1001"))
    assert match is Match.FULL
    assert child[RAW_SEGMENTS_KEY] == ["Orders", "1001"]
    assert route.matches(_scope("/other/v1"))[0] is Match.NONE
