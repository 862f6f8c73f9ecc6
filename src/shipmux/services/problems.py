"""Turning pydantic's validation errors into our named field problems."""

from __future__ import annotations

from pydantic import ValidationError

from shipmux.domain.errors import FieldProblem

__all__ = ["field_path", "problems_from_validation"]


def field_path(loc: tuple[int | str, ...], prefix: str = "") -> str:
    """``("items", 0, "sku")`` -> ``items[0].sku`` (under ``prefix``)."""
    path = prefix
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path = f"{path}.{part}" if path else str(part)
    return path or "body"


def problems_from_validation(exc: ValidationError, prefix: str = "") -> list[FieldProblem]:
    problems = []
    for error in exc.errors(include_url=False):
        # Tagged-union and function validators add their own names to loc; keep field names.
        loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and "[" in p))
        message = error["msg"]
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        problems.append(FieldProblem(field_path(loc, prefix), error["type"], message))
    return problems
