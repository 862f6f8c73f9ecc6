"""Match a vendor API's ``(method, path pattern)`` table against raw path segments.

Patterns are tuples of segments; ``{name}`` captures one raw (still percent-encoded)
segment, any other part matches case-insensitively (ASP.NET and friends route that way).
A sandbox keeps its own route type; it only needs ``method`` and ``pattern``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar
from urllib.parse import unquote


class PatternRoute(Protocol):
    @property
    def method(self) -> str: ...

    @property
    def pattern(self) -> tuple[str, ...]: ...


R = TypeVar("R", bound=PatternRoute)


def match_segments(pattern: tuple[str, ...], segments: list[str]) -> dict[str, str] | None:
    """The captured parameters if ``segments`` fit ``pattern``, else ``None``."""
    if len(segments) != len(pattern):
        return None
    params: dict[str, str] = {}
    for part, segment in zip(pattern, segments, strict=True):
        if part.startswith("{") and part.endswith("}"):
            params[part[1:-1]] = segment
        elif unquote(segment).lower() != part.lower():
            return None
    return params


@dataclass(frozen=True, slots=True)
class RouteLookup(Generic[R]):
    """The route found (or ``None``); ``path_exists`` tells a 405 from a 404."""

    route: R | None
    params: dict[str, str]
    path_exists: bool


def resolve_route(routes: Iterable[R], method: str, segments: list[str]) -> RouteLookup[R]:
    """The first route whose pattern and method fit; earlier routes win."""
    path_exists = False
    for route in routes:
        params = match_segments(route.pattern, segments)
        if params is None:
            continue
        path_exists = True
        if route.method == method:
            return RouteLookup(route, params, True)
    return RouteLookup(None, {}, path_exists)
