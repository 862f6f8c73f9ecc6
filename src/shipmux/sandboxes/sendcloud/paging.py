"""Cursor paging with ``Link`` headers (spec ``GET /orders``: ``cursor``, ``page_size``).

The spec's cursor is base64 of ``o=<offset>&r=<reverse>&p=<position>``; the sandbox
uses ``p`` as the id of the last (or, with ``r=1``, the first) row already seen.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import parse_qs, urlencode

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Cursor:
    position: int
    reverse: bool


def encode_cursor(position: int, *, reverse: bool) -> str:
    text = f"o=0&r={1 if reverse else 0}&p={position}"
    return base64.urlsafe_b64encode(text.encode()).decode()


def decode_cursor(value: str) -> Cursor | None:
    try:
        fields = parse_qs(base64.urlsafe_b64decode(value.encode()).decode(), strict_parsing=True)
        return Cursor(int(fields["p"][0]), fields.get("r", ["0"])[0] == "1")
    except (binascii.Error, UnicodeDecodeError, ValueError, KeyError):
        return None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    rows: list[T]
    next_cursor: str | None
    prev_cursor: str | None


def paginate(
    rows: Sequence[T], key: Callable[[T], int], cursor: Cursor | None, page_size: int
) -> Page[T]:
    """``rows`` are already sorted; a cursor names a key already seen (positions are keys)."""
    keys = [key(row) for row in rows]
    if cursor is None:
        start = 0
    elif cursor.reverse:
        end = keys.index(cursor.position) if cursor.position in keys else 0
        start = max(0, end - page_size)
    else:
        start = keys.index(cursor.position) + 1 if cursor.position in keys else len(rows)
    chosen = list(rows[start : start + page_size])
    has_next = start + page_size < len(rows)
    next_cursor = encode_cursor(key(chosen[-1]), reverse=False) if has_next and chosen else None
    prev_cursor = encode_cursor(key(chosen[0]), reverse=True) if start > 0 and chosen else None
    return Page(chosen, next_cursor, prev_cursor)


def link_header(base_url: str, query: dict[str, str], page: Page[T]) -> str | None:
    links: list[str] = []
    for rel, cursor in (("next", page.next_cursor), ("prev", page.prev_cursor)):
        if cursor is not None:
            links.append(f'<{base_url}?{urlencode({**query, "cursor": cursor})}>; rel="{rel}"')
    return ", ".join(links) or None
